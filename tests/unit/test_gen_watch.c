/*
 * Unit test of gen/watch.c's schedule of full generations: every
 * interval; after failed full runs a minute, then twice as long on each
 * failure in a row, at most the interval (an hour without one).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "watch.h"

#define T0	1000000LL	/* when the last full run started, ms */
#define S	1000LL

static void
test_next_full(void **state)
{
	(void)state;
	/* Succeeded: the interval, or never. */
	assert_int_equal(watch_next_full(T0, 3600, 0), T0 + 3600 * S);
	assert_int_equal(watch_next_full(T0, 0, 0), -1);
	/* Failed: 60 s, 120 s, 240 s ..., up to the interval. */
	assert_int_equal(watch_next_full(T0, 3600, 1), T0 + 60 * S);
	assert_int_equal(watch_next_full(T0, 3600, 2), T0 + 120 * S);
	assert_int_equal(watch_next_full(T0, 3600, 3), T0 + 240 * S);
	assert_int_equal(watch_next_full(T0, 3600, 6), T0 + 1920 * S);
	assert_int_equal(watch_next_full(T0, 3600, 7), T0 + 3600 * S);
	assert_int_equal(watch_next_full(T0, 3600, 4000000000u), T0 + 3600 * S);
	/* An interval shorter than the first retry: the interval. */
	assert_int_equal(watch_next_full(T0, 30, 1), T0 + 30 * S);
	assert_int_equal(watch_next_full(T0, 30, 5), T0 + 30 * S);
	/* No interval: retried all the same, at most hourly. */
	assert_int_equal(watch_next_full(T0, 0, 1), T0 + 60 * S);
	assert_int_equal(watch_next_full(T0, 0, 100), T0 + 3600 * S);
	/* A day's interval: the doubling goes past the hour. */
	assert_int_equal(watch_next_full(T0, 86400, 8), T0 + 7680 * S);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_full),
	};

	return cmocka_run_group_tests_name("gen_watch", tests, NULL, NULL);
}
