/*
 * Unit test of lib/sandbox.c.  Each case forks: the child applies the
 * sandbox, tries what it must not (and what it still must) do, and
 * reports through its exit status: 0 as expected, else the number of the
 * step that went wrong.  Cases that need Landlock are skipped on a
 * kernel without it.
 */
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "fsutil.h"
#include "sandbox.h"

static char	 dir[] = "/tmp/lf-sandbox-XXXXXX";
static char	 feed[PATH_MAX], tmpl[PATH_MAX], etc[PATH_MAX];
static char	 conffile[PATH_MAX], other[PATH_MAX], gnupg[PATH_MAX];
static char	 trig[PATH_MAX];

static void
put(const char *path, const char *text)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(close(fd), 0);
}

static void
mkpath(char *out, const char *name)
{
	assert_true(xsnprintf(out, PATH_MAX, "%s/%s", dir, name) > 0);
	assert_int_equal(mkdir(out, 0755), 0);
}

static int
group_setup(void **state)
{
	char	 p[PATH_MAX];

	(void)state;
	(void)unsetenv("LISTFEED_SANDBOX");
	if (mkdtemp(dir) == NULL)
		return -1;
	mkpath(feed, "feed");
	mkpath(tmpl, "templates");
	mkpath(etc, "etc");
	mkpath(other, "other");
	mkpath(gnupg, "gnupg");
	(void)chmod(gnupg, 0700);
	mkpath(trig, "run");
	if (xsnprintf(conffile, sizeof(conffile), "%s/listfeed.conf", etc)
	    == -1)
		return -1;
	put(conffile, "[feed]\n");
	if (xsnprintf(p, sizeof(p), "%s/manifest.json", feed) == -1)
		return -1;
	put(p, "{}\n");
	if (xsnprintf(p, sizeof(p), "%s/secret", other) == -1)
		return -1;
	put(p, "secret\n");
	return 0;
}

static int
group_teardown(void **state)
{
	char	 cmd[PATH_MAX + 16];

	(void)state;
	if (xsnprintf(cmd, sizeof(cmd), "rm -rf %s", dir) == -1)
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

static void
need_landlock(void)
{
	if (sandbox_landlock_abi() == 0)
		skip();
}

/* Runs fn in a child; returns its wait status. */
static int
in_child(int (*fn)(void))
{
	pid_t	 pid;
	int	 status;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn());	/* _exit: no leak check in the child */
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void
child_ok(int (*fn)(void))
{
	int	 status = in_child(fn);

	if (WIFSIGNALED(status))
		fail_msg("child killed by signal %d", WTERMSIG(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("child failed at step %d", WEXITSTATUS(status));
}

/* 1 if r == -1 with errno e. */
static int
refused(long r, int e)
{
	return r == -1 && errno == e;
}

static int
open_in(const char *d, const char *name, int flags)
{
	char	 p[PATH_MAX];
	int	 fd;

	if (xsnprintf(p, sizeof(p), "%s/%s", d, name) == -1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(p, flags | O_CLOEXEC, 0644)) != -1)
		(void)close(fd);
	return fd == -1 ? -1 : 0;
}

static void
cfg_fake(struct lf_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->feed_dir = feed;
	cfg->templates = tmpl;
	cfg->gpg_home = gnupg;
}

/* ------------------------------------------------------------ FCGI */

static int
c_fcgi_execve(void)
{
	char *const argv[] = { "true", NULL };
	char *const envp[] = { NULL };

	if (sandbox_seccomp(SANDBOX_FCGI) == -1)
		return 1;
	(void)execve("/bin/true", argv, envp);
	return 2;			/* not killed */
}

static void
t_fcgi_execve_killed(void **state)
{
	int	 status;

	(void)state;
	status = in_child(c_fcgi_execve);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

static void *
thread_fn(void *arg)
{
	return arg;
}

static int
c_fcgi_calls(void)
{
	pthread_t	 t;
	void		*ret = NULL;
	int		 fd;

	if (sandbox_seccomp(SANDBOX_FCGI) == -1)
		return 1;
	if (!refused(socket(AF_INET, SOCK_STREAM, 0), EPERM))
		return 2;
	if (!refused(socket(AF_INET6, SOCK_DGRAM, 0), EPERM))
		return 3;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return 4;
	(void)close(fd);
	if (!refused(fork(), EPERM))
		return 5;
	if (pthread_create(&t, NULL, thread_fn, dir) != 0 ||
	    pthread_join(t, &ret) != 0 || ret != dir)
		return 6;
	/* Opening for writing, even /dev/null. */
	if (!refused(open("/dev/null", O_WRONLY | O_CLOEXEC), EPERM))
		return 7;
	if (!refused(open_in(feed, "new", O_RDONLY | O_CREAT), EPERM))
		return 8;
	if (open_in(feed, "manifest.json", O_RDONLY) == -1)
		return 9;
	if (!refused(syscall(SYS_mkdirat, AT_FDCWD, "/tmp/lf-x", 0700), EPERM))
		return 10;
	return 0;
}

static void
t_fcgi_calls(void **state)
{
	(void)state;
	child_ok(c_fcgi_calls);
}

static int
c_fcgi_ptrace(void)
{
	if (sandbox_seccomp(SANDBOX_FCGI) == -1)
		return 1;
	(void)ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	return 2;
}

static void
t_fcgi_ptrace_killed(void **state)
{
	int	 status;

	(void)state;
	status = in_child(c_fcgi_ptrace);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

/* Landlock alone, as the responder uses it: ro paths and nothing else. */
static int
c_landlock_ro(void)
{
	const char *ro[] = { feed, etc };
	struct sandbox_paths p = { .ro = ro, .nro = 2 };

	if (sandbox_landlock(&p, 1) != 0)
		return 1;
	if (open_in(feed, "manifest.json", O_RDONLY) == -1)
		return 2;
	if (!refused(open_in(feed, "manifest.json", O_WRONLY), EACCES))
		return 3;
	if (!refused(open_in(feed, "new", O_WRONLY | O_CREAT), EACCES))
		return 4;
	if (!refused(open_in(other, "secret", O_RDONLY), EACCES))
		return 5;
	if (!refused(open("/etc/passwd", O_RDONLY | O_CLOEXEC), EACCES))
		return 6;
	if (!refused(unlink(conffile), EACCES))
		return 7;
	return 0;
}

static void
t_landlock_ro(void **state)
{
	(void)state;
	need_landlock();
	child_ok(c_landlock_ro);
}

/* No TCP: connect and bind refused by Landlock (ABI >= 4). */
static int
c_landlock_tcp(void)
{
	const char *ro[] = { feed };
	struct sandbox_paths p = { .ro = ro, .nro = 1 };
	struct sockaddr_in sin;
	int	 fd;

	if (sandbox_landlock(&p, 1) != 0)
		return 1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(9);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 2;
	if (!refused(connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
	    EACCES))
		return 3;
	sin.sin_port = 0;
	if (!refused(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), EACCES))
		return 4;
	(void)close(fd);
	return 0;
}

static void
t_landlock_tcp(void **state)
{
	(void)state;
	need_landlock();
	if (sandbox_landlock_abi() < 4)
		skip();
	child_ok(c_landlock_tcp);
}

static struct sockaddr_un trig_sun;

/* The trigger: a datagram to a pathname socket outside every rule. */
static int
c_trigger(void)
{
	struct lf_config cfg;
	int	 fd;

	cfg_fake(&cfg);
	if (sandbox_fcgi_apply(&cfg, conffile, NULL) == -1)
		return 1;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return 2;
	if (sendto(fd, "regenerate\n", 11, 0, (struct sockaddr *)&trig_sun,
	    sizeof(trig_sun)) != 11)
		return 3;
	(void)close(fd);
	return 0;
}

static void
t_fcgi_apply_trigger(void **state)
{
	char	 buf[32];
	int	 fd;

	(void)state;
	need_landlock();
	memset(&trig_sun, 0, sizeof(trig_sun));
	trig_sun.sun_family = AF_UNIX;
	assert_true(xsnprintf(trig_sun.sun_path, sizeof(trig_sun.sun_path),
	    "%s/trigger.sock", trig) > 0);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&trig_sun,
	    sizeof(trig_sun)), 0);
	child_ok(c_trigger);
	assert_int_equal(recv(fd, buf, sizeof(buf), 0), 11);
	assert_memory_equal(buf, "regenerate\n", 11);
	(void)close(fd);
	(void)unlink(trig_sun.sun_path);
}

/* The responder's whole sandbox: what it reads, and nothing more. */
static int
c_fcgi_apply(void)
{
	struct lf_config cfg;

	cfg_fake(&cfg);
	if (sandbox_fcgi_apply(&cfg, conffile, NULL) == -1)
		return 1;
	if (open_in(feed, "manifest.json", O_RDONLY) == -1)
		return 2;
	if (open(conffile, O_RDONLY | O_CLOEXEC) == -1)
		return 3;
	if (!refused(open_in(other, "secret", O_RDONLY), EACCES))
		return 4;
	if (!refused(open_in(gnupg, ".", O_RDONLY), EACCES))
		return 5;
	if (!refused(open_in(feed, "manifest.json", O_RDWR), EPERM))
		return 6;
	return 0;
}

static void
t_fcgi_apply(void **state)
{
	(void)state;
	need_landlock();
	child_ok(c_fcgi_apply);
}

/* ------------------------------------------------------------ GEN */

static int
c_gen_calls(void)
{
	if (sandbox_seccomp(SANDBOX_GEN) == -1)
		return 1;
	if (!refused(ptrace(PTRACE_TRACEME, 0, NULL, NULL), EPERM))
		return 2;
	if (!refused(mount("none", dir, "tmpfs", 0, NULL), EPERM))
		return 3;
	if (!refused(syscall(SYS_bpf, 0, NULL, 0), EPERM))
		return 4;
	if (!refused(unshare(CLONE_NEWUSER), EPERM))
		return 5;
	if (!refused(syscall(SYS_keyctl, 0, 0, 0, 0, 0), EPERM))
		return 6;
	if (!refused(syscall(SYS_clone3, NULL, 0), ENOSYS))
		return 7;
	return 0;
}

static void
t_gen_calls(void **state)
{
	(void)state;
	child_ok(c_gen_calls);
}

static int
run_gpg(void)
{
	char *const argv[] = { "gpg", "--batch", "--version", NULL };
	pid_t	 pid;
	int	 status;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		execv("/usr/bin/gpg", argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The generator's whole sandbox: gpg runs, the feed is writable, little
 * else is. */
static int
c_gen_apply(void)
{
	struct lf_config cfg;
	int	 fd;

	/* gpg's output goes nowhere. */
	if ((fd = open("/dev/null", O_WRONLY)) == -1 ||
	    dup2(fd, 1) == -1)
		return 1;
	(void)close(fd);
	cfg_fake(&cfg);
	if (setenv("GNUPGHOME", gnupg, 1) == -1 ||
	    sandbox_gen_apply(&cfg, conffile) == -1)
		return 2;
	if (run_gpg() != 0)
		return 3;
	if (open_in(feed, "new", O_WRONLY | O_CREAT | O_TRUNC) == -1)
		return 4;
	if (open_in(gnupg, "random_seed", O_WRONLY | O_CREAT) == -1)
		return 5;
	if (!refused(open_in(other, "new", O_WRONLY | O_CREAT), EACCES))
		return 6;
	if (!refused(open_in(other, "secret", O_RDONLY), EACCES))
		return 7;
	if (!refused(open_in(etc, "listfeed.conf", O_WRONLY), EACCES))
		return 8;
	if (!refused(open("/etc/hostname.lf", O_WRONLY | O_CREAT | O_CLOEXEC,
	    0644), EACCES))
		return 9;
	if (!refused(ptrace(PTRACE_TRACEME, 0, NULL, NULL), EPERM))
		return 10;
	return 0;
}

static void
t_gen_apply(void **state)
{
	(void)state;
	need_landlock();
	if (access("/usr/bin/gpg", X_OK) == -1)
		skip();
	child_ok(c_gen_apply);
}

/* Outside rw paths, gpg cannot be executed from a writable place. */
static int
c_gen_exec_outside(void)
{
	const char *exec[] = { "/usr" };
	const char *rw[] = { feed };
	struct sandbox_paths p = { .rw = rw, .nrw = 1, .exec = exec,
	    .nexec = 1 };
	char *const argv[] = { "sh", NULL };
	char	 path[PATH_MAX];

	if (xsnprintf(path, sizeof(path), "%s/sh", feed) == -1 ||
	    sandbox_landlock(&p, 1) != 0)
		return 1;
	(void)execv(path, argv);
	return errno == EACCES ? 0 : 2;
}

static void
t_gen_exec_outside(void **state)
{
	char	 cmd[PATH_MAX * 2];

	(void)state;
	need_landlock();
	assert_true(xsnprintf(cmd, sizeof(cmd), "cp /bin/sh %s/sh", feed)
	    > 0);
	assert_int_equal(system(cmd), 0);
	child_ok(c_gen_exec_outside);
}

/* The number after "Seccomp:" in /proc/self/status, or -1. */
static int
seccomp_mode(void)
{
	char	 line[256];
	FILE	*f;
	int	 mode = -1;

	if ((f = fopen("/proc/self/status", "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "Seccomp:", 8) == 0)
			mode = atoi(line + 8);
	(void)fclose(f);
	return mode;
}

/* LISTFEED_SANDBOX=off: nothing applied. */
static int
c_off(void)
{
	struct lf_config cfg;

	cfg_fake(&cfg);
	if (seccomp_mode() != 0)
		return 1;
	if (setenv("LISTFEED_SANDBOX", "off", 1) == -1 ||
	    sandbox_fcgi_apply(&cfg, conffile, NULL) != 0)
		return 2;
	if (seccomp_mode() != 0)
		return 3;
	if (unsetenv("LISTFEED_SANDBOX") == -1 ||
	    sandbox_seccomp(SANDBOX_GEN) != 0 || seccomp_mode() != 2)
		return 4;
	return 0;
}

static void
t_off(void **state)
{
	(void)state;
	child_ok(c_off);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_fcgi_execve_killed),
		cmocka_unit_test(t_fcgi_ptrace_killed),
		cmocka_unit_test(t_fcgi_calls),
		cmocka_unit_test(t_landlock_ro),
		cmocka_unit_test(t_landlock_tcp),
		cmocka_unit_test(t_fcgi_apply),
		cmocka_unit_test(t_fcgi_apply_trigger),
		cmocka_unit_test(t_gen_calls),
		cmocka_unit_test(t_gen_apply),
		cmocka_unit_test(t_gen_exec_outside),
		cmocka_unit_test(t_off),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
