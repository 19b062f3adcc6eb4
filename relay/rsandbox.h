/*
 * rsandbox: the relay's least privilege (lib/sandbox.h does the work),
 * applied after the listening socket is bound, the state is read and gpg
 * and curl are set up, before any thread starts.  It still fetches over
 * HTTPS, runs gpg with the provider's key (GNUPGHOME, gpg-agent) and
 * writes its state; nothing else.
 *
 * Landlock:
 *   exec /usr (libraries, gpg, gpg-agent)
 *   ro   /etc (resolver, TLS, gnupg), the directory of the configuration
 *        file and of cert, key and ca, /proc, /sys/devices/system/cpu,
 *        /dev/urandom, /dev/random, /run/systemd/resolve
 *   rw   gnupghome, the state directory (which must exist), the
 *        agent's socket directory /run/user/UID, /dev/null; no rename
 *        or link across directories, so Landlock ABI 1 applies too
 *   tcp  connect to the port of url, and 53; no bind (it listens on a
 *        socket bound before)
 *
 * seccomp: gpg must still be started, so everything is allowed but the
 * calls that administer the machine and clone with a CLONE_NEW* flag
 * (sandbox.h), which fail with EPERM.
 *
 * LISTFEED_SANDBOX=off turns it off (logged).
 */
#ifndef LF_RSANDBOX_H
#define LF_RSANDBOX_H

#include "rconf.h"

/* 0, or -1 (logged): the caller stops. */
int	rsandbox_apply(const struct rconf *);

#endif
