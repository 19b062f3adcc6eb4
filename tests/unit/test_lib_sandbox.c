/*
 * Unit test of lib/sandbox.c, the mechanism: Landlock rules from a path
 * list, what each Landlock ABI enforces (LF_LANDLOCK_ABI_MAX lowers it
 * to what an older kernel offers), seccomp filters from a rule table.
 * The programs' policies: test_cgi_csandbox.c, test_gen_gsandbox.c.
 * Cases that need Landlock (or a given ABI) are skipped without it.
 */
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <netinet/in.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sched.h>
#include <signal.h>

#include <cmocka.h>

#include "sandboxtest.h"

/* The Landlock ABI of the kernel, before any cap. */
static int	 kernel_abi;

static void
rules_fs(struct sandbox_rules *r, enum sandbox_access a, const char *p1,
    const char *p2)
{
	memset(r, 0, sizeof(*r));
	sandbox_path(r, a, p1);
	sandbox_path(r, a, p2);
}

/* Read-only rules: read, and nothing more. */
static int
c_landlock_ro(void)
{
	struct sandbox_rules r;

	rules_fs(&r, SANDBOX_RO, sbt_feed, sbt_etc);
	if (sandbox_landlock(&r, 1) != 0)
		return 1;
	if (sbt_open(sbt_feed, "manifest.json", O_RDONLY) == -1)
		return 2;
	if (!sbt_refused(sbt_open(sbt_feed, "manifest.json", O_WRONLY), EACCES))
		return 3;
	if (!sbt_refused(sbt_open(sbt_feed, "new", O_WRONLY | O_CREAT), EACCES))
		return 4;
	if (!sbt_refused(sbt_open(sbt_other, "secret", O_RDONLY), EACCES))
		return 5;
	if (!sbt_refused(open("/etc/passwd", O_RDONLY | O_CLOEXEC), EACCES))
		return 6;
	if (!sbt_refused(unlink(sbt_conffile), EACCES))
		return 7;
	return 0;
}

SBT_CHILD_TEST(t_landlock_ro, 1, c_landlock_ro)

/* connect(2) to 127.0.0.1:port: 0 reached (refused by nobody
 * listening), else errno. */
static int
tcp_connect(unsigned short port)
{
	struct sockaddr_in sin;
	int	 fd, rc;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return errno;
	rc = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno != ECONNREFUSED ? errno : 0;
	(void)close(fd);
	return rc;
}

/* TCP by port (ABI >= 4): connect only to the listed ports, no bind. */
static int
c_landlock_tcp(void)
{
	struct sandbox_rules r;
	struct sockaddr_in sin;
	int	 fd;

	rules_fs(&r, SANDBOX_RO, sbt_feed, NULL);
	sandbox_port(&r, 9);
	if (sandbox_landlock(&r, 1) != 0)
		return 1;
	if (tcp_connect(9) != 0)
		return 2;
	if (tcp_connect(10) != EACCES)
		return 3;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 4;
	if (!sbt_refused(bind(fd, (struct sockaddr *)&sin, sizeof(sin)),
	    EACCES))
		return 5;
	(void)close(fd);
	return 0;
}

SBT_CHILD_TEST(t_landlock_tcp, 4, c_landlock_tcp)

/* ABI 2 (Linux 6.1): the port rule is skipped, not an error. */
static int
c_abi2_tcp(void)
{
	struct sandbox_rules r;

	if (setenv("LF_LANDLOCK_ABI_MAX", "2", 1) == -1)
		return 1;
	rules_fs(&r, SANDBOX_RO, sbt_feed, NULL);
	sandbox_port(&r, 9);
	if (sandbox_landlock_abi() != 2 || sandbox_landlock(&r, 1) != 0)
		return 2;
	if (tcp_connect(10) != 0)
		return 3;
	if (!sbt_refused(sbt_open(sbt_other, "secret", O_RDONLY), EACCES))
		return 4;
	return 0;
}

SBT_CHILD_TEST(t_abi2_tcp, 2, c_abi2_tcp)

/* Nothing executes from a writable place. */
static int
c_exec_outside(void)
{
	struct sandbox_rules r;
	char *const argv[] = { "sh", NULL };
	char	 path[PATH_MAX];

	rules_fs(&r, SANDBOX_RW, sbt_feed, NULL);
	sandbox_path(&r, SANDBOX_EXEC, "/usr");
	if (xsnprintf(path, sizeof(path), "%s/sh", sbt_feed) == -1 ||
	    sandbox_landlock(&r, 1) != 0)
		return 1;
	(void)execv(path, argv);
	return errno == EACCES ? 0 : 2;
}

static void
t_exec_outside(void **state)
{
	char	 cmd[PATH_MAX * 2];

	(void)state;
	sbt_need_landlock(1);
	assert_true(xsnprintf(cmd, sizeof(cmd), "cp /bin/sh %s/sh", sbt_feed)
	    > 0);
	assert_int_equal(system(cmd), 0);
	sbt_child_ok(c_exec_outside);
	assert_true(xsnprintf(cmd, sizeof(cmd), "%s/sh", sbt_feed) > 0);
	assert_int_equal(unlink(cmd), 0);
}

/* In d: the directories a and b, the file a/f. */
static int
two_dirs(const char *d)
{
	char	 p[PATH_MAX];
	int	 fd;

	if (xsnprintf(p, sizeof(p), "%s/a", d) == -1 ||
	    mkdir(p, 0755) == -1 ||
	    xsnprintf(p, sizeof(p), "%s/b", d) == -1 ||
	    mkdir(p, 0755) == -1 ||
	    xsnprintf(p, sizeof(p), "%s/a/f", d) == -1 ||
	    (fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) == -1)
		return -1;
	return close(fd);
}

/* 0 done, else errno: link or rename (how) d/a/f to d/b/to. */
static int
move(const char *d, const char *to, int how)
{
	char	 from[PATH_MAX], dst[PATH_MAX];

	if (xsnprintf(from, sizeof(from), "%s/a/f", d) == -1 ||
	    xsnprintf(dst, sizeof(dst), "%s/%s", d, to) == -1)
		return ENAMETOOLONG;
	if ((how ? rename(from, dst) : link(from, dst)) == -1)
		return errno;
	return 0;
}

/* refer (ABI >= 2): link and rename across directories below rw. */
static int
c_refer(void)
{
	struct sandbox_rules r;
	char	 d[PATH_MAX];

	if (xsnprintf(d, sizeof(d), "%s/refer", sbt_feed) == -1 ||
	    mkdir(d, 0755) == -1 || two_dirs(d) == -1)
		return 1;
	rules_fs(&r, SANDBOX_RW, sbt_feed, NULL);
	r.refer = 1;
	if (sandbox_landlock(&r, 1) != 0)
		return 2;
	if (move(d, "b/linked", 0) != 0)
		return 3;
	if (move(d, "b/renamed", 1) != 0)
		return 4;
	if (!sbt_refused(sbt_open(sbt_other, "new", O_WRONLY | O_CREAT),
	    EACCES))
		return 5;
	return 0;
}

SBT_CHILD_TEST(t_refer, 2, c_refer)

/* ABI 1: rw rules apply, but nothing crosses directories; rules that
 * need that find Landlock unusable. */
static int
c_abi1(void)
{
	struct sandbox_rules r;
	char	 d[PATH_MAX];

	if (xsnprintf(d, sizeof(d), "%s/abi1", sbt_feed) == -1 ||
	    mkdir(d, 0755) == -1 || two_dirs(d) == -1)
		return 1;
	if (setenv("LF_LANDLOCK_ABI_MAX", "1", 1) == -1)
		return 2;
	rules_fs(&r, SANDBOX_RW, sbt_feed, NULL);
	r.refer = 1;
	if (sandbox_landlock(&r, 1) != -1 || sandbox_landlock(&r, 0) != 1)
		return 3;
	/* Nothing applied: the other directory is still writable. */
	if (sbt_open(sbt_other, "abi1", O_WRONLY | O_CREAT) == -1)
		return 4;
	r.refer = 0;
	if (sandbox_landlock(&r, 1) != 0)
		return 5;
	if (move(d, "a/g", 0) != 0)
		return 6;
	if (move(d, "b/f", 0) != EXDEV || move(d, "b/f", 1) != EXDEV)
		return 7;
	if (!sbt_refused(sbt_open(sbt_other, "new", O_WRONLY | O_CREAT),
	    EACCES))
		return 8;
	return 0;
}

SBT_CHILD_TEST(t_abi1, 1, c_abi1)

/* LF_LANDLOCK_ABI_MAX only lowers the ABI. */
static int
c_abi_max(void)
{
	static const struct { const char *v; int want; } t[] = {
		{ "1", 1 }, { "2", 2 }, { "0", -1 }, { "-1", -1 },
		{ "x", -1 }, { "2x", -1 }, { "", -1 }, { "1000", -1 },
	};
	size_t	 i;
	int	 want;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		want = t[i].want == -1 || t[i].want > kernel_abi ?
		    kernel_abi : t[i].want;
		if (setenv("LF_LANDLOCK_ABI_MAX", t[i].v, 1) == -1 ||
		    sandbox_landlock_abi() != want)
			return 1 + (int)i;
	}
	return 0;
}

SBT_CHILD_TEST(t_abi_max, 1, c_abi_max)

static void
t_rules(void **state)
{
	struct sandbox_rules r;
	size_t	 i;

	(void)state;
	memset(&r, 0, sizeof(r));
	sandbox_parent(&r, SANDBOX_RO, "/a/b");
	sandbox_parent(&r, SANDBOX_RM, "/x");
	sandbox_parent(&r, SANDBOX_RW, "name");
	sandbox_parent(&r, SANDBOX_RO, NULL);
	sandbox_path(&r, SANDBOX_RO, NULL);
	sandbox_path(&r, SANDBOX_EXEC, "");
	assert_int_equal(r.nfs, 3);
	assert_string_equal(r.fs[0].path, "/a");
	assert_int_equal(r.fs[0].access, SANDBOX_RO);
	assert_string_equal(r.fs[1].path, "/");
	assert_int_equal(r.fs[1].access, SANDBOX_RM);
	assert_string_equal(r.fs[2].path, ".");
	sandbox_port(&r, 53);
	sandbox_port(&r, 53);
	sandbox_port(&r, 0);
	sandbox_port(&r, 65536);
	assert_int_equal(r.ntcp, 1);
	assert_false(r.failed);
	for (i = 0; i < SANDBOX_MAXPATHS; i++)
		sandbox_path(&r, SANDBOX_RO, "/");
	assert_true(r.failed);
	/* Incomplete rules are never applied. */
	assert_int_equal(sandbox_landlock(&r, 0), -1);
	sandbox_rules_free(&r);
	assert_int_equal(r.nfs, 0);
}

/* ------------------------------------------------------------ seccomp */

static const struct sandbox_call table[] = {
	{ "getppid", SANDBOX_EPERM, -1, 0, 0 },
	{ "socket", SANDBOX_EPERM, 0, 0, AF_INET6 },
	{ "openat", SANDBOX_EPERM, 2, O_CREAT, O_CREAT },
	{ "no_such_call", SANDBOX_EPERM, -1, 0, 0 },
	{ "getpid", SANDBOX_ALLOW, -1, 0, 0 },	/* the default: no rule */
};

/* A default-allow filter: its table, the admin calls, the namespaces. */
static int
c_seccomp_allow(void)
{
	const struct sandbox_filter f = { "test", SANDBOX_ALLOW,
	    SANDBOX_EPERM, table, sizeof(table) / sizeof(table[0]) };
	long	 pid;
	int	 fd;

	if (sandbox_seccomp(&f) == -1 || sbt_seccomp_mode() != 2)
		return 1;
	if (!sbt_refused(syscall(SYS_getppid), EPERM) || getpid() <= 0)
		return 2;
	if (!sbt_refused(socket(AF_INET6, SOCK_STREAM, 0), EPERM))
		return 3;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return 4;
	(void)close(fd);
	if (!sbt_refused(sbt_open(sbt_feed, "x", O_WRONLY | O_CREAT), EPERM))
		return 5;
	if (sbt_open(sbt_feed, "manifest.json", O_RDONLY) == -1)
		return 6;
	if (!sbt_refused(ptrace(PTRACE_TRACEME, 0, NULL, NULL), EPERM))
		return 7;
	if (!sbt_refused(mount("none", sbt_dir, "tmpfs", 0, NULL), EPERM))
		return 8;
	if (!sbt_refused(syscall(SYS_bpf, 0, NULL, 0), EPERM))
		return 9;
	if (!sbt_refused(unshare(CLONE_NEWUSER), EPERM))
		return 10;
	if (!sbt_refused(syscall(SYS_keyctl, 0, 0, 0, 0, 0), EPERM))
		return 11;
	if (!sbt_refused(syscall(SYS_clone3, NULL, 0), ENOSYS))
		return 12;
	if ((pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL,
	    NULL, 0)) == 0)
		_exit(0);
	if (!sbt_refused(pid, EPERM))
		return 13;
	return 0;
}

SBT_CHILD_TEST(t_seccomp_allow, 0, c_seccomp_allow)

static int
c_seccomp_kill_table(void)
{
	static const struct sandbox_call kill_getppid[] = {
		{ "getppid", SANDBOX_KILL, -1, 0, 0 },
	};
	const struct sandbox_filter f = { "test", SANDBOX_ALLOW,
	    SANDBOX_EPERM, kill_getppid, 1 };

	if (sandbox_seccomp(&f) == -1)
		return 1;
	(void)getppid();
	return 2;
}

static int
c_seccomp_kill_admin(void)
{
	const struct sandbox_filter f = { "test", SANDBOX_ALLOW,
	    SANDBOX_KILL, NULL, 0 };

	if (sandbox_seccomp(&f) == -1)
		return 1;
	(void)ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	return 2;
}

static void
t_seccomp_kill(void **state)
{
	(void)state;
	sbt_child_killed(c_seccomp_kill_table, SIGSYS);
	sbt_child_killed(c_seccomp_kill_admin, SIGSYS);
}

/* LISTFEED_SANDBOX=off: sandbox_apply() applies nothing. */
static int
c_off(void)
{
	const struct sandbox_filter f = { "test", SANDBOX_ALLOW,
	    SANDBOX_EPERM, NULL, 0 };
	struct sandbox_rules r;

	rules_fs(&r, SANDBOX_RO, sbt_feed, NULL);
	if (sbt_seccomp_mode() != 0)
		return 1;
	if (setenv("LISTFEED_SANDBOX", "off", 1) == -1 ||
	    sandbox_apply(&r, &f) != 0 || r.nfs != 0)
		return 2;
	if (sbt_seccomp_mode() != 0 ||
	    sbt_open(sbt_other, "secret", O_RDONLY) == -1)
		return 3;
	if (unsetenv("LISTFEED_SANDBOX") == -1 ||
	    sandbox_seccomp(&f) != 0 || sbt_seccomp_mode() != 2)
		return 4;
	return 0;
}

SBT_CHILD_TEST(t_off, 0, c_off)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_rules),
		cmocka_unit_test(t_landlock_ro),
		cmocka_unit_test(t_landlock_tcp),
		cmocka_unit_test(t_abi2_tcp),
		cmocka_unit_test(t_exec_outside),
		cmocka_unit_test(t_refer),
		cmocka_unit_test(t_abi1),
		cmocka_unit_test(t_abi_max),
		cmocka_unit_test(t_seccomp_allow),
		cmocka_unit_test(t_seccomp_kill),
		cmocka_unit_test(t_off),
	};

	(void)unsetenv("LF_LANDLOCK_ABI_MAX");
	kernel_abi = sandbox_landlock_abi();
	return cmocka_run_group_tests(tests, sbt_setup, sbt_teardown);
}
