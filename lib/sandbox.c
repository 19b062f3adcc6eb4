/* sandbox: see sandbox.h. */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/landlock.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <seccomp.h>

#include "conf.h"
#include "fsutil.h"
#include "log.h"
#include "optfile.h"
#include "sandbox.h"

#ifndef LF_TEMPLATES_DIR
#define LF_TEMPLATES_DIR	"/usr/local/share/listfeed/templates"
#endif

#if defined(__SANITIZE_ADDRESS__)
#define LF_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LF_ASAN	1
#endif
#endif

/* Landlock beyond the headers of Debian 12 (Linux 6.1). */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)
#endif
#define LL_NET_BIND_TCP		(1ULL << 0)
#define LL_NET_CONNECT_TCP	(1ULL << 1)
#define LL_RULE_NET_PORT	2
#define LL_SCOPE_ABSTRACT_UNIX	(1ULL << 0)
#define LL_SCOPE_SIGNAL		(1ULL << 1)

/* struct landlock_ruleset_attr as of ABI 6; the size passed says how
 * much of it the kernel reads. */
struct ll_ruleset_attr {
	uint64_t	 handled_access_fs;
	uint64_t	 handled_access_net;	/* ABI >= 4 */
	uint64_t	 scoped;		/* ABI >= 6 */
};

struct ll_net_port_attr {
	uint64_t	 allowed_access;
	uint64_t	 port;
};

#define LL_RO	(LANDLOCK_ACCESS_FS_READ_FILE | \
	LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_EXEC	(LL_RO | LANDLOCK_ACCESS_FS_EXECUTE)
#define LL_RW	(LL_RO | LANDLOCK_ACCESS_FS_WRITE_FILE | \
	LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE | \
	LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | \
	LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | \
	LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REFER | \
	LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)
#define LL_RM	LANDLOCK_ACCESS_FS_REMOVE_FILE
/* The rights a rule on a file (not a directory) may carry. */
#define LL_FILE	(LANDLOCK_ACCESS_FS_EXECUTE | \
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE | \
	LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

#define ENV_SWITCH	"LISTFEED_SANDBOX"

int
sandbox_wanted(void)
{
	static int	 said;
	const char	*v = getenv(ENV_SWITCH);

	if (v == NULL || strcmp(v, "off") != 0)
		return 1;
	if (!said++)
		log_warnx("sandbox disabled by " ENV_SWITCH "=off");
	return 0;
}

static int
no_new_privs(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("prctl(PR_SET_NO_NEW_PRIVS)");
		return -1;
	}
	return 0;
}

int
sandbox_landlock_abi(void)
{
	long	 v;

	v = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	return v < 0 ? 0 : (int)v;
}

/* The file-system rights an ABI knows. */
static uint64_t
fs_handled(int abi)
{
	uint64_t h = LL_EXEC | LL_RW | LANDLOCK_ACCESS_FS_MAKE_CHAR |
	    LANDLOCK_ACCESS_FS_MAKE_BLOCK;

	if (abi < 2)
		h &= ~LANDLOCK_ACCESS_FS_REFER;
	if (abi < 3)
		h &= ~LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi < 5)
		h &= ~LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return h;
}

static int
add_paths(int rfd, const char *const *v, size_t n, uint64_t access,
    uint64_t handled)
{
	struct landlock_path_beneath_attr pb;
	struct stat	 st;
	size_t		 i;
	int		 fd;

	for (i = 0; i < n; i++) {
		if (v[i] == NULL || v[i][0] == '\0')
			continue;
		if ((fd = open(v[i], O_PATH | O_CLOEXEC)) == -1) {
			if (errno == ENOENT) {
				log_debug("sandbox: %s: absent, skipped", v[i]);
				continue;
			}
			log_warn("sandbox: %s", v[i]);
			return -1;
		}
		if (fstat(fd, &st) == -1) {
			log_warn("sandbox: %s", v[i]);
			(void)close(fd);
			return -1;
		}
		memset(&pb, 0, sizeof(pb));
		pb.parent_fd = fd;
		pb.allowed_access = access & handled;
		if (!S_ISDIR(st.st_mode))
			pb.allowed_access &= LL_FILE;
		if (syscall(SYS_landlock_add_rule, rfd,
		    LANDLOCK_RULE_PATH_BENEATH, &pb, 0) == -1) {
			log_warn("sandbox: landlock rule for %s", v[i]);
			(void)close(fd);
			return -1;
		}
		(void)close(fd);
	}
	return 0;
}

static int
unusable(int strict, const char *why)
{
	static int	 said;

	if (strict) {
		log_warnx("sandbox: %s", why);
		return -1;
	}
	if (!said++)
		log_warnx("sandbox: %s; going on without it", why);
	return 1;
}

int
sandbox_landlock(const struct sandbox_paths *p, int strict)
{
	struct ll_ruleset_attr	 ra;
	struct ll_net_port_attr	 np;
	size_t			 sz, i;
	uint64_t		 h;
	int			 abi, rfd;

	if (no_new_privs() == -1)
		return -1;
	if ((abi = sandbox_landlock_abi()) == 0)
		return unusable(strict, "the kernel offers no Landlock");
	if (abi < 2 && p->nrw > 0)
		return unusable(strict, "Landlock ABI 1 cannot allow links "
		    "across directories");

	memset(&ra, 0, sizeof(ra));
	h = ra.handled_access_fs = fs_handled(abi);
	sz = sizeof(ra.handled_access_fs);
	if (abi >= 4) {
		ra.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		sz += sizeof(ra.handled_access_net);
	}
	if (abi >= 6) {
		ra.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		sz += sizeof(ra.scoped);
	}
	if ((rfd = (int)syscall(SYS_landlock_create_ruleset, &ra, sz, 0))
	    == -1) {
		log_warn("sandbox: landlock_create_ruleset");
		return -1;
	}
	if (add_paths(rfd, p->ro, p->nro, LL_RO, h) == -1 ||
	    add_paths(rfd, p->rw, p->nrw, LL_RW, h) == -1 ||
	    add_paths(rfd, p->exec, p->nexec, LL_EXEC, h) == -1 ||
	    add_paths(rfd, p->rm, p->nrm, LL_RM, h) == -1)
		goto fail;
	for (i = 0; abi >= 4 && i < p->ntcp; i++) {
		np.allowed_access = LL_NET_CONNECT_TCP;
		np.port = p->tcp[i];
		if (syscall(SYS_landlock_add_rule, rfd, LL_RULE_NET_PORT, &np,
		    0) == -1) {
			log_warn("sandbox: landlock rule for TCP port %u",
			    (unsigned)p->tcp[i]);
			goto fail;
		}
	}
	if (syscall(SYS_landlock_restrict_self, rfd, 0) == -1) {
		log_warn("sandbox: landlock_restrict_self");
		goto fail;
	}
	(void)close(rfd);
	log_debug("sandbox: Landlock ABI %d applied", abi);
	return 0;
fail:
	(void)close(rfd);
	return -1;
}

/* ---------------------------------------------------------------- seccomp */

/* Killed at once in the responder, EPERM in the generator. */
static const char *const deny_always[] = {
	"ptrace", "process_vm_readv", "process_vm_writev",
	"mount", "umount", "umount2", "pivot_root", "chroot",
	"move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick",
	"mount_setattr",
	"kexec_load", "kexec_file_load", "init_module", "finit_module",
	"delete_module", "bpf", "perf_event_open", "keyctl", "add_key",
	"request_key", "userfaultfd", "open_by_handle_at",
	"name_to_handle_at", "unshare", "setns", "reboot", "swapon",
	"swapoff", "acct", "quotactl", "quotactl_fd", "iopl", "ioperm",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	"settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
	"sethostname", "setdomainname", "syslog", "vhangup",
	"fanotify_init", "lookup_dcookie", "uselib", "personality",
	"nfsservctl", "_sysctl", "create_module", "get_kernel_syms",
	"query_module",
};

/* Also killed in the responder. */
static const char *const fcgi_kill[] = { "execve", "execveat" };

/* What the responder may do once serving, without conditions. */
static const char *const fcgi_allow[] = {
	/* files and descriptors (paths: Landlock) */
	"read", "readv", "pread64", "preadv", "preadv2", "write", "writev",
	"pwrite64", "close", "close_range", "fstat", "newfstatat", "stat",
	"lstat", "statx", "lseek", "fcntl", "dup", "dup2", "dup3",
	"getdents", "getdents64", "readlink", "readlinkat", "access",
	"faccessat", "faccessat2", "getcwd", "unlink", "unlinkat",
	"fadvise64",
	/* sockets */
	"accept", "accept4", "connect", "shutdown", "getsockname",
	"getpeername", "getsockopt", "setsockopt", "sendto", "sendmsg",
	"recvfrom", "recvmsg", "poll", "ppoll", "select", "pselect6",
	"epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
	/* memory */
	"brk", "munmap", "mremap", "madvise", "mincore", "membarrier",
	/* threads, time, signals */
	"futex", "futex_waitv", "set_robust_list", "get_robust_list", "rseq",
	"set_tid_address", "sched_yield", "sched_getaffinity",
	"sched_getparam", "sched_getscheduler", "exit", "exit_group",
	"nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres",
	"gettimeofday", "time", "rt_sigaction", "rt_sigprocmask",
	"rt_sigreturn", "rt_sigtimedwait", "rt_sigpending", "rt_sigsuspend",
	"sigaltstack", "restart_syscall", "getrandom",
	"getpid", "gettid", "getppid", "getuid", "geteuid", "getgid",
	"getegid", "getresuid", "getresgid", "getgroups", "uname",
	"getrlimit", "getrusage", "sysinfo", "times",
	/* LeakSanitizer's tracer waits for the threads it stops */
	"wait4", "waitid",
};

static const long prctl_ok[] = {
	PR_SET_NAME, PR_GET_NAME, PR_GET_DUMPABLE, PR_SET_DUMPABLE,
	PR_SET_PDEATHSIG, PR_SET_PTRACER, PR_GET_NO_NEW_PRIVS,
	PR_GET_SECCOMP,
};

static const unsigned long ioctl_ok[] = { TCGETS, FIONREAD, FIONBIO };

#ifdef LF_ASAN
static const long ptrace_lsan[] = {
	PTRACE_ATTACH, PTRACE_CONT, PTRACE_DETACH, PTRACE_KILL,
	PTRACE_GETREGS, PTRACE_GETFPREGS, PTRACE_GETREGSET, PTRACE_PEEKUSER,
};
/* The other requests, refused (GEN) or killed (FCGI). */
static const long ptrace_deny[] = {
	PTRACE_TRACEME, PTRACE_PEEKTEXT, PTRACE_PEEKDATA,
	PTRACE_POKETEXT, PTRACE_POKEDATA, PTRACE_POKEUSER,
	PTRACE_SETREGS, PTRACE_SETFPREGS, PTRACE_SETREGSET,
	PTRACE_SEIZE, PTRACE_INTERRUPT, PTRACE_SETOPTIONS,
	PTRACE_SYSCALL, PTRACE_SINGLESTEP, PTRACE_GETSIGINFO,
	PTRACE_SETSIGINFO, PTRACE_LISTEN, PTRACE_PEEKSIGINFO,
	PTRACE_GETEVENTMSG, PTRACE_SECCOMP_GET_FILTER,
	PTRACE_GET_SYSCALL_INFO,
};
#endif

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* SCMP_An(SCMP_CMP_EQ, v) with every field named. */
static struct scmp_arg_cmp
cmp_eq(unsigned arg, scmp_datum_t v)
{
	struct scmp_arg_cmp c = { arg, SCMP_CMP_EQ, v, 0 };

	return c;
}

static int
rule(scmp_filter_ctx ctx, uint32_t action, const char *name,
    unsigned nargs, ...)
{
	struct scmp_arg_cmp	 cmp[2];
	va_list			 ap;
	unsigned		 i;
	int			 nr, rc;

	/* Unknown here (another architecture, an older libseccomp). */
	if ((nr = seccomp_syscall_resolve_name(name)) == __NR_SCMP_ERROR)
		return 0;
	va_start(ap, nargs);
	for (i = 0; i < nargs && i < NELEM(cmp); i++)
		cmp[i] = va_arg(ap, struct scmp_arg_cmp);
	va_end(ap);
	if ((rc = seccomp_rule_add_array(ctx, action, nr, i, cmp)) < 0) {
		log_warnx("sandbox: seccomp rule for %s: %s", name,
		    strerror(-rc));
		return -1;
	}
	return 0;
}

static int
rules(scmp_filter_ctx ctx, uint32_t action, const char *const *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (rule(ctx, action, v[i], 0) == -1)
			return -1;
	return 0;
}

#ifdef LF_ASAN
/* LeakSanitizer's requests allowed (unless that is the default), the
 * others get deny. */
static int
ptrace_for_lsan(scmp_filter_ctx ctx, uint32_t deny, int allow)
{
	size_t	 i;

	for (i = 0; allow && i < NELEM(ptrace_lsan); i++)
		if (rule(ctx, SCMP_ACT_ALLOW, "ptrace", 1,
		    cmp_eq(0, (scmp_datum_t)ptrace_lsan[i])) == -1)
			return -1;
	for (i = 0; i < NELEM(ptrace_deny); i++)
		if (rule(ctx, deny, "ptrace", 1,
		    cmp_eq(0, (scmp_datum_t)ptrace_deny[i])) == -1)
			return -1;
	return 0;
}
#endif

static int
fcgi_rules(scmp_filter_ctx ctx)
{
	const scmp_datum_t	 wr = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC |
	    O_APPEND;
	const scmp_datum_t	 me = (scmp_datum_t)getpid();
	size_t			 i;

	if (rules(ctx, SCMP_ACT_ALLOW, fcgi_allow, NELEM(fcgi_allow)) == -1 ||
	    rules(ctx, SCMP_ACT_KILL_PROCESS, fcgi_kill, NELEM(fcgi_kill))
	    == -1)
		return -1;
#ifdef LF_ASAN
	if (ptrace_for_lsan(ctx, SCMP_ACT_KILL_PROCESS, 1) == -1)
		return -1;
	for (i = 0; i < NELEM(deny_always); i++)
		if (strcmp(deny_always[i], "ptrace") != 0 &&
		    rule(ctx, SCMP_ACT_KILL_PROCESS, deny_always[i], 0) == -1)
			return -1;
#else
	if (rules(ctx, SCMP_ACT_KILL_PROCESS, deny_always,
	    NELEM(deny_always)) == -1)
		return -1;
#endif
	for (i = 0; i < NELEM(prctl_ok); i++)
		if (rule(ctx, SCMP_ACT_ALLOW, "prctl", 1,
		    cmp_eq(0, (scmp_datum_t)prctl_ok[i])) == -1)
			return -1;
	for (i = 0; i < NELEM(ioctl_ok); i++)
		if (rule(ctx, SCMP_ACT_ALLOW, "ioctl", 1,
		    cmp_eq(1, (scmp_datum_t)ioctl_ok[i])) == -1)
			return -1;
	if (rule(ctx, SCMP_ACT_ALLOW, "socket", 1,
	    cmp_eq(0, AF_UNIX)) == -1 ||
	    rule(ctx, SCMP_ACT_ALLOW, "openat", 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, wr, 0)) == -1 ||
	    rule(ctx, SCMP_ACT_ALLOW, "open", 1,
	    SCMP_A1(SCMP_CMP_MASKED_EQ, wr, 0)) == -1 ||
	    rule(ctx, SCMP_ACT_ALLOW, "clone", 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_VM, CLONE_VM)) == -1 ||
	    rule(ctx, SCMP_ACT_ALLOW, "mmap", 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) == -1 ||
	    rule(ctx, SCMP_ACT_ALLOW, "mprotect", 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) == -1 ||
	    rule(ctx, SCMP_ACT_ALLOW, "kill", 1,
	    cmp_eq(0, me)) == -1 ||
	    rule(ctx, SCMP_ACT_ALLOW, "tgkill", 1,
	    cmp_eq(0, me)) == -1 ||
	    rule(ctx, SCMP_ACT_ALLOW, "prlimit64", 1,
	    cmp_eq(2, 0)) == -1)
		return -1;
	return 0;
}

static int
gen_rules(scmp_filter_ctx ctx)
{
	static const scmp_datum_t ns[] = { CLONE_NEWNS, CLONE_NEWUTS,
	    CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
	    CLONE_NEWCGROUP };
	size_t	 i;

#ifdef LF_ASAN
	if (ptrace_for_lsan(ctx, SCMP_ACT_ERRNO(EPERM), 0) == -1)
		return -1;
	for (i = 0; i < NELEM(deny_always); i++)
		if (strcmp(deny_always[i], "ptrace") != 0 &&
		    rule(ctx, SCMP_ACT_ERRNO(EPERM), deny_always[i], 0) == -1)
			return -1;
#else
	if (rules(ctx, SCMP_ACT_ERRNO(EPERM), deny_always,
	    NELEM(deny_always)) == -1)
		return -1;
#endif
	for (i = 0; i < NELEM(ns); i++)
		if (rule(ctx, SCMP_ACT_ERRNO(EPERM), "clone", 1,
		    SCMP_A0(SCMP_CMP_MASKED_EQ, ns[i], ns[i])) == -1)
			return -1;
	return 0;
}

int
sandbox_seccomp(enum sandbox_profile profile)
{
	scmp_filter_ctx	 ctx;
	int		 rc;

	if (no_new_privs() == -1)
		return -1;
	ctx = seccomp_init(profile == SANDBOX_FCGI ? SCMP_ACT_ERRNO(EPERM) :
	    SCMP_ACT_ALLOW);
	if (ctx == NULL) {
		log_warnx("sandbox: seccomp_init failed");
		return -1;
	}
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) < 0) {
		log_warnx("sandbox: seccomp thread sync: %s", strerror(-rc));
		goto fail;
	}
	if (rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0) == -1 ||
	    (profile == SANDBOX_FCGI ? fcgi_rules(ctx) : gen_rules(ctx)) == -1)
		goto fail;
	if ((rc = seccomp_load(ctx)) < 0) {
		log_warnx("sandbox: seccomp_load: %s", strerror(-rc));
		goto fail;
	}
	seccomp_release(ctx);
	log_debug("sandbox: seccomp %s profile loaded",
	    profile == SANDBOX_FCGI ? "fcgi" : "gen");
	return 0;
fail:
	seccomp_release(ctx);
	return -1;
}

/* ------------------------------------------------------- the two programs */

#define MAXPATHS	32
#define MAXPORTS	8

/* Paths and ports gathered for one program; strings owned. */
struct plist {
	char		*ro[MAXPATHS], *rw[MAXPATHS], *exec[MAXPATHS];
	char		*rm[MAXPATHS];
	size_t		 nro, nrw, nexec, nrm;
	unsigned short	 tcp[MAXPORTS];
	size_t		 ntcp;
	int		 failed;
};

static void
pl_add(struct plist *pl, char **v, size_t *n, const char *path)
{
	if (path == NULL || path[0] == '\0')
		return;
	if (*n >= MAXPATHS) {
		log_warnx("sandbox: too many paths");
		pl->failed = 1;
		return;
	}
	if ((v[*n] = strdup(path)) == NULL) {
		log_warn("sandbox");
		pl->failed = 1;
		return;
	}
	(*n)++;
}

/* The directory of path ("." for a bare name). */
static void
pl_add_dir(struct plist *pl, char **v, size_t *n, const char *path)
{
	char		 d[PATH_MAX];
	const char	*s;

	if (path == NULL)
		return;
	if ((s = strrchr(path, '/')) == NULL) {
		pl_add(pl, v, n, ".");
		return;
	}
	if (xsnprintf(d, sizeof(d), "%.*s", s == path ? 1 :
	    (int)(s - path), path) == -1) {
		log_warnx("sandbox: %s: path too long", path);
		pl->failed = 1;
		return;
	}
	pl_add(pl, v, n, d);
}

static void
pl_add_port(struct plist *pl, unsigned long port)
{
	size_t	 i;

	for (i = 0; i < pl->ntcp; i++)
		if (pl->tcp[i] == port)
			return;
	if (pl->ntcp < MAXPORTS && port > 0 && port <= 65535)
		pl->tcp[pl->ntcp++] = (unsigned short)port;
}

static void
pl_free(struct plist *pl)
{
	size_t	 i;

	for (i = 0; i < pl->nro; i++)
		free(pl->ro[i]);
	for (i = 0; i < pl->nrw; i++)
		free(pl->rw[i]);
	for (i = 0; i < pl->nexec; i++)
		free(pl->exec[i]);
	for (i = 0; i < pl->nrm; i++)
		free(pl->rm[i]);
	memset(pl, 0, sizeof(*pl));
}

static int
pl_apply(struct plist *pl, enum sandbox_profile profile)
{
	struct sandbox_paths	 p;
	int			 rc = -1;

	if (pl->failed)
		goto out;
	p.ro = (const char *const *)pl->ro;
	p.nro = pl->nro;
	p.rw = (const char *const *)pl->rw;
	p.nrw = pl->nrw;
	p.exec = (const char *const *)pl->exec;
	p.nexec = pl->nexec;
	p.rm = (const char *const *)pl->rm;
	p.nrm = pl->nrm;
	p.tcp = pl->tcp;
	p.ntcp = pl->ntcp;
	if (sandbox_landlock(&p, 0) == -1 || sandbox_seccomp(profile) == -1)
		goto out;
	rc = 0;
out:
	pl_free(pl);
	return rc;
}

int
sandbox_fcgi_apply(const struct lf_config *cfg, const char *conffile,
    const char *sockpath)
{
	struct plist	 pl;

	if (!sandbox_wanted())
		return 0;
	memset(&pl, 0, sizeof(pl));
	pl_add(&pl, pl.ro, &pl.nro, cfg->feed_dir);
	pl_add_dir(&pl, pl.ro, &pl.nro, conffile);
	pl_add(&pl, pl.ro, &pl.nro, cfg->templates != NULL ?
	    cfg->templates : LF_TEMPLATES_DIR);
	pl_add(&pl, pl.ro, &pl.nro, "/etc/localtime");
	pl_add(&pl, pl.ro, &pl.nro, "/usr/share/zoneinfo");
	pl_add(&pl, pl.ro, &pl.nro, "/proc/self");
	pl_add(&pl, pl.ro, &pl.nro, "/sys/devices/system/cpu");
	if (sockpath != NULL)
		pl_add_dir(&pl, pl.rm, &pl.nrm, sockpath);
	return pl_apply(&pl, SANDBOX_FCGI);
}

/*
 * The MariaDB option file (optfile.h): the directories of the files it
 * names, and its port.  A file optfile refuses adds only the default
 * port: gen/db.c refuses it again, and says why, before connecting.
 */
static void
optfile_paths(struct plist *pl, const struct lf_config *cfg)
{
	static const enum optfile_key files[] = { OPTFILE_SSL_CA,
	    OPTFILE_SSL_CERT, OPTFILE_SSL_KEY, OPTFILE_SSL_CRL };
	static const enum optfile_key dirs[] = { OPTFILE_SSL_CAPATH,
	    OPTFILE_SSL_CRLPATH };
	struct optfile	 of;
	char		*data;
	size_t		 len, i;

	memset(&of, 0, sizeof(of));
	if (read_file(cfg->defaults_file, OPTFILE_MAX, &data, &len) == 0) {
		if (optfile_parse(cfg->defaults_file, data, len, cfg->group,
		    OPTFILE_QUIET, &of) == -1)
			optfile_free(&of);
		explicit_bzero(data, len);
		free(data);
	}
	pl_add_port(pl, optfile_port(&of));
	for (i = 0; i < NELEM(files); i++)
		pl_add_dir(pl, pl->ro, &pl->nro, of.val[files[i]]);
	for (i = 0; i < NELEM(dirs); i++)
		pl_add(pl, pl->ro, &pl->nro, of.val[dirs[i]]);
	optfile_free(&of);
}

int
sandbox_gen_apply(const struct lf_config *cfg, const char *conffile)
{
	struct plist	 pl;
	struct passwd	*pw;
	const char	*home;
	char		 path[PATH_MAX];

	if (!sandbox_wanted())
		return 0;
	memset(&pl, 0, sizeof(pl));
	pl_add(&pl, pl.exec, &pl.nexec, "/usr");

	pl_add(&pl, pl.ro, &pl.nro, "/etc");
	pl_add(&pl, pl.ro, &pl.nro, conffile);
	pl_add(&pl, pl.ro, &pl.nro, cfg->templates != NULL ?
	    cfg->templates : LF_TEMPLATES_DIR);
	if (cfg->defaults_file != NULL) {
		pl_add_dir(&pl, pl.ro, &pl.nro, cfg->defaults_file);
		optfile_paths(&pl, cfg);
	}
	pl_add(&pl, pl.ro, &pl.nro, "/run/systemd/resolve");
	pl_add(&pl, pl.ro, &pl.nro, "/proc");
	pl_add(&pl, pl.ro, &pl.nro, "/sys/devices/system/cpu");
	pl_add(&pl, pl.ro, &pl.nro, "/dev/urandom");
	pl_add(&pl, pl.ro, &pl.nro, "/dev/random");
	pl_add_port(&pl, 53);

	/* The feed directory must exist to be named. */
	if (cfg->feed_dir != NULL && mkdir_p(cfg->feed_dir, 0755) == -1) {
		pl_free(&pl);
		return -1;
	}
	pl_add(&pl, pl.rw, &pl.nrw, cfg->feed_dir);
	if ((home = cfg->gpg_home) == NULL &&
	    (home = getenv("GNUPGHOME")) == NULL) {
		if ((home = getenv("HOME")) == NULL &&
		    (pw = getpwuid(getuid())) != NULL)
			home = pw->pw_dir;
		if (home != NULL && xsnprintf(path, sizeof(path), "%s/.gnupg",
		    home) != -1)
			home = path;
		else
			home = NULL;
	}
	pl_add(&pl, pl.rw, &pl.nrw, home);
	if (xsnprintf(path, sizeof(path), "/run/user/%u",
	    (unsigned)getuid()) != -1)
		pl_add(&pl, pl.rw, &pl.nrw, path);
	if (cfg->trigger_socket != NULL)
		pl_add_dir(&pl, pl.rw, &pl.nrw, cfg->trigger_socket);
	pl_add(&pl, pl.rw, &pl.nrw, "/dev/null");
	return pl_apply(&pl, SANDBOX_GEN);
}
