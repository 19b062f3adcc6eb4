/*
 * gsandbox: the generator's least privilege (lib/sandbox.h does the
 * work), applied by `listfeed-gen --watch` and by a single run (not by
 * --check-config) once GPGME is set up (crypt_global_init()), before
 * the gpg helper is forked, the signing key is opened and the database
 * read: the helper, gpg and gpg-agent inherit it.  It still connects to
 * the database, runs gpg (which reads and writes its GNUPGHOME and talks
 * to gpg-agent) and writes the feed; nothing else.
 *
 * Landlock:
 *   exec /usr (libraries, gpg, gpg-agent, gpgconf, /usr/lib/gnupg)
 *   ro   /etc (TLS trust store, hosts, nsswitch, gnupg), the config file,
 *        the templates directory, the directory of the option file and
 *        of every ssl-ca, ssl-cert, ssl-key, ssl-crl it names, its
 *        ssl-capath and ssl-crlpath (optfile.h), /run/systemd/resolve,
 *        /proc, /sys/devices/system/cpu, /dev/urandom, /dev/random
 *   rw   [feed] dir (created first if missing; with .state), GNUPGHOME
 *        ([gpg] home, else $GNUPGHOME, else ~/.gnupg), the agent's socket
 *        directory /run/user/UID when it exists, the directory of [feed]
 *        trigger_socket, /dev/null; with refer: a generation is made by
 *        linking unchanged files from the live one (another directory)
 *   tcp  the option file's port (3306 if none, or if optfile refuses the
 *        file: gen/db.c refuses it again before connecting), and 53
 * On Landlock ABI 1, which cannot allow a link across directories, the
 * generator runs without Landlock (logged), with seccomp.
 *
 * seccomp: gpg must still be executed, so everything is allowed but the
 * calls that administer the machine and clone with a CLONE_NEW* flag
 * (sandbox.h), which fail with EPERM.  The helper's encryption threads
 * (pgp/batch.c) need nothing more: clone3 fails with ENOSYS and the C
 * library makes them with clone (CLONE_THREAD, no CLONE_NEW*); futex,
 * set_robust_list, rseq and madvise are allowed like the rest.
 *
 * LISTFEED_SANDBOX=off turns it off (logged).
 */
#ifndef LF_GSANDBOX_H
#define LF_GSANDBOX_H

#include "conf.h"

/* 0, or -1 (logged): the caller stops. */
int	gsandbox_apply(const struct lf_config *, const char *conffile);

#endif
