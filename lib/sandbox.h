/*
 * sandbox: the mechanism of least privilege; what each program may touch
 * is its own policy, beside its main (gen/gsandbox.h, cgi/csandbox.h,
 * relay/rsandbox.h).  A policy gathers paths and ports into a struct
 * sandbox_rules, names a seccomp rule table, and calls sandbox_apply()
 * once everything that needs more has been opened.  Two layers, both
 * inherited by every child and never lifted:
 *
 *  - Landlock (and no_new_privs): the file system shrinks to the listed
 *    paths, TCP to the listed ports.  A pathname Unix socket (syslog's
 *    /dev/log, the trigger socket) is reached by connect(2) or sendto(2)
 *    without any right on its directory.
 *  - seccomp (libseccomp): a filter built from the policy's rule table
 *    and the machine-administration calls below.
 *
 * Landlock ABI: the highest the kernel offers is used; what it cannot
 * enforce is not enforced (doc/sandbox.md):
 *   1  files and directories: read, write, execute, create, remove; no
 *      rename(2) or link(2) across directories at all
 *   2  REFER: rename and link across directories, within rw paths
 *      (the generator's publishing needs it; Linux 6.1, Debian 12)
 *   3  TRUNCATE: before it truncate(2) is not restricted
 *   4  TCP bind(2) and connect(2) by port; before it TCP is not
 *      restricted by Landlock (logged), only by seccomp where the
 *      policy's table says so
 *   5  ioctl(2) on devices
 *   6  signals and abstract Unix sockets stop at the sandbox
 * LF_LANDLOCK_ABI_MAX=N (N >= 1) in the environment uses at most ABI N,
 * to test what an older kernel enforces (logged); it can only lower the
 * ABI, never raise it nor turn Landlock off.
 *
 * LISTFEED_SANDBOX=off in the environment turns sandbox_apply() into a
 * no-op (logged), for debugging only.
 *
 * Nothing here exits; every function logs its reasons.
 */
#ifndef LF_SANDBOX_H
#define LF_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

/*
 * What a Landlock rule allows below a path (a rule on a directory covers
 * all below it; on a file, only the rights a file can have):
 *   RO    read files, list directories
 *   RW    RO, and write, truncate, create (files, directories, sockets,
 *         fifos, symbolic links), remove; rename and link across
 *         directories below rw paths when the rules ask for refer
 *   EXEC  RO, and execute
 *   RM    remove entries of the directory (a socket left at exit)
 */
enum sandbox_access { SANDBOX_RO, SANDBOX_RW, SANDBOX_EXEC, SANDBOX_RM };

#define SANDBOX_MAXPATHS	32
#define SANDBOX_MAXPORTS	8

/*
 * The paths (owned copies) and TCP ports of one policy.  Start from
 * zeroes; the adders note a failure (logged) in failed, which
 * sandbox_landlock() then refuses, so a policy adds without checking.
 * tcp: the ports TCP connect(2) may reach; none: no TCP at all (ABI 4).
 * refer: the program renames or links across directories below its rw
 * paths; Landlock ABI 1 cannot allow that, so it is then unusable.
 */
struct sandbox_rules {
	struct {
		char			*path;
		enum sandbox_access	 access;
	}		 fs[SANDBOX_MAXPATHS];
	size_t		 nfs;
	unsigned short	 tcp[SANDBOX_MAXPORTS];
	size_t		 ntcp;
	int		 refer;
	int		 failed;
};

/* Adds path (NULL or "": nothing).  A path absent when the rules are
 * applied is skipped (logged in verbose mode). */
void	sandbox_path(struct sandbox_rules *, enum sandbox_access,
	    const char *path);
/* Adds the directory of path ("." for a bare name; NULL: nothing). */
void	sandbox_parent(struct sandbox_rules *, enum sandbox_access,
	    const char *path);
/* Adds a TCP port (1 to 65535, once; others ignored). */
void	sandbox_port(struct sandbox_rules *, unsigned long port);
/* Frees the paths; the rules can be filled again. */
void	sandbox_rules_free(struct sandbox_rules *);

/*
 * Sets no_new_privs, then applies the rules with Landlock.  0 applied,
 * 1 Landlock is unusable here (no Landlock, or ABI 1 and refer set):
 * logged once and nothing applied, -1 error.  With strict set, an
 * unusable Landlock is an error too.
 */
int	sandbox_landlock(const struct sandbox_rules *, int strict);

/* The Landlock ABI this process uses: the kernel's, lowered by
 * LF_LANDLOCK_ABI_MAX; 0 when there is none. */
int	sandbox_landlock_abi(void);

/*
 * seccomp.  An action, and one rule of a table: the call (by name; one
 * unknown on this architecture is skipped), the action when it matches,
 * and at most one condition on an argument: (argument & mask) == value,
 * mask 0 meaning the whole argument.  arg -1: no condition.
 */
enum sandbox_act {
	SANDBOX_ALLOW, SANDBOX_EPERM, SANDBOX_ENOSYS, SANDBOX_KILL
};

struct sandbox_call {
	const char		*name;
	enum sandbox_act	 act;
	int			 arg;
	uint64_t		 mask;
	uint64_t		 value;
};

/*
 * A filter: dflt for every call not listed; admin for the calls that
 * administer the machine, the same in every program: ptrace,
 * process_vm_readv/writev, mount and the new mount API, umount2,
 * pivot_root, chroot, kexec_*, init_module, finit_module, delete_module,
 * bpf, perf_event_open, keyctl, add_key, request_key, userfaultfd,
 * open_by_handle_at, name_to_handle_at, unshare, setns, reboot, swapon,
 * swapoff, acct, quotactl, iopl, ioperm, io_uring_*, settimeofday,
 * clock_settime, clock_adjtime, adjtimex, sethostname, setdomainname,
 * syslog, vhangup, fanotify_init, lookup_dcookie, uselib, personality,
 * and the obsolete module and sysctl calls; with dflt SANDBOX_ALLOW,
 * clone with a CLONE_NEW* flag too.  Then the table's rules.
 * clone3(2) always fails with ENOSYS (its flags cannot be inspected), so
 * the C library falls back to clone.
 * A build with AddressSanitizer allows the ptrace requests and the waits
 * LeakSanitizer uses to stop the threads at exit (PTRACE_ATTACH, _CONT,
 * _DETACH, _KILL, _GETREGS, _GETFPREGS, _GETREGSET, _PEEKUSER; wait4,
 * waitid); the other ptrace requests get admin.
 */
struct sandbox_filter {
	const char			*name;	/* for the log */
	enum sandbox_act		 dflt;
	enum sandbox_act		 admin;
	const struct sandbox_call	*calls;
	size_t				 ncalls;
};

/* Sets no_new_privs, then loads the filter into every thread.  0 or -1. */
int	sandbox_seccomp(const struct sandbox_filter *);

/* 1 unless LISTFEED_SANDBOX=off (then logged once). */
int	sandbox_wanted(void);

/*
 * What a policy calls: unless LISTFEED_SANDBOX=off, Landlock (not
 * strict: an unusable Landlock is logged, the program goes on with
 * seccomp), then the filter.  Frees the rules.  0, or -1: the caller
 * stops.
 */
int	sandbox_apply(struct sandbox_rules *, const struct sandbox_filter *);

#endif
