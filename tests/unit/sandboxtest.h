/*
 * sandboxtest: what the sandbox unit tests share (test_lib_sandbox.c,
 * test_cgi_csandbox.c, test_gen_gsandbox.c).  Each case forks: the child
 * applies a sandbox, tries what it must not (and what it still must) do,
 * and reports through its exit status: 0 as expected, else the number of
 * the step that went wrong.  A temporary world in sbt_dir: feed/ (with
 * manifest.json), templates/, etc/ (with listfeed.conf), other/ and
 * gnupg/ (each with a secret), run/.  Each function is static inline,
 * for the test files that include it.
 */
#ifndef LF_TEST_SANDBOXTEST_H
#define LF_TEST_SANDBOXTEST_H

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "fsutil.h"
#include "sandbox.h"

static char	 sbt_dir[] = "/tmp/lf-sandbox-XXXXXX";
static char	 sbt_feed[PATH_MAX], sbt_tmpl[PATH_MAX], sbt_etc[PATH_MAX];
static char	 sbt_conffile[PATH_MAX], sbt_other[PATH_MAX];
static char	 sbt_gnupg[PATH_MAX], sbt_run[PATH_MAX];

static inline void
sbt_put(const char *path, const char *text)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(close(fd), 0);
}

static inline void
sbt_mkdir(char *out, const char *name)
{
	assert_true(xsnprintf(out, PATH_MAX, "%s/%s", sbt_dir, name) > 0);
	assert_int_equal(mkdir(out, 0755), 0);
}

static inline int
sbt_setup(void **state)
{
	char	 p[PATH_MAX];

	(void)state;
	(void)unsetenv("LISTFEED_SANDBOX");
	(void)unsetenv("LF_LANDLOCK_ABI_MAX");
	if (mkdtemp(sbt_dir) == NULL)
		return -1;
	sbt_mkdir(sbt_feed, "feed");
	sbt_mkdir(sbt_tmpl, "templates");
	sbt_mkdir(sbt_etc, "etc");
	sbt_mkdir(sbt_other, "other");
	sbt_mkdir(sbt_gnupg, "gnupg");
	(void)chmod(sbt_gnupg, 0700);
	sbt_mkdir(sbt_run, "run");
	if (xsnprintf(sbt_conffile, sizeof(sbt_conffile), "%s/listfeed.conf",
	    sbt_etc) == -1)
		return -1;
	sbt_put(sbt_conffile, "[feed]\n");
	if (xsnprintf(p, sizeof(p), "%s/manifest.json", sbt_feed) == -1)
		return -1;
	sbt_put(p, "{}\n");
	if (xsnprintf(p, sizeof(p), "%s/secret", sbt_other) == -1)
		return -1;
	sbt_put(p, "secret\n");
	if (xsnprintf(p, sizeof(p), "%s/secret", sbt_gnupg) == -1)
		return -1;
	sbt_put(p, "secret\n");
	return 0;
}

static inline int
sbt_teardown(void **state)
{
	char	 cmd[PATH_MAX + 16];

	(void)state;
	if (xsnprintf(cmd, sizeof(cmd), "rm -rf %s", sbt_dir) == -1)
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

static inline void
sbt_need_landlock(int abi)
{
	if (sandbox_landlock_abi() < abi)
		skip();
}

/* Runs fn in a child; returns its wait status. */
static inline int
sbt_in_child(int (*fn)(void))
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

static inline void
sbt_child_ok(int (*fn)(void))
{
	int	 status = sbt_in_child(fn);

	if (WIFSIGNALED(status))
		fail_msg("child killed by signal %d", WTERMSIG(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("child failed at step %d", WEXITSTATUS(status));
}

static inline void
sbt_child_killed(int (*fn)(void), int sig)
{
	int	 status = sbt_in_child(fn);

	if (!WIFSIGNALED(status))
		fail_msg("child not killed, exit status %d",
		    WEXITSTATUS(status));
	assert_int_equal(WTERMSIG(status), sig);
}

/* A test: fn in a child, skipped below Landlock ABI abi (0: always run). */
#define SBT_CHILD_TEST(name, abi, fn)					\
static void								\
name(void **state)							\
{									\
	(void)state;							\
	sbt_need_landlock(abi);						\
	sbt_child_ok(fn);						\
}

/* 1 if r == -1 with errno e. */
static inline int
sbt_refused(long r, int e)
{
	return r == -1 && errno == e;
}

/* Opens (and closes) d/name: 0, or -1 with errno. */
static inline int
sbt_open(const char *d, const char *name, int flags)
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

static inline void
sbt_cfg(struct lf_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->feed_dir = sbt_feed;
	cfg->templates = sbt_tmpl;
	cfg->gpg_home = sbt_gnupg;
}

/* The number after "Seccomp:" in /proc/self/status, or -1. */
static inline int
sbt_seccomp_mode(void)
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

#endif
