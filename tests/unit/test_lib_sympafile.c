/*
 * Unit test of lib/sympafile.c: the signed header and the strict parser
 * of a Sympa list file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sympafile.h"

#define HDR "# listfeed 1\n# list: board\n# reception: digest\n" \
	    "# generation: 42\n# count: 2\n# time: 2026-11-30T00:17:16Z\n"

struct seen {
	int	 n;
	char	 last[128];
};

static int
collect(void *ctx, const char *email, const char *name)
{
	struct seen	*s = ctx;

	s->n++;
	(void)snprintf(s->last, sizeof(s->last), "%s|%s", email, name);
	return 0;
}

static int
parse(const char *data, struct sympafile_hdr *h, struct seen *s, char *err,
    size_t errsz)
{
	memset(s, 0, sizeof(*s));
	return sympafile_parse(data, strlen(data), h, collect, s, err, errsz);
}

static void
test_round_trip(void **state)
{
	struct sympafile_hdr	 h = { "board", SF_RECEPTION_DIGEST, 42, 2,
				    "2026-11-30T00:17:16Z" }, back;
	struct buf		 b = BUF_INIT;
	struct seen		 s;
	char			 err[128];

	(void)state;
	assert_int_equal(sympafile_header(&b, &h), 0);
	assert_string_equal(buf_str(&b), HDR);
	assert_int_equal(buf_puts(&b, "a@example.org\tAnna B\n"
	    "b@example.org\n"), 0);
	assert_int_equal(parse(buf_str(&b), &back, &s, err, sizeof(err)), 0);
	assert_string_equal(back.list, "board");
	assert_int_equal(back.reception, SF_RECEPTION_DIGEST);
	assert_int_equal(back.generation, 42);
	assert_int_equal(back.count, 2);
	assert_string_equal(back.time, h.time);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.last, "b@example.org|");
	buf_free(&b);
}

static void
test_header_refuses_bad_input(void **state)
{
	struct sympafile_hdr	 h = { "Board", SF_RECEPTION_ALL, 1, 0,
				    "2026-11-30T00:17:16Z" };
	struct buf		 b = BUF_INIT;

	(void)state;
	assert_int_equal(sympafile_header(&b, &h), -1);
	(void)snprintf(h.list, sizeof(h.list), "board");
	h.generation = 0;
	assert_int_equal(sympafile_header(&b, &h), -1);
	h.generation = 1;
	(void)snprintf(h.time, sizeof(h.time), "2026-11-30 00:17:16Z");
	assert_int_equal(sympafile_header(&b, &h), -1);
	h.reception = (enum sympafile_reception)7;
	assert_null(sympafile_reception_name(h.reception));
	buf_free(&b);
}

static void
test_empty_list(void **state)
{
	struct sympafile_hdr	 h;
	struct seen		 s;
	char			 err[128];

	(void)state;
	assert_int_equal(parse("# listfeed 1\n# list: a\n# reception: all\n"
	    "# generation: 1\n# count: 0\n# time: 2026-11-30T00:17:16Z\n",
	    &h, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 0);
}

/* Each of these is refused, with a line number in the reason. */
static void
test_refused(void **state)
{
	static const char *const bad[] = {
		"",
		HDR,					/* no members */
		HDR "a@example.org\tAnna B\n",		/* one short */
		HDR "a@example.org\tAnna B\nb@example.org",	/* cut */
		HDR "a@example.org\nb@example.org\nc@example.org\n",
		HDR "a@example.org\n# comment\n",
		HDR "a@example.org\n\n",
		HDR "a@example.org\nb@Example.ORG\n",	/* not normalised */
		HDR "a@example.org\nnot-an-address\n",
		HDR "a@example.org\nb@example.org\tA  B\n",	/* not clean */
		HDR "a@example.org\nb@example.org\t\n",
		HDR "a@example.org\r\nb@example.org\n",
		"# listfeed 2\n# list: board\n# reception: digest\n",
		"# listfeed 1\n# list: Board\n",
		"# listfeed 1\n# list: board\n# reception: weekly\n",
		"# listfeed 1\n# list: board\n# reception: all\n"
		    "# generation: 0\n",
		"# listfeed 1\n# list: board\n# reception: all\n"
		    "# generation: 007\n",
		"# listfeed 1\n# list: board\n# reception: all\n"
		    "# generation: -1\n",
		"# listfeed 1\n# list: board\n# reception: all\n"
		    "# generation: 3\n# count: 1\n# time: yesterday\n",
		"# listfeed 1\n# list:  board\n",
		"# list: board\n# listfeed 1\n",
	};
	struct sympafile_hdr	 h;
	struct seen		 s;
	char			 err[128];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &h, &s, err, sizeof(err)) != -1)
			fail_msg("accepted case %zu", i);
		assert_non_null(strstr(err, "line "));
	}
}

static void
test_nul_refused(void **state)
{
	static const char data[] = HDR "a@example.org\tA\0B\nb@example.org\n";
	struct sympafile_hdr	 h;
	char			 err[128];

	(void)state;
	assert_int_equal(sympafile_parse(data, sizeof(data) - 1, &h, NULL,
	    NULL, err, sizeof(err)), -1);
}

/*
 * A name with a code point unassigned in this Unicode table (U+0378, a
 * letter in some later version) passes; a bidirectional override
 * (U+202E) or a zero-width space (U+200B) does not.
 */
static void
test_names_newer_unicode(void **state)
{
	struct sympafile_hdr	 h;
	struct seen		 s;
	char			 err[128];

	(void)state;
	assert_int_equal(parse(HDR "a@example.org\tAnna \xcd\xb8\n"
	    "b@example.org\t\xee\x80\x80 B\n", &h, &s, err, sizeof(err)), 0);
	assert_string_equal(s.last, "b@example.org|\xee\x80\x80 B");
	assert_int_equal(parse(HDR "a@example.org\tAnna \xe2\x80\xae\n"
	    "b@example.org\n", &h, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "name not clean"));
	assert_int_equal(parse(HDR "a@example.org\tAn\xe2\x80\x8bna\n"
	    "b@example.org\n", &h, &s, err, sizeof(err)), -1);
}

static int
refuse_all(void *ctx, const char *email, const char *name)
{
	(void)ctx;
	(void)email;
	(void)name;
	return 1;
}

static void
test_callback_can_refuse(void **state)
{
	static const char data[] = HDR "a@example.org\nb@example.org\n";
	struct sympafile_hdr	 h;
	char			 err[128];

	(void)state;
	assert_int_equal(sympafile_parse(data, sizeof(data) - 1, &h,
	    refuse_all, NULL, err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_header_refuses_bad_input),
		cmocka_unit_test(test_empty_list),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_nul_refused),
		cmocka_unit_test(test_callback_can_refuse),
		cmocka_unit_test(test_names_newer_unicode),
	};

	return cmocka_run_group_tests_name("lib_sympafile", tests, NULL, NULL);
}
