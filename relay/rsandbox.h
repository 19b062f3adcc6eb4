/*
 * rsandbox: the relay's least privilege (sandbox.h does the work),
 * applied after the listening socket is bound, the state is read and
 * gpg and curl are set up, before any thread starts.  Landlock:
 *   exec /usr (libraries, gpg, gpg-agent)
 *   ro   /etc (resolver, TLS, gnupg), the directory of the configuration
 *        file and of cert, key and ca, /proc, /sys/devices/system/cpu,
 *        /dev/urandom, /dev/random, /run/systemd/resolve
 *   rw   gnupghome, the state directory (which must exist), the
 *        agent's socket directory /run/user/UID, /dev/null
 *   tcp  connect to the port of url, and 53; no bind
 * then the seccomp profile SANDBOX_GEN (a deny-list: gpg must still be
 * started).  LISTFEED_SANDBOX=off turns it off (logged).
 * 0, or -1 (logged): the caller stops.
 */
#ifndef LF_RSANDBOX_H
#define LF_RSANDBOX_H

#include "rconf.h"

int	rsandbox_apply(const struct rconf *);

#endif
