/*
 * Unit test of lib/guard.c: the shrink guard's one rule.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <limits.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"

static void
test_growth_and_new(void **state)
{
	(void)state;
	assert_int_equal(guard_check(0, 0, 20, 5), GUARD_PASS);
	assert_int_equal(guard_check(0, 10, 20, 5), GUARD_PASS);
	assert_int_equal(guard_check(10, 10, 20, 5), GUARD_PASS);
	assert_int_equal(guard_check(10, 11, 0, 0), GUARD_PASS);
}

static void
test_empty_always_held(void **state)
{
	(void)state;
	assert_int_equal(guard_check(1, 0, 100, 1000), GUARD_EMPTY);
	assert_int_equal(guard_check(3, 0, 20, 5), GUARD_EMPTY);
}

/* Both limits must be passed: small lists change freely. */
static void
test_small_lists_change(void **state)
{
	(void)state;
	assert_int_equal(guard_check(3, 2, 20, 5), GUARD_PASS);
	assert_int_equal(guard_check(5, 3, 20, 5), GUARD_PASS);
	assert_int_equal(guard_check(10, 5, 20, 5), GUARD_PASS);
	assert_int_equal(guard_check(10, 4, 20, 5), GUARD_SHRINK);
	/* min_shrink 0: the percentage alone decides. */
	assert_int_equal(guard_check(3, 2, 20, 0), GUARD_SHRINK);
}

static void
test_percentage_boundary(void **state)
{
	(void)state;
	/* 20 % of 100 is 20: losing 20 passes, 21 is held. */
	assert_int_equal(guard_check(100, 80, 20, 5), GUARD_PASS);
	assert_int_equal(guard_check(100, 79, 20, 5), GUARD_SHRINK);
	/* 20 % of 99 is 19.8: losing 19 passes, 20 is held. */
	assert_int_equal(guard_check(99, 80, 20, 5), GUARD_PASS);
	assert_int_equal(guard_check(99, 79, 20, 5), GUARD_SHRINK);
	assert_int_equal(guard_check(100, 1, 100, 5), GUARD_PASS);
	assert_int_equal(guard_check(100, 99, 0, 0), GUARD_SHRINK);
	/* Out of range counts as 100. */
	assert_int_equal(guard_check(100, 1, 250, 5), GUARD_PASS);
}

static void
test_no_overflow(void **state)
{
	(void)state;
	assert_int_equal(guard_check(ULONG_MAX, ULONG_MAX / 2, 20, 5),
	    GUARD_SHRINK);
	assert_int_equal(guard_check(ULONG_MAX, ULONG_MAX - ULONG_MAX / 10,
	    20, 5), GUARD_PASS);
}

static void
test_describe(void **state)
{
	char	 b[200], small[8];

	(void)state;
	assert_int_equal(guard_describe(GUARD_EMPTY, 12, 0, 20, 5, b,
	    sizeof(b)), 0);
	assert_string_equal(b, "would be emptied (was 12)");
	assert_int_equal(guard_describe(GUARD_SHRINK, 40, 20, 20, 5, b,
	    sizeof(b)), 0);
	assert_string_equal(b, "would shrink from 40 to 20 (more than "
	    "max_shrink 20% and min_shrink 5)");
	assert_int_equal(guard_describe(GUARD_PASS, 4, 4, 20, 5, b,
	    sizeof(b)), 0);
	assert_string_equal(b, "");
	assert_int_equal(guard_describe(GUARD_EMPTY, 12, 0, 20, 5, small,
	    sizeof(small)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_growth_and_new),
		cmocka_unit_test(test_empty_always_held),
		cmocka_unit_test(test_small_lists_change),
		cmocka_unit_test(test_percentage_boundary),
		cmocka_unit_test(test_no_overflow),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests_name("lib_guard", tests, NULL, NULL);
}
