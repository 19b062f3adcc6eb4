/*
 * Unit test of lib/valid.c: list, format and fingerprint names, emails,
 * display names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unicode.h"
#include "valid.h"

/* Cleans a C string; returns the cleaned string in out. */
static size_t
clean(const char *in, char out[VALID_NAME_BYTES + 1])
{
	return valid_clean_name(in, strlen(in), out, VALID_NAME_BYTES + 1);
}

/* Number of UTF-8 code points in s (s is valid UTF-8). */
static size_t
cps(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void
test_list_name_good(void **state)
{
	char	 max[VALID_LIST_MAX + 1];

	(void)state;
	assert_true(valid_list_name("a"));
	assert_true(valid_list_name("0"));
	assert_true(valid_list_name("deelnemers"));
	assert_true(valid_list_name("board-2026.members_x"));
	memset(max, 'a', VALID_LIST_MAX);
	max[VALID_LIST_MAX] = '\0';
	assert_true(valid_list_name(max));
}

static void
test_list_name_bad(void **state)
{
	char	 over[VALID_LIST_MAX + 2];

	(void)state;
	assert_false(valid_list_name(NULL));
	assert_false(valid_list_name(""));
	assert_false(valid_list_name("Deelnemers"));
	assert_false(valid_list_name("-a"));
	assert_false(valid_list_name(".a"));
	assert_false(valid_list_name("_a"));
	assert_false(valid_list_name("a b"));
	assert_false(valid_list_name("a/b"));
	assert_false(valid_list_name("../x"));
	assert_false(valid_list_name("a\n"));
	assert_false(valid_list_name("caf\xc3\xa9"));
	memset(over, 'a', VALID_LIST_MAX + 1);
	over[VALID_LIST_MAX + 1] = '\0';
	assert_false(valid_list_name(over));
}

static void
test_list_name_n_stops_at_length(void **state)
{
	(void)state;
	assert_true(valid_list_name_n("abc/def", 3));
	assert_false(valid_list_name_n("abc/def", 4));
	assert_false(valid_list_name_n("ab\0cd", 5));
	assert_false(valid_list_name_n("abc", 0));
}

static void
test_format_name(void **state)
{
	char	 max[VALID_FORMAT_MAX + 2];

	(void)state;
	assert_true(valid_format_name("sympa"));
	assert_true(valid_format_name("csv"));
	assert_true(valid_format_name("my_format-2"));
	assert_false(valid_format_name(NULL));
	assert_false(valid_format_name(""));
	assert_false(valid_format_name("a.b"));
	assert_false(valid_format_name("../sympa"));
	assert_false(valid_format_name("Sympa"));
	assert_false(valid_format_name("-x"));
	memset(max, 'f', VALID_FORMAT_MAX);
	max[VALID_FORMAT_MAX] = '\0';
	assert_true(valid_format_name(max));
	max[VALID_FORMAT_MAX] = 'f';
	max[VALID_FORMAT_MAX + 1] = '\0';
	assert_false(valid_format_name(max));
}

static void
test_fingerprint(void **state)
{
	(void)state;
	assert_true(valid_fingerprint(
	    "0123456789abcdef0123456789abcdef01234567"));
	assert_false(valid_fingerprint(
	    "0123456789ABCDEF0123456789abcdef01234567"));
	assert_false(valid_fingerprint(
	    "0123456789abcdef0123456789abcdef0123456"));
	assert_false(valid_fingerprint(
	    "0123456789abcdef0123456789abcdef012345678"));
	assert_false(valid_fingerprint(
	    "01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67"));
	assert_false(valid_fingerprint(""));
	assert_false(valid_fingerprint(NULL));
}

/* OpenPGP: 40 hex digits in either case, upper-cased; nothing else. */
static void
test_pgp_fingerprint(void **state)
{
	const char	*bad[] = {
		"", "0123456789abcdef0123456789abcdef0123456",
		"0123456789abcdef0123456789abcdef012345678",
		"0x0123456789abcdef0123456789abcdef012345",
		"0123456789abcdef0123456789abcdef0123456g",
		"0123456789abcdef0123456789abcdef0123456\n",
		"0123456789abcdef0123456789abcdef01234567\n",
		" 0123456789abcdef0123456789abcdef01234567",
		"0123 4567 89ab cdef 0123 4567 89ab cdef",
	};
	char		 out[VALID_PGP_FPR_LEN + 1], s[64];
	size_t		 i;

	(void)state;
	assert_true(valid_pgp_fingerprint(
	    "0123456789abcdefABCDEF0123456789abcdef01", out));
	assert_string_equal(out, "0123456789ABCDEFABCDEF0123456789ABCDEF01");
	/* In place, as lib/conf.c uses it. */
	(void)snprintf(s, sizeof(s), "%s",
	    "fedcba9876543210fedcba9876543210fedcba98");
	assert_true(valid_pgp_fingerprint(s, s));
	assert_string_equal(s, "FEDCBA9876543210FEDCBA9876543210FEDCBA98");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(valid_pgp_fingerprint(bad[i], out));
	assert_false(valid_pgp_fingerprint(NULL, out));
}

static enum email_status
email(const char *in, char out[VALID_EMAIL_MAX + 1])
{
	return valid_email(in, strlen(in), out, VALID_EMAIL_MAX + 1);
}

static void
test_email_good_and_domain_lowered(void **state)
{
	char	 out[VALID_EMAIL_MAX + 1];

	(void)state;
	assert_int_equal(email("jan@example.org", out), EMAIL_OK);
	assert_string_equal(out, "jan@example.org");
	assert_int_equal(email("Jan.Jansen@Example.ORG", out), EMAIL_OK);
	assert_string_equal(out, "Jan.Jansen@example.org");
	assert_int_equal(email("a+tag@sub.example.co.uk", out), EMAIL_OK);
	assert_string_equal(out, "a+tag@sub.example.co.uk");
	assert_int_equal(email("o'brien@xn--bcher-kva.example", out),
	    EMAIL_OK);
	assert_int_equal(email("=cmd@example.org", out), EMAIL_OK);
	assert_string_equal(out, "=cmd@example.org");
	assert_int_equal(email("x@a1.b2", out), EMAIL_OK);
}

static void
test_email_reasons(void **state)
{
	char	 out[VALID_EMAIL_MAX + 1];

	(void)state;
	assert_int_equal(email("", out), EMAIL_EMPTY);
	assert_int_equal(valid_email(NULL, 0, out, sizeof(out)), EMAIL_EMPTY);
	assert_int_equal(email("jan.example.org", out), EMAIL_NO_AT);
	assert_int_equal(email("a@b@example.org", out), EMAIL_BAD_LOCAL);
	assert_int_equal(email("@example.org", out), EMAIL_BAD_LOCAL);
	assert_int_equal(email(".jan@example.org", out), EMAIL_BAD_LOCAL);
	assert_int_equal(email("jan.@example.org", out), EMAIL_BAD_LOCAL);
	assert_int_equal(email("j..an@example.org", out), EMAIL_BAD_LOCAL);
	/* Sympa reads a line starting with # as a comment. */
	assert_int_equal(email("#jan@example.org", out), EMAIL_BAD_LOCAL);
	assert_int_equal(email("j#an@example.org", out), EMAIL_OK);
	assert_int_equal(email("\"jan\"@example.org", out), EMAIL_BAD_LOCAL);
	assert_int_equal(email("j an@example.org", out), EMAIL_BAD_LOCAL);
	assert_int_equal(email("jan<x>@example.org", out), EMAIL_BAD_LOCAL);
	assert_int_equal(email("jan@", out), EMAIL_BAD_DOMAIN);
	assert_int_equal(email("jan@localhost", out), EMAIL_BAD_DOMAIN);
	assert_int_equal(email("jan@example..org", out), EMAIL_BAD_DOMAIN);
	assert_int_equal(email("jan@.example.org", out), EMAIL_BAD_DOMAIN);
	assert_int_equal(email("jan@example.org.", out), EMAIL_BAD_DOMAIN);
	assert_int_equal(email("jan@-example.org", out), EMAIL_BAD_DOMAIN);
	assert_int_equal(email("jan@example-.org", out), EMAIL_BAD_DOMAIN);
	assert_int_equal(email("jan@ex_ample.org", out), EMAIL_BAD_DOMAIN);
	assert_int_equal(email("jan@[127.0.0.1]", out), EMAIL_BAD_DOMAIN);
	assert_int_equal(email("jan@127.0.0.1", out), EMAIL_BAD_DOMAIN);
	assert_int_equal(email("jan@example.org\n", out), EMAIL_BAD_DOMAIN);
	assert_string_equal(out, "");
}

static void
test_email_nul_and_newline_refused(void **state)
{
	char	 out[VALID_EMAIL_MAX + 1];

	(void)state;
	assert_int_equal(valid_email("ja\0n@example.org", 16, out,
	    sizeof(out)), EMAIL_BAD_LOCAL);
	assert_int_equal(valid_email("jan@exa\0mple.org", 16, out,
	    sizeof(out)), EMAIL_BAD_DOMAIN);
	assert_int_equal(email("ja\nn@example.org", out), EMAIL_BAD_LOCAL);
	assert_int_equal(email("jan\t@example.org", out), EMAIL_BAD_LOCAL);
}

static void
test_email_length_limits(void **state)
{
	char	 in[256], out[VALID_EMAIL_MAX + 1];

	(void)state;
	/* 64-byte local part is the maximum. */
	memset(in, 'a', 64);
	(void)strcpy(in + 64, "@example.org");
	assert_int_equal(email(in, out), EMAIL_OK);
	memset(in, 'a', 65);
	(void)strcpy(in + 65, "@example.org");
	assert_int_equal(email(in, out), EMAIL_BAD_LOCAL);
	/* 100 bytes in all is the maximum. */
	memset(in, 'b', 100);
	memcpy(in, "x@", 2);
	memcpy(in + 96, ".org", 4);
	in[100] = '\0';
	for (size_t i = 2 + 63; i < 96; i += 64)
		in[i] = '.';
	assert_int_equal(email(in, out), EMAIL_OK);
	assert_int_equal(strlen(out), 100);
	in[100] = 'g';
	in[101] = '\0';
	assert_int_equal(email(in, out), EMAIL_TOO_LONG);
	/* An output buffer too small is refused, never overrun. */
	assert_int_equal(valid_email("jan@example.org", 15, out, 15),
	    EMAIL_TOO_LONG);
}

static void
test_lower(void **state)
{
	char	 out[8];

	(void)state;
	valid_lower("Jan@Ex.ORG", out, sizeof(out));
	assert_string_equal(out, "jan@ex.");
	valid_lower("", out, sizeof(out));
	assert_string_equal(out, "");
	valid_lower("\xc3\x89" "A", out, sizeof(out));
	assert_string_equal(out, "\xc3\x89" "a");
}

static void
test_name_plain_kept(void **state)
{
	char	 out[VALID_NAME_BYTES + 1];

	(void)state;
	assert_int_equal(clean("Jan Jansen", out), 10);
	assert_string_equal(out, "Jan Jansen");
	assert_int_equal(clean("Zo\xc3\xab van 't Hof", out), 15);
	assert_string_equal(out, "Zo\xc3\xab van 't Hof");
	assert_int_equal(clean("", out), 0);
	assert_string_equal(out, "");
	assert_int_equal(valid_clean_name(NULL, 5, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void
test_name_line_breaks_become_spaces(void **state)
{
	char	 out[VALID_NAME_BYTES + 1];

	(void)state;
	clean("Jan\nJansen", out);
	assert_string_equal(out, "Jan Jansen");
	clean("Jan\r\nevil@example.org\tX", out);
	assert_string_equal(out, "Jan evil@example.org X");
	clean("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c\xc2\x85" "d\v\fe", out);
	assert_string_equal(out, "a b c d e");
}

static void
test_name_whitespace_folded_and_trimmed(void **state)
{
	char	 out[VALID_NAME_BYTES + 1];

	(void)state;
	clean("  \t Jan \xc2\xa0  Jansen \n ", out);
	assert_string_equal(out, "Jan Jansen");
	clean(" \t\r\n ", out);
	assert_string_equal(out, "");
}

static void
test_name_controls_dropped(void **state)
{
	char	 out[VALID_NAME_BYTES + 1];
	size_t	 n;

	(void)state;
	n = valid_clean_name("Ja\0n\x01\x1b[31m\x7f", 12, out, sizeof(out));
	assert_int_equal(n, 7);
	assert_string_equal(out, "Jan[31m");
	clean("x\xc2\x80y\xc2\x9fz", out);
	assert_string_equal(out, "xyz");
}

static void
test_name_bidi_and_invisibles_dropped(void **state)
{
	char	 out[VALID_NAME_BYTES + 1];

	(void)state;
	/* U+202E RIGHT-TO-LEFT OVERRIDE */
	clean("\xe2\x80\xae" "gro.elpmaxe@nai", out);
	assert_string_equal(out, "gro.elpmaxe@nai");
	/* U+202A..U+202D, U+2066..U+2069, U+200B..U+200F, U+061C, BOM */
	clean("a\xe2\x80\xaa" "b\xe2\x80\xad" "c\xe2\x81\xa6" "d\xe2\x81\xa9"
	    "e\xe2\x80\x8b" "f\xe2\x80\x8f" "g\xd8\x9c" "h\xef\xbb\xbf" "i",
	    out);
	assert_string_equal(out, "abcdefghi");
	/* Interlinear annotation U+FFF9..U+FFFB */
	clean("j\xef\xbf\xb9k\xef\xbf\xbbl", out);
	assert_string_equal(out, "jkl");
}

/* Appends code point c to s as UTF-8. */
static void
put(char *s, uint32_t c)
{
	size_t	 n = strlen(s);

	s[n + uni_encode(c, s + n)] = '\0';
}

/*
 * Each code point between two letters: a dropped one leaves "ab", a
 * kept one "a" c "b".
 */
static void
check_each(const uint32_t *cp, size_t n, int kept)
{
	char	 in[16], want[16], out[VALID_NAME_BYTES + 1];
	size_t	 i;

	for (i = 0; i < n; i++) {
		in[0] = '\0';
		put(in, 'a');
		put(in, cp[i]);
		put(in, 'b');
		(void)clean(in, out);
		want[0] = '\0';
		put(want, 'a');
		if (kept)
			put(want, cp[i]);
		put(want, 'b');
		if (strcmp(out, want) != 0)
			fail_msg("U+%04X %s", (unsigned)cp[i],
			    kept ? "dropped" : "kept");
	}
}

static void
test_name_format_unassigned_private_dropped(void **state)
{
	/* Cf: word joiner and invisible operators, soft hyphen, Mongolian
	 * vowel separator, ZWJ, the tag characters, Kaithi number sign,
	 * shorthand format controls. */
	static const uint32_t cf[] = {
		0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x00ad, 0x180e,
		0x200d, 0xe0001, 0xe0020, 0xe0041, 0xe007f, 0x110bd, 0x1bca0,
	};
	/* Cn: unassigned, noncharacters, the unassigned start of the tag
	 * block. */
	static const uint32_t cn[] = {
		0x0378, 0x2065, 0xe0000, 0xe0080, 0xfdd0, 0xfffe, 0xffff,
		0x40000, 0x10ffff,
	};
	/* Co: the three private use areas, first and last. */
	static const uint32_t co[] = {
		0xe000, 0xf8ff, 0xf0000, 0xffffd, 0x100000, 0x10fffd,
	};
	/* Letters, marks, symbols, also inside the ranges UnicodeData.txt
	 * gives by their ends (CJK, Hangul). */
	static const uint32_t keep[] = {
		0x00e9, 0x0301, 0xfe0f, 0x3400, 0x4dbf, 0x4e00, 0xac00, 0xd7a3,
		0x20000, 0x2a6df, 0x1f600, 0xfffd, 0x05d0, 0x0627,
	};

	(void)state;
	check_each(cf, sizeof(cf) / sizeof(cf[0]), 0);
	check_each(cn, sizeof(cn) / sizeof(cn[0]), 0);
	check_each(co, sizeof(co) / sizeof(co[0]), 0);
	check_each(keep, sizeof(keep) / sizeof(keep[0]), 1);
}

static void
test_name_invalid_utf8_replaced(void **state)
{
	char	 out[VALID_NAME_BYTES + 1];

	(void)state;
	clean("a\xff" "b", out);
	assert_string_equal(out, "a\xef\xbf\xbd" "b");
	/* Overlong "/" and an encoded surrogate. */
	clean("\xc0\xaf" "x\xed\xa0\x80", out);
	assert_string_equal(out, "\xef\xbf\xbd\xef\xbf\xbdx"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* A sequence cut short by the end of the input. */
	clean("ok\xe2\x82", out);
	assert_string_equal(out, "ok\xef\xbf\xbd\xef\xbf\xbd");
	/* Above U+10FFFF. */
	clean("\xf4\x90\x80\x80", out);
	assert_int_equal(cps(out), 4);
	/* 4-byte sequences survive. */
	clean("\xf0\x9f\x98\x80", out);
	assert_string_equal(out, "\xf0\x9f\x98\x80");
}

static void
test_name_capped_in_code_points(void **state)
{
	char	 in[10240 + 1], out[VALID_NAME_BYTES + 1];
	size_t	 n, i;

	(void)state;
	memset(in, 'x', 10240);
	in[10240] = '\0';
	n = clean(in, out);
	assert_int_equal(n, VALID_NAME_MAX);
	assert_int_equal(strlen(out), VALID_NAME_MAX);

	/* 2-byte characters: 150 of them, 300 bytes. */
	for (i = 0; i + 2 <= 10240; i += 2)
		memcpy(in + i, "\xc3\xa9", 2);
	in[i] = '\0';
	n = clean(in, out);
	assert_int_equal(n, 2 * VALID_NAME_MAX);
	assert_int_equal(cps(out), VALID_NAME_MAX);

	/* 4-byte characters fill the buffer exactly. */
	for (i = 0; i + 4 <= 10240; i += 4)
		memcpy(in + i, "\xf0\x9f\x98\x80", 4);
	in[i] = '\0';
	n = clean(in, out);
	assert_int_equal(n, VALID_NAME_BYTES);
	assert_int_equal(cps(out), VALID_NAME_MAX);
}

static void
test_name_cap_never_splits_a_character(void **state)
{
	char	 in[1024], out[VALID_NAME_BYTES + 1];
	size_t	 n;

	(void)state;
	/* 149 ASCII then 3-byte characters: the 150th is whole. */
	memset(in, 'a', 149);
	(void)strcpy(in + 149, "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac");
	n = clean(in, out);
	assert_int_equal(n, 149 + 3);
	assert_memory_equal(out + 149, "\xe2\x82\xac", 3);
	assert_int_equal(cps(out), VALID_NAME_MAX);
}

static void
test_name_cap_drops_trailing_space(void **state)
{
	char	 in[512], out[VALID_NAME_BYTES + 1];
	size_t	 n;

	(void)state;
	/* 149 letters, a space, more letters: no dangling space. */
	memset(in, 'a', 149);
	(void)strcpy(in + 149, " bbbb");
	n = clean(in, out);
	assert_int_equal(n, 149);
	assert_int_not_equal(out[n - 1], ' ');
	/* 148 letters, a space, more letters: "a..a b". */
	memset(in, 'a', 148);
	(void)strcpy(in + 148, " bbbb");
	n = clean(in, out);
	assert_int_equal(n, 150);
	assert_string_equal(out + 147, "a b");
}

static void
test_name_small_buffer_not_overrun(void **state)
{
	char	 out[8];
	size_t	 n;

	(void)state;
	memset(out, 'Z', sizeof(out));
	n = valid_clean_name("abcdefghijklmnop", 16, out, 6);
	assert_true(n < 6);
	assert_int_equal(out[n], '\0');
	assert_int_equal(out[6], 'Z');
	assert_int_equal(valid_clean_name("abc", 3, out, 0), 0);
}

/* valid_name_safe(): what any Unicode version's cleaning could write. */
static void
test_name_safe(void **state)
{
	static const char *const good[] = {
		"Anna", "Anna B", "Ren\xc3\xa9" "e", "A \xcd\xb8",	/* U+0378 */
		"\xee\x80\x80", "\xf4\x8f\xbf\xbf x",	/* U+E000, U+10FFFF */
		"\xef\xbf\xbd",			/* U+FFFD */
	};
	static const char *const bad[] = {
		"", " A", "A ", "A  B", "A\tB", "A\nB", "A\x7f",
		"A\xe2\x80\xae" "B", "A\xe2\x81\xa6" "B", "A\xe2\x80\x8b" "B",	/* bidi, ZWSP */
		"A\xc2\xa0" "B", "A\xe2\x80\xa8" "B",	/* NBSP, line separator */
		"A\xff", "A\xed\xa0\x80", "A\xc0\xa0", "A\xcd",
		"\xf3\xa0\x80\x81",			/* a tag character */
	};
	char	 in[VALID_NAME_MAX + 2], out[VALID_NAME_BYTES + 1];
	size_t	 i, n;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!valid_name_safe(good[i], strlen(good[i])))
			fail_msg("refused good case %zu", i);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (valid_name_safe(bad[i], strlen(bad[i])))
			fail_msg("accepted bad case %zu", i);
	assert_false(valid_name_safe("A\0B", 3));
	assert_false(valid_name_safe(NULL, 0));
	memset(in, 'x', sizeof(in));
	assert_true(valid_name_safe(in, VALID_NAME_MAX));
	assert_false(valid_name_safe(in, VALID_NAME_MAX + 1));
	/* Whatever valid_clean_name() writes passes. */
	n = valid_clean_name(" A\t\xe2\x80\xae B\xff\xcd\xb8 ", 12, out,
	    sizeof(out));
	assert_true(valid_name_safe(out, n));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_name_good),
		cmocka_unit_test(test_list_name_bad),
		cmocka_unit_test(test_list_name_n_stops_at_length),
		cmocka_unit_test(test_format_name),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_pgp_fingerprint),
		cmocka_unit_test(test_email_good_and_domain_lowered),
		cmocka_unit_test(test_email_reasons),
		cmocka_unit_test(test_email_nul_and_newline_refused),
		cmocka_unit_test(test_email_length_limits),
		cmocka_unit_test(test_lower),
		cmocka_unit_test(test_name_plain_kept),
		cmocka_unit_test(test_name_line_breaks_become_spaces),
		cmocka_unit_test(test_name_whitespace_folded_and_trimmed),
		cmocka_unit_test(test_name_controls_dropped),
		cmocka_unit_test(test_name_bidi_and_invisibles_dropped),
		cmocka_unit_test(test_name_format_unassigned_private_dropped),
		cmocka_unit_test(test_name_invalid_utf8_replaced),
		cmocka_unit_test(test_name_capped_in_code_points),
		cmocka_unit_test(test_name_cap_never_splits_a_character),
		cmocka_unit_test(test_name_cap_drops_trailing_space),
		cmocka_unit_test(test_name_small_buffer_not_overrun),
		cmocka_unit_test(test_name_safe),
	};

	return cmocka_run_group_tests_name("lib_valid", tests, NULL, NULL);
}
