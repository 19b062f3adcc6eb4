/* csandbox: see csandbox.h. */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "csandbox.h"
#include "sandbox.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Allowed without conditions. */
#define ALLOW(name)	{ name, SANDBOX_ALLOW, -1, 0, 0 }
/* Allowed when argument arg equals v. */
#define ALLOW_EQ(name, arg, v)	{ name, SANDBOX_ALLOW, arg, 0, v }
/* Allowed when argument arg has the bits of mask set as in v. */
#define ALLOW_BITS(name, arg, mask, v)	{ name, SANDBOX_ALLOW, arg, mask, v }

#define WR_FLAGS	(O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)

static const struct sandbox_call calls[] = {
	/* files and descriptors (paths: Landlock) */
	ALLOW("read"), ALLOW("readv"), ALLOW("pread64"), ALLOW("preadv"),
	ALLOW("preadv2"), ALLOW("write"), ALLOW("writev"), ALLOW("pwrite64"),
	ALLOW("close"), ALLOW("close_range"), ALLOW("fstat"),
	ALLOW("newfstatat"), ALLOW("stat"), ALLOW("lstat"), ALLOW("statx"),
	ALLOW("lseek"), ALLOW("fcntl"), ALLOW("dup"), ALLOW("dup2"),
	ALLOW("dup3"), ALLOW("getdents"), ALLOW("getdents64"),
	ALLOW("readlink"), ALLOW("readlinkat"), ALLOW("access"),
	ALLOW("faccessat"), ALLOW("faccessat2"), ALLOW("getcwd"),
	ALLOW("unlink"), ALLOW("unlinkat"), ALLOW("fadvise64"),
	ALLOW("inotify_add_watch"), ALLOW("inotify_rm_watch"),
	ALLOW_BITS("openat", 2, WR_FLAGS, 0),
	ALLOW_BITS("open", 1, WR_FLAGS, 0),
	ALLOW_EQ("ioctl", 1, TCGETS), ALLOW_EQ("ioctl", 1, FIONREAD),
	ALLOW_EQ("ioctl", 1, FIONBIO),
	/* sockets */
	ALLOW_EQ("socket", 0, AF_UNIX),
	ALLOW("accept"), ALLOW("accept4"), ALLOW("connect"), ALLOW("shutdown"),
	ALLOW("getsockname"), ALLOW("getpeername"), ALLOW("getsockopt"),
	ALLOW("setsockopt"), ALLOW("sendto"), ALLOW("sendmsg"),
	ALLOW("recvfrom"), ALLOW("recvmsg"), ALLOW("poll"), ALLOW("ppoll"),
	ALLOW("select"), ALLOW("pselect6"), ALLOW("epoll_create1"),
	ALLOW("epoll_ctl"), ALLOW("epoll_wait"), ALLOW("epoll_pwait"),
	/* memory, never executable */
	ALLOW("brk"), ALLOW("munmap"), ALLOW("mremap"), ALLOW("madvise"),
	ALLOW("mincore"), ALLOW("membarrier"),
	ALLOW_BITS("mmap", 2, PROT_EXEC, 0),
	ALLOW_BITS("mprotect", 2, PROT_EXEC, 0),
	/* threads (no fork), time, signals */
	ALLOW_BITS("clone", 0, CLONE_VM, CLONE_VM),
	ALLOW("futex"), ALLOW("futex_waitv"), ALLOW("set_robust_list"),
	ALLOW("get_robust_list"), ALLOW("rseq"), ALLOW("set_tid_address"),
	ALLOW("sched_yield"), ALLOW("sched_getaffinity"),
	ALLOW("sched_getparam"), ALLOW("sched_getscheduler"), ALLOW("exit"),
	ALLOW("exit_group"), ALLOW("nanosleep"), ALLOW("clock_nanosleep"),
	ALLOW("clock_gettime"), ALLOW("clock_getres"), ALLOW("gettimeofday"),
	ALLOW("time"), ALLOW("rt_sigaction"), ALLOW("rt_sigprocmask"),
	ALLOW("rt_sigreturn"), ALLOW("rt_sigtimedwait"),
	ALLOW("rt_sigpending"), ALLOW("rt_sigsuspend"), ALLOW("sigaltstack"),
	ALLOW("restart_syscall"), ALLOW("getrandom"),
	ALLOW("getpid"), ALLOW("gettid"), ALLOW("getppid"), ALLOW("getuid"),
	ALLOW("geteuid"), ALLOW("getgid"), ALLOW("getegid"),
	ALLOW("getresuid"), ALLOW("getresgid"), ALLOW("getgroups"),
	ALLOW("uname"), ALLOW("getrlimit"), ALLOW("getrusage"),
	ALLOW("sysinfo"), ALLOW("times"),
	ALLOW_EQ("prlimit64", 2, 0),
	ALLOW_EQ("prctl", 0, PR_SET_NAME), ALLOW_EQ("prctl", 0, PR_GET_NAME),
	ALLOW_EQ("prctl", 0, PR_GET_DUMPABLE),
	ALLOW_EQ("prctl", 0, PR_SET_DUMPABLE),
	ALLOW_EQ("prctl", 0, PR_SET_PDEATHSIG),
	ALLOW_EQ("prctl", 0, PR_SET_PTRACER),
	ALLOW_EQ("prctl", 0, PR_GET_NO_NEW_PRIVS),
	ALLOW_EQ("prctl", 0, PR_GET_SECCOMP),
	/* never */
	{ "execve", SANDBOX_KILL, -1, 0, 0 },
	{ "execveat", SANDBOX_KILL, -1, 0, 0 },
};

int
csandbox_apply(const struct lf_config *cfg, const char *conffile,
    const char *sockpath)
{
	struct sandbox_call	 v[NELEM(calls) + 2];
	struct sandbox_filter	 f = { "fcgi", SANDBOX_EPERM, SANDBOX_KILL,
	    v, 0 };
	struct sandbox_rules	 r;
	const uint64_t		 me = (uint64_t)getpid();

	if (!sandbox_wanted())
		return 0;
	/* Signals only to itself: a rule on this process's id. */
	memcpy(v, calls, sizeof(calls));
	f.ncalls = NELEM(calls);
	v[f.ncalls++] = (struct sandbox_call)ALLOW_EQ("kill", 0, me);
	v[f.ncalls++] = (struct sandbox_call)ALLOW_EQ("tgkill", 0, me);

	memset(&r, 0, sizeof(r));
	sandbox_path(&r, SANDBOX_RO, cfg->feed_dir);
	sandbox_parent(&r, SANDBOX_RO, conffile);
	sandbox_path(&r, SANDBOX_RO, cfg->templates);
	sandbox_path(&r, SANDBOX_RO, "/etc/localtime");
	sandbox_path(&r, SANDBOX_RO, "/usr/share/zoneinfo");
	sandbox_path(&r, SANDBOX_RO, "/proc/self");
	sandbox_path(&r, SANDBOX_RO, "/sys/devices/system/cpu");
	sandbox_parent(&r, SANDBOX_RM, sockpath);
	return sandbox_apply(&r, &f);
}
