/*
 * Unit test of cgi/csandbox.c, the responder's policy: its seccomp
 * allow-list, and the files it may read, on this kernel's Landlock and
 * on the ABIs older kernels offer (2: Linux 6.1; 1).
 */
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "csandbox.h"
#include "sandboxtest.h"

static int
apply(void)
{
	struct lf_config cfg;

	sbt_cfg(&cfg);
	return csandbox_apply(&cfg, sbt_conffile, NULL);
}

static int
c_execve(void)
{
	char *const argv[] = { "true", NULL };
	char *const envp[] = { NULL };

	if (apply() == -1)
		return 1;
	(void)execve("/bin/true", argv, envp);
	return 2;			/* not killed */
}

static int
c_ptrace(void)
{
	if (apply() == -1)
		return 1;
	(void)ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	return 2;
}

static void
t_killed(void **state)
{
	(void)state;
	sbt_child_killed(c_execve, SIGSYS);
	sbt_child_killed(c_ptrace, SIGSYS);
}

static void *
thread_fn(void *arg)
{
	return arg;
}

/* What the allow-list refuses, and what it still allows. */
static int
c_calls(void)
{
	pthread_t	 t;
	void		*ret = NULL;
	int		 fd;

	if (apply() == -1)
		return 1;
	if (!sbt_refused(socket(AF_INET, SOCK_STREAM, 0), EPERM))
		return 2;
	if (!sbt_refused(socket(AF_INET6, SOCK_DGRAM, 0), EPERM))
		return 3;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return 4;
	(void)close(fd);
	if (!sbt_refused(fork(), EPERM))
		return 5;
	if (pthread_create(&t, NULL, thread_fn, sbt_dir) != 0 ||
	    pthread_join(t, &ret) != 0 || ret != sbt_dir)
		return 6;
	/* Opening for writing, even /dev/null. */
	if (!sbt_refused(open("/dev/null", O_WRONLY | O_CLOEXEC), EPERM))
		return 7;
	if (!sbt_refused(sbt_open(sbt_feed, "new", O_RDONLY | O_CREAT), EPERM))
		return 8;
	if (sbt_open(sbt_feed, "manifest.json", O_RDONLY) == -1)
		return 9;
	if (!sbt_refused(syscall(SYS_mkdirat, AT_FDCWD, "/tmp/lf-x", 0700),
	    EPERM))
		return 10;
	/* Signals only to itself. */
	if (kill(getpid(), 0) == -1 || !sbt_refused(kill(getppid(), 0), EPERM))
		return 11;
	return 0;
}

SBT_CHILD_TEST(t_calls, 0, c_calls)

/* What it reads, and nothing more. */
static int
c_files(void)
{
	if (apply() == -1)
		return 1;
	if (sbt_open(sbt_feed, "manifest.json", O_RDONLY) == -1)
		return 2;
	if (open(sbt_conffile, O_RDONLY | O_CLOEXEC) == -1)
		return 3;
	if (!sbt_refused(sbt_open(sbt_other, "secret", O_RDONLY), EACCES))
		return 4;
	if (!sbt_refused(sbt_open(sbt_gnupg, "secret", O_RDONLY), EACCES))
		return 5;
	if (!sbt_refused(sbt_open(sbt_gnupg, ".", O_RDONLY), EACCES))
		return 6;
	if (!sbt_refused(sbt_open(sbt_feed, "manifest.json", O_RDWR), EPERM))
		return 7;
	return 0;
}

static int
c_files_abi2(void)
{
	return setenv("LF_LANDLOCK_ABI_MAX", "2", 1) == -1 ? 100 : c_files();
}

static int
c_files_abi1(void)
{
	return setenv("LF_LANDLOCK_ABI_MAX", "1", 1) == -1 ? 100 : c_files();
}

static void
t_files(void **state)
{
	(void)state;
	sbt_need_landlock(1);
	sbt_child_ok(c_files_abi1);
	sbt_need_landlock(2);
	sbt_child_ok(c_files_abi2);
	sbt_child_ok(c_files);
}

static struct sockaddr_un trig_sun;

/* The trigger: a datagram to a pathname socket outside every rule. */
static int
c_trigger(void)
{
	int	 fd;

	if (apply() == -1)
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
t_trigger(void **state)
{
	char	 buf[32];
	int	 fd;

	(void)state;
	sbt_need_landlock(1);
	memset(&trig_sun, 0, sizeof(trig_sun));
	trig_sun.sun_family = AF_UNIX;
	assert_true(xsnprintf(trig_sun.sun_path, sizeof(trig_sun.sun_path),
	    "%s/trigger.sock", sbt_run) > 0);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&trig_sun,
	    sizeof(trig_sun)), 0);
	sbt_child_ok(c_trigger);
	assert_int_equal(recv(fd, buf, sizeof(buf), 0), 11);
	assert_memory_equal(buf, "regenerate\n", 11);
	(void)close(fd);
	(void)unlink(trig_sun.sun_path);
}

/* LISTFEED_SANDBOX=off: nothing applied. */
static int
c_off(void)
{
	if (setenv("LISTFEED_SANDBOX", "off", 1) == -1 || apply() != 0)
		return 1;
	if (sbt_seccomp_mode() != 0 ||
	    sbt_open(sbt_other, "secret", O_RDONLY) == -1)
		return 2;
	return 0;
}

SBT_CHILD_TEST(t_off, 0, c_off)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_killed),
		cmocka_unit_test(t_calls),
		cmocka_unit_test(t_files),
		cmocka_unit_test(t_trigger),
		cmocka_unit_test(t_off),
	};

	return cmocka_run_group_tests(tests, sbt_setup, sbt_teardown);
}
