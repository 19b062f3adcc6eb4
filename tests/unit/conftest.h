/*
 * conftest: what the unit tests of the configuration parsers
 * (test_lib_conf.c, test_relay_conf.c) share: one file, CONFTEST_FILE,
 * in a temporary directory made for the test group, written anew for
 * each case; and stderr captured, to check the message a refusal logs.
 * Each function is static inline, for the test files that include it.
 */
#ifndef LF_TEST_CONFTEST_H
#define LF_TEST_CONFTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CONFTEST_FILE
#error "define CONFTEST_FILE, the configuration file's name"
#endif

static char	 conftest_dir[] = "/tmp/lf-conftest-XXXXXX";
static char	 path[96];	/* conftest_dir/CONFTEST_FILE */

static inline int
group_setup(void **state)
{
	(void)state;
	if (mkdtemp(conftest_dir) == NULL)
		return -1;
	(void)snprintf(path, sizeof(path), "%s/%s", conftest_dir,
	    CONFTEST_FILE);
	return 0;
}

static inline int
group_teardown(void **state)
{
	(void)state;
	(void)unlink(path);
	return rmdir(conftest_dir);
}

/* Writes text to path: 0, or -1. */
static inline int
conftest_write(const char *text)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	(void)fputs(text, f);
	return fclose(f) == 0 ? 0 : -1;
}

/* stderr into a temporary file until conftest_stderr_end(). */
struct conftest_stderr {
	char	 name[40];
	int	 fd, saved;
};

static inline int
conftest_stderr_begin(struct conftest_stderr *s)
{
	(void)snprintf(s->name, sizeof(s->name), "/tmp/lf-conftest-log-XXXXXX");
	if ((s->fd = mkstemp(s->name)) == -1)
		return -1;
	(void)fflush(stderr);
	if ((s->saved = dup(STDERR_FILENO)) == -1 ||
	    dup2(s->fd, STDERR_FILENO) == -1)
		return -1;
	return 0;
}

/* Puts stderr back; what was written to it, NUL-terminated, in buf. */
static inline void
conftest_stderr_end(struct conftest_stderr *s, char *buf, size_t bufsz)
{
	ssize_t	 n;

	(void)fflush(stderr);
	(void)dup2(s->saved, STDERR_FILENO);
	(void)close(s->saved);
	n = pread(s->fd, buf, bufsz - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	(void)close(s->fd);
	(void)unlink(s->name);
}

#endif
