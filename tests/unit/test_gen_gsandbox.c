/*
 * Unit test of gen/gsandbox.c, the generator's policy: gpg runs, the
 * feed (links across its directories included) and GNUPGHOME are
 * writable, little else is; on Landlock ABI 2 (Linux 6.1) the same
 * files; on ABI 1, which cannot allow a link across directories, it
 * goes on with seccomp only.
 */
#include <sys/ptrace.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gsandbox.h"
#include "sandboxtest.h"

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

/* Applies the policy at Landlock ABI abi (0: the kernel's), with gpg's
 * output going nowhere. */
static int
apply(const char *abi)
{
	struct lf_config cfg;
	int	 fd;

	if ((fd = open("/dev/null", O_WRONLY)) == -1 || dup2(fd, 1) == -1)
		return -1;
	(void)close(fd);
	sbt_cfg(&cfg);
	if (abi != NULL && setenv("LF_LANDLOCK_ABI_MAX", abi, 1) == -1)
		return -1;
	return gsandbox_apply(&cfg, sbt_conffile);
}

/* A file carried into another directory, as a generation is made. */
static int
carry(const char *name)
{
	char	 from[PATH_MAX], to[PATH_MAX];

	if (xsnprintf(from, sizeof(from), "%s/manifest.json", sbt_feed) == -1 ||
	    xsnprintf(to, sizeof(to), "%s/%s", sbt_feed, name) == -1 ||
	    mkdir(to, 0755) == -1 ||
	    xsnprintf(to, sizeof(to), "%s/%s/manifest.json", sbt_feed, name)
	    == -1)
		return -1;
	return link(from, to);
}

/* What the generator does, and its seccomp profile. */
static int
works(void)
{
	if (run_gpg() != 0)
		return 3;
	if (sbt_open(sbt_feed, "new", O_WRONLY | O_CREAT | O_TRUNC) == -1)
		return 4;
	if (sbt_open(sbt_gnupg, "random_seed", O_WRONLY | O_CREAT) == -1)
		return 5;
	if (!sbt_refused(ptrace(PTRACE_TRACEME, 0, NULL, NULL), EPERM) ||
	    sbt_seccomp_mode() != 2)
		return 6;
	return 0;
}

/* What it must not touch. */
static int
confined(void)
{
	if (!sbt_refused(sbt_open(sbt_other, "new", O_WRONLY | O_CREAT),
	    EACCES))
		return 10;
	if (!sbt_refused(sbt_open(sbt_other, "secret", O_RDONLY), EACCES))
		return 11;
	if (!sbt_refused(sbt_open(sbt_etc, "listfeed.conf", O_WRONLY), EACCES))
		return 12;
	if (!sbt_refused(open("/etc/hostname.lf", O_WRONLY | O_CREAT |
	    O_CLOEXEC, 0644), EACCES))
		return 13;
	return 0;
}

/* At ABI abi: works, confined, and a generation carried into gen. */
static int
confined_at(const char *abi, const char *gen)
{
	int	 rc;

	if (apply(abi) == -1)
		return 2;
	if ((rc = works()) != 0 || (rc = confined()) != 0)
		return rc;
	return carry(gen) == -1 ? 20 : 0;
}

static int
c_apply(void)
{
	return confined_at(NULL, "g1");
}

static int
c_apply_abi2(void)
{
	return confined_at("2", "g2");
}

/* ABI 1: without Landlock, so the feed is still made; seccomp holds. */
static int
c_apply_abi1(void)
{
	int	 rc;

	if (apply("1") == -1)
		return 2;
	if ((rc = works()) != 0)
		return rc;
	if (carry("g3") == -1)
		return 20;
	if (sbt_open(sbt_other, "abi1", O_WRONLY | O_CREAT) == -1)
		return 21;
	return 0;
}

static void
t_apply(void **state)
{
	(void)state;
	if (access("/usr/bin/gpg", X_OK) == -1)
		skip();
	sbt_need_landlock(1);
	sbt_child_ok(c_apply_abi1);
	sbt_need_landlock(2);
	sbt_child_ok(c_apply_abi2);
	sbt_child_ok(c_apply);
}

/* LISTFEED_SANDBOX=off: nothing applied. */
static int
c_off(void)
{
	if (setenv("LISTFEED_SANDBOX", "off", 1) == -1 || apply(NULL) != 0)
		return 1;
	return sbt_seccomp_mode() == 0 ? 0 : 2;
}

SBT_CHILD_TEST(t_off, 0, c_off)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_apply),
		cmocka_unit_test(t_off),
	};

	return cmocka_run_group_tests(tests, sbt_setup, sbt_teardown);
}
