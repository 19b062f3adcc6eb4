/*
 * Unit test of relay/rstate.c: the state file's parser and its text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rstate.h"

#define HEAD	"# listfeed-relay state 1\n"
#define T	" 2026-11-30T10:00:00Z\n"

static void
test_parse_and_format(void **state)
{
	const char	 *text = HEAD "deelnemers all 7 12" T
			    "deelnemers mail 7 9" T "spacelog digest 3 0" T;
	struct rstate	  st;
	struct buf	  b = BUF_INIT;
	char		  why[128];

	(void)state;
	assert_int_equal(rstate_parse(text, strlen(text), &st, why,
	    sizeof(why)), 0);
	assert_int_equal(st.n, 3);
	assert_non_null(rstate_find(&st, "deelnemers", SF_RECEPTION_MAIL));
	assert_null(rstate_find(&st, "spacelog", SF_RECEPTION_ALL));
	assert_int_equal(rstate_find(&st, "spacelog",
	    SF_RECEPTION_DIGEST)->generation, 3);
	assert_int_equal(rstate_format(&st, &b), 0);
	assert_int_equal(b.len, strlen(text));
	assert_memory_equal(b.data, text, b.len);
	buf_free(&b);
	rstate_free(&st);
}

/* refused: text is refused with why. */
static void
refused(const char *text, const char *want)
{
	struct rstate	 st;
	char		 why[128];

	assert_int_equal(rstate_parse(text, strlen(text), &st, why,
	    sizeof(why)), -1);
	assert_string_equal(why, want);
	assert_int_equal(st.n, 0);
	assert_null(st.v);
}

static void
test_named_twice(void **state)
{
	(void)state;
	refused(HEAD "a all 1 1" T "b all 1 1" T "a all 2 1" T,
	    "line 4: a all named twice");
	/* The first line, in file order, that repeats an earlier one. */
	refused(HEAD "b mail 1 1" T "a all 1 1" T "a mail 1 1" T
	    "a all 2 1" T "b mail 2 1" T "a all 3 1" T,
	    "line 5: a all named twice");
	refused(HEAD "a all 1 1" T "b mail 1 1" T "b mail 2 1" T
	    "a all 2 1" T, "line 4: b mail named twice");
	refused(HEAD "a all 1 1" T "a all x 1" T,
	    "line 3: not \"NAME RECEPTION GENERATION COUNT TIME\"");
	refused("# other\n", "line 1: not a listfeed-relay state file");
}

/* A state of many sources: each one found, a repeat at the end refused. */
static void
test_many(void **state)
{
	struct buf	 b = BUF_INIT;
	struct rstate	 st;
	char		 why[128], name[16];
	size_t		 i;

	(void)state;
	(void)buf_puts(&b, HEAD);
	for (i = 0; i < 3000; i++)
		(void)buf_printf(&b, "l%04zu %s %zu 1" T, i / 3,
		    sympafile_reception_name((enum sympafile_reception)(i % 3)),
		    i + 1);
	assert_int_equal(rstate_parse(b.data, b.len, &st, why, sizeof(why)),
	    0);
	assert_int_equal(st.n, 3000);
	for (i = 0; i < 1000; i++) {
		(void)snprintf(name, sizeof(name), "l%04zu", i);
		assert_int_equal(rstate_find(&st, name,
		    SF_RECEPTION_DIGEST)->generation, (long long)(3 * i + 3));
	}
	rstate_free(&st);
	(void)buf_puts(&b, "l0500 mail 9 1" T);
	assert_int_equal(rstate_parse(b.data, b.len, &st, why, sizeof(why)),
	    -1);
	assert_string_equal(why, "line 3002: l0500 mail named twice");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_format),
		cmocka_unit_test(test_named_twice),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
