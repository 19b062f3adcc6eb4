/*
 * Unit test of lib/trigmsg.c: the datagrams the responder sends to
 * listfeed-gen --watch, formatted and parsed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "trigmsg.h"

/* Parses a C string; the list buffer starts out full of junk. */
static int
parse(const char *msg, char list[65])
{
	memset(list, 'J', 65);
	return trigmsg_parse(msg, strlen(msg), list);
}

static void
test_all_lists(void **state)
{
	char	 list[65];

	(void)state;
	assert_int_equal(parse("regenerate\n", list), 0);
	assert_string_equal(list, "");
	assert_int_equal(parse("regenerate", list), 0);
	assert_string_equal(list, "");
}

static void
test_one_list(void **state)
{
	char	 list[65];

	(void)state;
	assert_int_equal(parse("regenerate deelnemers\n", list), 0);
	assert_string_equal(list, "deelnemers");
	assert_int_equal(parse("regenerate board-2026.x_y", list), 0);
	assert_string_equal(list, "board-2026.x_y");
	assert_int_equal(parse("regenerate 0", list), 0);
	assert_string_equal(list, "0");
}

static void
test_longest_name(void **state)
{
	char	 msg[128], list[65];

	(void)state;
	(void)snprintf(msg, sizeof(msg), "regenerate %064d\n", 0);
	assert_int_equal(parse(msg, list), 0);
	assert_int_equal(strlen(list), 64);
	assert_memory_equal(list, msg + 11, 64);
}

static void
test_overlong_name(void **state)
{
	char	 msg[256], list[65];

	(void)state;
	(void)snprintf(msg, sizeof(msg), "regenerate %065d\n", 0);
	assert_int_equal(parse(msg, list), -1);
	assert_string_equal(list, "");
	(void)snprintf(msg, sizeof(msg), "regenerate %0200d", 0);
	assert_int_equal(parse(msg, list), -1);
	assert_string_equal(list, "");
}

static void
test_bad_names(void **state)
{
	static const char *const bad[] = {
		"regenerate Deelnemers",
		"regenerate -x",
		"regenerate .x",
		"regenerate ../etc",
		"regenerate a/b",
		"regenerate a b",
		"regenerate a,b",
		"regenerate  a",
		"regenerate a ",
		"regenerate ",
		"regenerate \n",
		"regenerate a\n\n",
		"regenerate a\r\n",
		"regenerate\tA",
		"regenerate caf\xc3\xa9",
	};
	char	 list[65];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], list) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_string_equal(list, "");
	}
}

static void
test_bad_words(void **state)
{
	static const char *const bad[] = {
		"", "\n", "regen", "Regenerate", "REGENERATE\n",
		"regenerated", "regenerateX", "regenerate\n\n",
		" regenerate", "generate a", "regenerate\na",
	};
	char	 list[65];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], list) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_string_equal(list, "");
	}
}

static void
test_nul_bytes(void **state)
{
	char	 list[65];

	(void)state;
	assert_int_equal(trigmsg_parse("regenerate\0", 11, list), -1);
	assert_int_equal(trigmsg_parse("regenerate a\0b", 14, list), -1);
	assert_int_equal(trigmsg_parse("regenerate ab\0", 14, list), -1);
	/* The length counts, not a NUL: "regenerate" alone. */
	assert_int_equal(trigmsg_parse("regenerate abc", 10, list), 0);
	assert_string_equal(list, "");
	assert_int_equal(trigmsg_parse("regenerate abc", 12, list), 0);
	assert_string_equal(list, "a");
}

static void
test_format(void **state)
{
	char	 msg[TRIGMSG_MAX + 1], name[VALID_LIST_MAX + 2];

	(void)state;
	assert_int_equal(trigmsg_format(msg, sizeof(msg), NULL), 11);
	assert_string_equal(msg, "regenerate\n");
	assert_int_equal(trigmsg_format(msg, sizeof(msg), ""), 11);
	assert_string_equal(msg, "regenerate\n");
	assert_int_equal(trigmsg_format(msg, sizeof(msg), "deelnemers"), 22);
	assert_string_equal(msg, "regenerate deelnemers\n");
	/* The longest name fits in TRIGMSG_MAX. */
	memset(name, 'a', VALID_LIST_MAX);
	name[VALID_LIST_MAX] = '\0';
	assert_int_equal(trigmsg_format(msg, sizeof(msg), name),
	    12 + VALID_LIST_MAX);
	/* What is no list name is never sent. */
	name[VALID_LIST_MAX] = 'a';
	name[VALID_LIST_MAX + 1] = '\0';
	assert_int_equal(trigmsg_format(msg, sizeof(msg), name), -1);
	assert_int_equal(trigmsg_format(msg, sizeof(msg), "../etc"), -1);
	assert_int_equal(trigmsg_format(msg, sizeof(msg), "a\nregenerate"), -1);
	assert_int_equal(trigmsg_format(msg, sizeof(msg), "A"), -1);
	/* Too small a buffer. */
	assert_int_equal(trigmsg_format(msg, 11, NULL), -1);
	assert_int_equal(trigmsg_format(msg, 12, "a"), -1);
}

/* What the sender formats, the receiver parses back, with or without
 * its LF. */
static void
test_round_trip(void **state)
{
	static const char *const names[] = {
		"", "0", "deelnemers", "board-2026.x_y", "a.asc",
	};
	char	 msg[TRIGMSG_MAX + 1], list[65];
	size_t	 i;
	int	 n;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = trigmsg_format(msg, sizeof(msg), names[i]);
		assert_true(n > 0 && msg[n - 1] == '\n');
		assert_int_equal(trigmsg_parse(msg, (size_t)n, list), 0);
		assert_string_equal(list, names[i]);
		assert_int_equal(trigmsg_parse(msg, (size_t)n - 1, list), 0);
		assert_string_equal(list, names[i]);
	}
}

static void
test_empty_and_null(void **state)
{
	char	 list[65];

	(void)state;
	assert_int_equal(trigmsg_parse(NULL, 0, list), -1);
	assert_int_equal(trigmsg_parse("x", 0, list), -1);
	assert_string_equal(list, "");
}

static void
test_binary_junk(void **state)
{
	unsigned char	 msg[4096];
	char		 list[65];
	unsigned int	 seed = 12345;
	size_t		 i, j, len;
	int		 rc;

	(void)state;
	for (i = 0; i < 5000; i++) {
		len = (size_t)(rand_r(&seed) % sizeof(msg));
		for (j = 0; j < len; j++)
			msg[j] = (unsigned char)rand_r(&seed);
		/* Half of them start with the right word. */
		if (i % 2 == 0 && len >= 11)
			memcpy(msg, "regenerate ", 11);
		memset(list, 'J', sizeof(list));
		rc = trigmsg_parse((const char *)msg, len, list);
		if (rc == 0) {
			/* Accepted only with a valid name, NUL-terminated. */
			assert_true(strlen(list) <= 64);
			for (j = 0; list[j] != '\0'; j++)
				assert_non_null(strchr(
				    "abcdefghijklmnopqrstuvwxyz0123456789._-",
				    list[j]));
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(list, "");
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_lists),
		cmocka_unit_test(test_one_list),
		cmocka_unit_test(test_longest_name),
		cmocka_unit_test(test_overlong_name),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_bad_words),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_empty_and_null),
		cmocka_unit_test(test_binary_junk),
	};

	return cmocka_run_group_tests_name("lib_trigmsg", tests, NULL, NULL);
}
