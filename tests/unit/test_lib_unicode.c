/*
 * Unit test of lib/unicode.c: the UTF-8 decoder and encoder, and the
 * generated table of invisible code points, checked for every code point
 * against UnicodeData.txt read here one code point at a time.
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

/* Debian's unicode-data package; LF_UCD overrides. */
#define UCD_FILE	"/usr/share/unicode/UnicodeData.txt"

static size_t
dec(const char *s, size_t n, uint32_t *cp)
{
	*cp = 0x12345;
	return uni_decode(s, n, cp);
}

static void
test_decode_good(void **state)
{
	static const struct { const char *s; size_t len; uint32_t cp; } t[] = {
		{ "A", 1, 0x41 }, { "\x7f", 1, 0x7f },
		{ "\xc2\x80", 2, 0x80 }, { "\xc3\xa9", 2, 0xe9 },
		{ "\xdf\xbf", 2, 0x7ff }, { "\xe0\xa0\x80", 3, 0x800 },
		{ "\xed\x9f\xbf", 3, 0xd7ff }, { "\xee\x80\x80", 3, 0xe000 },
		{ "\xef\xbf\xbf", 3, 0xffff }, { "\xf0\x90\x80\x80", 4, 0x10000 },
		{ "\xf0\x9f\x98\x80", 4, 0x1f600 },
		{ "\xf4\x8f\xbf\xbf", 4, 0x10ffff },
	};
	uint32_t	 cp;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(dec(t[i].s, strlen(t[i].s), &cp), t[i].len);
		assert_int_equal(cp, t[i].cp);
		/* Bytes after the sequence are not read into it. */
		assert_int_equal(dec(t[i].s, t[i].len, &cp), t[i].len);
	}
	assert_int_equal(dec("\0x", 2, &cp), 1);
	assert_int_equal(cp, 0);
}

static void
test_decode_bad(void **state)
{
	static const char *const bad[] = {
		"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80",
		"\xe0\x9f\xbf", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",
		"\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80",
		"\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "\xfe", "\xff",
		"\xc3(", "\xe2\x82(", "\xf0\x9f\x98(", "\xc3\xc3\xa9",
	};
	uint32_t	 cp;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (dec(bad[i], strlen(bad[i]), &cp) != 0)
			fail_msg("accepted bad[%zu]", i);
		assert_int_equal(cp, UNI_REPLACEMENT);
	}
	/* Cut short by the end of the input. */
	assert_int_equal(dec("\xc3\xa9", 1, &cp), 0);
	assert_int_equal(dec("\xe2\x82\xac", 2, &cp), 0);
	assert_int_equal(dec("\xf0\x9f\x98\x80", 3, &cp), 0);
	assert_int_equal(dec("x", 0, &cp), 0);
}

/* Every code point encodes to what the decoder reads back whole. */
static void
test_encode_round_trip(void **state)
{
	char		 b[UNI_LEN_MAX + 1];
	uint32_t	 c, cp;
	size_t		 len;

	(void)state;
	for (c = 0; c <= UNI_MAX; c++) {
		if (c >= 0xd800 && c <= 0xdfff)
			continue;
		len = uni_encode(c, b);
		assert_int_equal(len, c < 0x80 ? 1 : c < 0x800 ? 2 :
		    c < 0x10000 ? 3 : 4);
		if (dec(b, len, &cp) != len || cp != c)
			fail_msg("U+%04X does not round-trip", (unsigned)c);
	}
}

/* Every 1-, 2- and 3-byte input: accepted exactly when it is the
 * encoder's output for the code point decoded. */
static void
test_decode_only_canonical(void **state)
{
	unsigned char	 in[3];
	char		 again[UNI_LEN_MAX];
	uint32_t	 x, cp;
	size_t		 n, k, len;

	(void)state;
	for (n = 1; n <= 3; n++)
		for (x = 0; x < (1u << (8 * n)); x++) {
			for (k = 0; k < n; k++)
				in[k] = (unsigned char)(x >> (8 * (n - 1 - k)));
			len = dec((const char *)in, n, &cp);
			if (len == 0) {
				assert_int_equal(cp, UNI_REPLACEMENT);
				continue;
			}
			if (len > n || uni_encode(cp, again) != len ||
			    memcmp(again, in, len) != 0)
				fail_msg("%zu bytes %06x: bad decode",
				    n, (unsigned)x);
		}
}

/* The General Category of every code point, from UnicodeData.txt. */
static char	 cat[UNI_MAX + 1][3];

static void
read_ucd(void)
{
	const char	*path = getenv("LF_UCD") != NULL ? getenv("LF_UCD") :
			    UCD_FILE;
	char		 line[512], *f[4], *p;
	unsigned long	 cp, first = 0;
	FILE		*fp;
	int		 k;

	for (cp = 0; cp <= UNI_MAX; cp++)
		memcpy(cat[cp], "Cn", 3);
	if ((fp = fopen(path, "r")) == NULL)
		fail_msg("%s: cannot open (package unicode-data)", path);
	while (fgets(line, sizeof(line), fp) != NULL) {
		for (k = 0, p = line; k < 4 && p != NULL; k++)
			f[k] = strsep(&p, ";");
		assert_int_equal(k, 4);
		cp = strtoul(f[0], NULL, 16);
		assert_true(cp <= UNI_MAX && strlen(f[2]) == 2);
		if (strstr(f[1], ", First>") != NULL)
			first = cp;
		else if (strstr(f[1], ", Last>") != NULL)
			for (; first < cp; first++)
				memcpy(cat[first], f[2], 3);
		memcpy(cat[cp], f[2], 3);
	}
	(void)fclose(fp);
}

static void
test_invisible_matches_ucd(void **state)
{
	uint32_t	 c;
	int		 want;

	(void)state;
	read_ucd();
	for (c = 0; c <= UNI_MAX; c++) {
		want = cat[c][0] == 'C';	/* Cc Cf Cn Co Cs */
		if (uni_invisible(c) != want)
			fail_msg("U+%04X (%s): uni_invisible %d", (unsigned)c,
			    cat[c], !want);
	}
	assert_int_equal(uni_invisible(UNI_MAX + 1), 1);
	assert_int_equal(uni_invisible(0xffffffff), 1);
	/* What the names rely on, by name. */
	assert_true(uni_invisible(0x2060) && uni_invisible(0x2064) &&
	    uni_invisible(0xe0000) && uni_invisible(0xe0001) &&
	    uni_invisible(0xe007f) && uni_invisible(0x202e) &&
	    uni_invisible(0xe000) && uni_invisible(0x0378));
	assert_false(uni_invisible('a') || uni_invisible(0xe9) ||
	    uni_invisible(0x4e00) || uni_invisible(0xfffd));
}

/* uni_control(): Cc, Cf and Cs only; unassigned and private use pass. */
static void
test_control_matches_ucd(void **state)
{
	uint32_t	 c;
	int		 want;

	(void)state;
	read_ucd();
	for (c = 0; c <= UNI_MAX; c++) {
		want = strcmp(cat[c], "Cc") == 0 || strcmp(cat[c], "Cf") == 0 ||
		    strcmp(cat[c], "Cs") == 0;
		if (uni_control(c) != want)
			fail_msg("U+%04X (%s): uni_control %d", (unsigned)c,
			    cat[c], !want);
	}
	assert_int_equal(uni_control(UNI_MAX + 1), 1);
	assert_true(uni_control(0x202e) && uni_control(0x2066) &&
	    uni_control(0x200b) && uni_control(0xe0001) && uni_control(0x7f));
	assert_false(uni_control(0x0378) || uni_control(0xe000) ||
	    uni_control(0x10ffff) || uni_control('a'));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_good),
		cmocka_unit_test(test_decode_bad),
		cmocka_unit_test(test_encode_round_trip),
		cmocka_unit_test(test_decode_only_canonical),
		cmocka_unit_test(test_invisible_matches_ucd),
		cmocka_unit_test(test_control_matches_ucd),
	};

	return cmocka_run_group_tests_name("lib_unicode", tests, NULL, NULL);
}
