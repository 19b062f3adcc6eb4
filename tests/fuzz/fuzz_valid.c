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
 *    valid_fingerprint(): agree with a plain reading of their patterns.
 */
#include "fuzz.h"
#include "valid.h"

static int
lalnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int
list_name_ref(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > VALID_LIST_MAX || !lalnum(s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!lalnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
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
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*in = (const char *)data;
	char		*s;
	size_t		 i;
	int		 v;

	check_name(in, size);
	check_email(in, size);

	v = valid_list_name_n(in, size);
	FUZZ_ASSERT(v == list_name_ref(in, size), "valid_list_name_n");
	s = fuzz_strndup(data, size, 1024);
	FUZZ_ASSERT(valid_list_name(s) ==
	    list_name_ref(s, strlen(s)), "valid_list_name");
	if (valid_format_name(s)) {
		FUZZ_ASSERT(strlen(s) <= VALID_FORMAT_MAX && lalnum(s[0]),
		    "format name");
		for (i = 0; s[i] != '\0'; i++)
			FUZZ_ASSERT(lalnum(s[i]) || s[i] == '_' ||
			    s[i] == '-', "format name byte");
	}
	if (valid_fingerprint(s)) {
		FUZZ_ASSERT(strlen(s) == 40, "fingerprint length");
		for (i = 0; i < 40; i++)
			FUZZ_ASSERT((s[i] >= '0' && s[i] <= '9') ||
			    (s[i] >= 'a' && s[i] <= 'f'), "fingerprint byte");
	}
	free(s);
	return 0;
}
