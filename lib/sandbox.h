/*
 * sandbox: least privilege for both programs, applied once everything
 * that needs more has been opened (listening socket, configuration,
 * templates, keys).  Two layers, both inherited by every child and never
 * lifted:
 *
 *  - Landlock (and no_new_privs): the file system shrinks to the listed
 *    paths; TCP bind(2) is refused and TCP connect(2) reaches only the
 *    listed ports (ABI >= 4); signals and abstract Unix sockets stop at
 *    the sandbox (ABI >= 6).  Best effort: the highest ABI the kernel
 *    offers is used.  A pathname Unix socket (syslog's /dev/log, the
 *    trigger socket) is reached by connect(2) or sendto(2) without any
 *    right on its directory.
 *  - seccomp (libseccomp) with a profile per program, see below.
 *
 * LISTFEED_SANDBOX=off in the environment turns sandbox_fcgi_apply() and
 * sandbox_gen_apply() into no-ops (logged), for debugging only.
 *
 * Nothing here exits; every function logs its reasons.
 */
#ifndef LF_SANDBOX_H
#define LF_SANDBOX_H

#include <stddef.h>

#include "conf.h"

/*
 * Paths are files or directories (a rule on a directory covers all below
 * it).  A path that does not exist is skipped (logged in verbose mode).
 *   ro    read files, list directories
 *   rw    ro, and write, truncate, create (files, directories, sockets,
 *         fifos, symbolic links), remove, rename and link, also across
 *         directories below the same rw path
 *   exec  ro, and execute
 *   rm    remove entries of the directory (a socket left at exit)
 *   tcp   ports TCP connect(2) may reach; none: no TCP at all
 */
struct sandbox_paths {
	const char *const	*ro;	size_t	 nro;
	const char *const	*rw;	size_t	 nrw;
	const char *const	*exec;	size_t	 nexec;
	const char *const	*rm;	size_t	 nrm;
	const unsigned short	*tcp;	size_t	 ntcp;
};

/*
 * Sets no_new_privs, then applies the Landlock rules.  0 applied, 1 the
 * kernel offers no usable Landlock (logged once; rw paths need ABI >= 2,
 * which can allow a link across directories), -1 error.  With strict
 * set, an unusable Landlock is an error too.
 */
int	sandbox_landlock(const struct sandbox_paths *, int strict);

/* The ABI version of the kernel's Landlock, 0 when it has none. */
int	sandbox_landlock_abi(void);

/*
 * Sets no_new_privs, then loads the seccomp filter of the profile into
 * every thread.  0 or -1.  clone3(2) fails with ENOSYS in both profiles
 * (its flags cannot be inspected), so the C library falls back to clone.
 *
 * SANDBOX_FCGI: an allow-list of what the responder does once serving
 *   (libfcgi, threads, jansson, inih, syslog, the sanitizers); any other
 *   system call fails with EPERM.  socket(2) only for AF_UNIX; clone only
 *   with CLONE_VM (threads: no fork); openat only read-only; mmap and
 *   mprotect never executable; ioctl only TCGETS, FIONREAD, FIONBIO;
 *   kill and tgkill only to itself; prlimit only to read.  The process is
 *   killed at once (SIGSYS) on execve, execveat, ptrace,
 *   process_vm_readv/writev, and the calls of the GEN list below.
 * SANDBOX_GEN: gpg must still be executed, so everything is allowed but
 *   a deny-list, which fails with EPERM: ptrace, process_vm_readv/writev,
 *   mount and the new mount API, umount2, pivot_root, chroot, kexec_*,
 *   init_module, finit_module, delete_module, bpf, perf_event_open,
 *   keyctl, add_key, request_key, userfaultfd, open_by_handle_at,
 *   name_to_handle_at, unshare, setns, clone with a CLONE_NEW* flag,
 *   reboot, swapon, swapoff, acct, quotactl, iopl, ioperm, io_uring_*,
 *   settimeofday, clock_settime, clock_adjtime, adjtimex, sethostname,
 *   setdomainname, syslog, vhangup, fanotify_init, lookup_dcookie.
 * A build with AddressSanitizer allows the ptrace requests
 * LeakSanitizer uses to stop the threads at exit (PTRACE_ATTACH, _CONT,
 * _DETACH, _KILL, _GETREGS, _GETFPREGS, _GETREGSET, _PEEKUSER).
 */
enum sandbox_profile { SANDBOX_FCGI, SANDBOX_GEN };
int	sandbox_seccomp(enum sandbox_profile);

/* 1 unless LISTFEED_SANDBOX=off (then logged once). */
int	sandbox_wanted(void);

/*
 * listfeed.fcgi, after the configuration, templates and listening socket
 * are ready and before any worker thread starts (sockpath: the socket it
 * created, NULL for one inherited on fd 0).  Landlock:
 *   ro   [feed] dir, the directory of the config file (editors replace
 *        the file by rename; reloads read it again), the templates
 *        directory, /etc/localtime, /usr/share/zoneinfo, /proc/self,
 *        /sys/devices/system/cpu
 *   rm   the directory of sockpath (the socket is removed at exit)
 *   tcp  none
 * then seccomp SANDBOX_FCGI.  A reload that moves [feed] dir or the
 * templates elsewhere needs a restart.  0, or -1: the caller stops.
 */
int	sandbox_fcgi_apply(const struct lf_config *, const char *conffile,
	    const char *sockpath);

/*
 * listfeed-gen, after its keys are open (crypt_new()) and before the
 * first generation; it connects to the database and runs gpg inside.
 * Landlock:
 *   exec /usr (libraries, gpg, gpg-agent, gpgconf, /usr/lib/gnupg)
 *   ro   /etc (TLS trust store, hosts, nsswitch, gnupg), the config file,
 *        the templates directory, the directory of the option file and
 *        of every ssl-ca, ssl-cert, ssl-key, ssl-crl it names, its
 *        ssl-capath and ssl-crlpath (optfile.h), /run/systemd/resolve, /proc,
 *        /sys/devices/system/cpu, /dev/urandom, /dev/random
 *   rw   [feed] dir (created first if missing), GNUPGHOME, the agent's
 *        socket directory /run/user/UID when it exists, the directory of
 *        [feed] trigger_socket, /dev/null
 *   tcp  the option file's port (3306 if none or if optfile refuses the
 *        file), and 53
 * then seccomp SANDBOX_GEN.  0, or -1: the caller stops.
 */
int	sandbox_gen_apply(const struct lf_config *, const char *conffile);

#endif
