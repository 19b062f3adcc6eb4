/*
 * fuzz_valid: lib/valid.c, the allow-lists every external string passes.
 *
 * The whole input is one candidate for each check.  Invariants:
 *  - valid_clean_name(): valid UTF-8 (by iconv), no code point that
 *    uni_invisible() names (controls, format, private use, unassigned)
 *    nor a line separator, at most VALID_NAME_MAX code points and
 *    VALID_NAME_BYTES bytes, no NUL, no leading, trailing or double
 *    space, and cleaning its own output changes nothing;
 *  - valid_email(): an accepted address is copied byte for byte but for
 *    a lower-cased domain, has one '@', no byte a format would have to
 *    quote or that could end a field or line (white space, controls,
 *    < > " , ; \ and non-ASCII), and is accepted again unchanged;
 *  - valid_list_name_n(), valid_list_name(), valid_format_name(),
 *    valid_fingerprint(): agree with POSIX regular expressions of their
 *    patterns.
 */
#include <regex.h>

#include "fuzz.h"
#include "valid.h"

/* The allow-lists as POSIX extended regular expressions: an oracle by
 * another algorithm than lib/valid.c's loops. */
static regex_t	 re_list, re_format, re_fpr;

static void
re_init(regex_t *re, const char *pattern)
{
	if (regcomp(re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		abort();
}

/* Does re take the n bytes at s (no NUL among them)? */
static int
re_takes(const regex_t *re, const char *s, size_t n)
{
	char	*c;
	int	 m;

	if (memchr(s, '\0', n) != NULL)
		return 0;
	c = fuzz_strndup(s, n, n);
	m = regexec(re, c, 0, NULL, 0) == 0;
	free(c);
	return m;
}

static void
check_name(const char *in, size_t n)
{
	char	 out[VALID_NAME_BYTES + 1], again[VALID_NAME_BYTES + 1];
	size_t	 len, len2, i;
	long	 ncp;

	len = valid_clean_name(in, n, out, sizeof(out));
	FUZZ_ASSERT(len < sizeof(out) && out[len] == '\0', "len %zu", len);
	FUZZ_ASSERT(strlen(out) == len, "NUL inside the cleaned name");
	ncp = fuzz_utf8(out, len, fuzz_bad_cp);
	FUZZ_ASSERT(ncp >= 0, "invalid UTF-8 or a forbidden character");
	FUZZ_ASSERT(ncp <= VALID_NAME_MAX, "%ld code points", ncp);
	FUZZ_ASSERT(len == 0 || (out[0] != ' ' && out[len - 1] != ' '),
	    "not trimmed");
	for (i = 0; i + 1 < len; i++)
		FUZZ_ASSERT(!(out[i] == ' ' && out[i + 1] == ' '),
		    "double space at %zu", i);
	len2 = valid_clean_name(out, len, again, sizeof(again));
	FUZZ_ASSERT(len2 == len && memcmp(out, again, len) == 0,
	    "not idempotent");
	/* A tiny buffer is never overrun. */
	len2 = valid_clean_name(in, n, again, 8);
	FUZZ_ASSERT(len2 < 8 && fuzz_utf8(again, len2, fuzz_bad_cp) >= 0,
	    "short buffer");
}

static void
check_email(const char *in, size_t n)
{
	char		 out[VALID_EMAIL_MAX + 1], again[VALID_EMAIL_MAX + 1];
	const char	*at;
	size_t		 i, ats = 0;

	if (valid_email(in, n, out, sizeof(out)) != EMAIL_OK) {
		FUZZ_ASSERT(out[0] == '\0', "output left on refusal");
		return;
	}
	FUZZ_ASSERT(n <= VALID_EMAIL_MAX && strlen(out) == n, "length");
	at = strchr(out, '@');
	FUZZ_ASSERT(at != NULL && at > out, "no local part");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];

		FUZZ_ASSERT(c > 0x20 && c < 0x7f, "byte 0x%02x", c);
		FUZZ_ASSERT(strchr("<>\",;\\()[]:", c) == NULL,
		    "special '%c'", c);
		if (c == '@')
			ats++;
		if (out + i < at)
			FUZZ_ASSERT(out[i] == in[i], "local part changed");
		else
			FUZZ_ASSERT(!(c >= 'A' && c <= 'Z') &&
			    (out[i] == in[i] || out[i] == in[i] + 32),
			    "domain not lower-cased");
	}
	FUZZ_ASSERT(ats == 1, "%zu @", ats);
	FUZZ_ASSERT(out[0] != '.' && at[-1] != '.' && strstr(out, "..") ==
	    NULL, "dots");
	FUZZ_ASSERT(valid_email(out, n, again, sizeof(again)) == EMAIL_OK &&
	    strcmp(out, again) == 0, "not idempotent");
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* In the C locale, [a-z] is exactly the 26 letters. */
	re_init(&re_list, "^[a-z0-9][a-z0-9._-]{0,63}$");
	re_init(&re_format, "^[a-z0-9][a-z0-9_-]{0,31}$");
	re_init(&re_fpr, "^[0-9a-f]{40}$");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*in = (const char *)data;
	char		*s;
	size_t		 n;

	check_name(in, size);
	check_email(in, size);

	FUZZ_ASSERT(valid_list_name_n(in, size) ==
	    re_takes(&re_list, in, size), "valid_list_name_n");
	s = fuzz_strndup(data, size, 1024);
	n = strlen(s);
	FUZZ_ASSERT(valid_list_name(s) == re_takes(&re_list, s, n),
	    "valid_list_name");
	FUZZ_ASSERT(valid_format_name(s) == re_takes(&re_format, s, n),
	    "valid_format_name");
	FUZZ_ASSERT(valid_fingerprint(s) == re_takes(&re_fpr, s, n),
	    "valid_fingerprint");
	free(s);
	return 0;
}
