/* sandbox: see sandbox.h. */
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/landlock.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <seccomp.h>

#include "fsutil.h"
#include "log.h"
#include "sandbox.h"

#if defined(__SANITIZE_ADDRESS__)
#define LF_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LF_ASAN	1
#endif
#endif

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define ENV_SWITCH	"LISTFEED_SANDBOX"
#define ENV_ABI_MAX	"LF_LANDLOCK_ABI_MAX"

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

static const uint64_t ll_access[] = {
	[SANDBOX_RO] = LL_RO, [SANDBOX_RW] = LL_RW,
	[SANDBOX_EXEC] = LL_EXEC, [SANDBOX_RM] = LL_RM,
};

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

/* ----------------------------------------------------------- the rules */

void
sandbox_path(struct sandbox_rules *r, enum sandbox_access a,
    const char *path)
{
	if (path == NULL || path[0] == '\0')
		return;
	if (r->nfs >= NELEM(r->fs)) {
		log_warnx("sandbox: too many paths");
		r->failed = 1;
		return;
	}
	if ((r->fs[r->nfs].path = strdup(path)) == NULL) {
		log_warn("sandbox");
		r->failed = 1;
		return;
	}
	r->fs[r->nfs++].access = a;
}

void
sandbox_parent(struct sandbox_rules *r, enum sandbox_access a,
    const char *path)
{
	char		 d[PATH_MAX];
	const char	*s;

	if (path == NULL)
		return;
	if ((s = strrchr(path, '/')) == NULL) {
		sandbox_path(r, a, ".");
		return;
	}
	if (xsnprintf(d, sizeof(d), "%.*s", s == path ? 1 :
	    (int)(s - path), path) == -1) {
		log_warnx("sandbox: %s: path too long", path);
		r->failed = 1;
		return;
	}
	sandbox_path(r, a, d);
}

void
sandbox_port(struct sandbox_rules *r, unsigned long port)
{
	size_t	 i;

	for (i = 0; i < r->ntcp; i++)
		if (r->tcp[i] == port)
			return;
	if (port == 0 || port > 65535)
		return;
	if (r->ntcp >= NELEM(r->tcp)) {
		log_warnx("sandbox: too many ports");
		r->failed = 1;
		return;
	}
	r->tcp[r->ntcp++] = (unsigned short)port;
}

void
sandbox_rules_free(struct sandbox_rules *r)
{
	size_t	 i;

	for (i = 0; i < r->nfs; i++)
		free(r->fs[i].path);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------ Landlock */

/* LF_LANDLOCK_ABI_MAX as a number >= 1, else INT_MAX (logged once). */
static int
abi_max(void)
{
	static int	 said;
	const char	*v = getenv(ENV_ABI_MAX);
	char		*end;
	long		 n;

	if (v == NULL)
		return INT_MAX;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < 1 || n > INT_MAX) {
		if (!said++)
			log_warnx("sandbox: " ENV_ABI_MAX "=%s ignored: not "
			    "a number of at least 1", v);
		return INT_MAX;
	}
	return (int)n;
}

int
sandbox_landlock_abi(void)
{
	static int	 said;
	long		 v;
	int		 max;

	v = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (v <= 0)
		return 0;
	if ((max = abi_max()) < v) {
		if (!said++)
			log_info("sandbox: Landlock ABI %ld of the kernel "
			    "lowered to %d by " ENV_ABI_MAX, v, max);
		v = max;
	}
	return (int)v;
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
add_path(int rfd, const char *path, uint64_t access)
{
	struct landlock_path_beneath_attr pb;
	struct stat	 st;
	int		 fd, rc = -1;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1) {
		if (errno != ENOENT) {
			log_warn("sandbox: %s", path);
			return -1;
		}
		log_debug("sandbox: %s: absent, skipped", path);
		return 0;
	}
	if (fstat(fd, &st) == -1) {
		log_warn("sandbox: %s", path);
		goto out;
	}
	memset(&pb, 0, sizeof(pb));
	pb.parent_fd = fd;
	pb.allowed_access = S_ISDIR(st.st_mode) ? access : access & LL_FILE;
	if (syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH,
	    &pb, 0) == -1) {
		log_warn("sandbox: landlock rule for %s", path);
		goto out;
	}
	rc = 0;
out:
	(void)close(fd);
	return rc;
}

static int
add_port(int rfd, unsigned short port)
{
	struct ll_net_port_attr	 np;

	np.allowed_access = LL_NET_CONNECT_TCP;
	np.port = port;
	if (syscall(SYS_landlock_add_rule, rfd, LL_RULE_NET_PORT, &np,
	    0) == -1) {
		log_warn("sandbox: landlock rule for TCP port %u",
		    (unsigned)port);
		return -1;
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

/* A ruleset handling what abi knows, or -1 (logged). */
static int
ruleset(int abi)
{
	struct ll_ruleset_attr	 ra;
	size_t			 sz;
	int			 rfd;

	memset(&ra, 0, sizeof(ra));
	ra.handled_access_fs = fs_handled(abi);
	sz = sizeof(ra.handled_access_fs);
	if (abi >= 4) {
		ra.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		sz += sizeof(ra.handled_access_net);
	} else
		log_info("sandbox: Landlock ABI %d: TCP bind and connect "
		    "not restricted by port (ABI 4 needed)", abi);
	if (abi >= 6) {
		ra.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		sz += sizeof(ra.scoped);
	}
	if ((rfd = (int)syscall(SYS_landlock_create_ruleset, &ra, sz, 0))
	    == -1)
		log_warn("sandbox: landlock_create_ruleset");
	return rfd;
}

int
sandbox_landlock(const struct sandbox_rules *r, int strict)
{
	uint64_t	 h;
	size_t		 i;
	int		 abi, rfd;

	if (r->failed) {
		log_warnx("sandbox: the rules are incomplete");
		return -1;
	}
	if (no_new_privs() == -1)
		return -1;
	if ((abi = sandbox_landlock_abi()) == 0)
		return unusable(strict, "the kernel offers no Landlock");
	if (abi < 2 && r->refer)
		return unusable(strict, "Landlock ABI 1 cannot allow a rename "
		    "or link across directories");
	if ((rfd = ruleset(abi)) == -1)
		return -1;
	h = fs_handled(abi);
	for (i = 0; i < r->nfs; i++)
		if (add_path(rfd, r->fs[i].path, ll_access[r->fs[i].access] &
		    h) == -1)
			goto fail;
	for (i = 0; abi >= 4 && i < r->ntcp; i++)
		if (add_port(rfd, r->tcp[i]) == -1)
			goto fail;
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

/* ------------------------------------------------------------- seccomp */

/* The calls that administer the machine (sandbox.h). */
static const char *const admin[] = {
	"process_vm_readv", "process_vm_writev",
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

static const uint64_t clone_ns[] = { CLONE_NEWNS, CLONE_NEWUTS,
	CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
	CLONE_NEWCGROUP };

#ifdef LF_ASAN
/* LeakSanitizer's tracer stops the threads at exit and waits for them. */
static const long ptrace_lsan[] = {
	PTRACE_ATTACH, PTRACE_CONT, PTRACE_DETACH, PTRACE_KILL,
	PTRACE_GETREGS, PTRACE_GETFPREGS, PTRACE_GETREGSET, PTRACE_PEEKUSER,
};
static const char *const wait_lsan[] = { "wait4", "waitid" };
/* The other requests get admin. */
static const long ptrace_other[] = {
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

static uint32_t
action(enum sandbox_act a)
{
	switch (a) {
	case SANDBOX_ALLOW:
		return SCMP_ACT_ALLOW;
	case SANDBOX_EPERM:
		return SCMP_ACT_ERRNO(EPERM);
	case SANDBOX_ENOSYS:
		return SCMP_ACT_ERRNO(ENOSYS);
	case SANDBOX_KILL:
		break;
	}
	return SCMP_ACT_KILL_PROCESS;
}

/* Adds c to the filter whose default is dflt (a rule with the default
 * action is nothing to add: libseccomp refuses it). */
static int
rule(scmp_filter_ctx ctx, enum sandbox_act dflt, const struct sandbox_call *c)
{
	struct scmp_arg_cmp	 cmp;
	int			 nr, rc;

	if (c->act == dflt)
		return 0;
	/* Unknown here (another architecture, an older libseccomp). */
	if ((nr = seccomp_syscall_resolve_name(c->name)) == __NR_SCMP_ERROR)
		return 0;
	memset(&cmp, 0, sizeof(cmp));
	cmp.arg = c->arg < 0 ? 0 : (unsigned)c->arg;
	cmp.op = c->mask == 0 ? SCMP_CMP_EQ : SCMP_CMP_MASKED_EQ;
	cmp.datum_a = c->mask == 0 ? c->value : c->mask;
	cmp.datum_b = c->mask == 0 ? 0 : c->value;
	if ((rc = seccomp_rule_add_array(ctx, action(c->act), nr,
	    c->arg < 0 ? 0 : 1, &cmp)) < 0) {
		log_warnx("sandbox: seccomp rule for %s: %s", c->name,
		    strerror(-rc));
		return -1;
	}
	return 0;
}

static int
call(scmp_filter_ctx ctx, enum sandbox_act dflt, const char *name,
    enum sandbox_act act, int arg, uint64_t mask, uint64_t value)
{
	struct sandbox_call	 c = { name, act, arg, mask, value };

	return rule(ctx, dflt, &c);
}

/* What every filter holds besides its table. */
static int
common_rules(scmp_filter_ctx ctx, const struct sandbox_filter *f)
{
	size_t	 i;

	if (call(ctx, f->dflt, "clone3", SANDBOX_ENOSYS, -1, 0, 0) == -1)
		return -1;
	for (i = 0; i < NELEM(admin); i++)
		if (call(ctx, f->dflt, admin[i], f->admin, -1, 0, 0) == -1)
			return -1;
	for (i = 0; f->dflt == SANDBOX_ALLOW && i < NELEM(clone_ns); i++)
		if (call(ctx, f->dflt, "clone", f->admin, 0, clone_ns[i],
		    clone_ns[i]) == -1)
			return -1;
#ifdef LF_ASAN
	for (i = 0; i < NELEM(ptrace_lsan); i++)
		if (call(ctx, f->dflt, "ptrace", SANDBOX_ALLOW, 0, 0,
		    (uint64_t)ptrace_lsan[i]) == -1)
			return -1;
	for (i = 0; i < NELEM(ptrace_other); i++)
		if (call(ctx, f->dflt, "ptrace", f->admin, 0, 0,
		    (uint64_t)ptrace_other[i]) == -1)
			return -1;
	for (i = 0; i < NELEM(wait_lsan); i++)
		if (call(ctx, f->dflt, wait_lsan[i], SANDBOX_ALLOW, -1, 0, 0)
		    == -1)
			return -1;
#else
	if (call(ctx, f->dflt, "ptrace", f->admin, -1, 0, 0) == -1)
		return -1;
#endif
	return 0;
}

int
sandbox_seccomp(const struct sandbox_filter *f)
{
	scmp_filter_ctx	 ctx;
	size_t		 i;
	int		 rc;

	if (no_new_privs() == -1)
		return -1;
	if ((ctx = seccomp_init(action(f->dflt))) == NULL) {
		log_warnx("sandbox: seccomp_init failed");
		return -1;
	}
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) < 0) {
		log_warnx("sandbox: seccomp thread sync: %s", strerror(-rc));
		goto fail;
	}
	if (common_rules(ctx, f) == -1)
		goto fail;
	for (i = 0; i < f->ncalls; i++)
		if (rule(ctx, f->dflt, &f->calls[i]) == -1)
			goto fail;
	if ((rc = seccomp_load(ctx)) < 0) {
		log_warnx("sandbox: seccomp_load: %s", strerror(-rc));
		goto fail;
	}
	seccomp_release(ctx);
	log_debug("sandbox: seccomp filter %s loaded", f->name);
	return 0;
fail:
	seccomp_release(ctx);
	return -1;
}

int
sandbox_apply(struct sandbox_rules *r, const struct sandbox_filter *f)
{
	int	 rc = 0;

	if (sandbox_wanted() && (sandbox_landlock(r, 0) == -1 ||
	    sandbox_seccomp(f) == -1))
		rc = -1;
	sandbox_rules_free(r);
	return rc;
}
