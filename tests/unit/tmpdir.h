/*
 * tmpdir: a test group's own directory under /tmp, as the group's setup
 * and teardown of cmocka_run_group_tests(): made empty before the first
 * test, removed with everything in it after the last.
 */
#ifndef LF_TEST_TMPDIR_H
#define LF_TEST_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>

static char	 dir[] = "/tmp/lf-test-XXXXXX";

static int
group_setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	char	 cmd[64];

	(void)state;
	(void)snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
