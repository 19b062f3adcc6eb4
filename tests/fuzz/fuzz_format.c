/*
 * fuzz_format: a TEMPLATES/NAME.format file through format_load()
 * (lib/format.c), and the template expander and escapes (lib/tmpl.c).
 * The input is at once the format file, a template and a value.
 *
 * Invariants:
 *  - a loaded format has a row, a known escape (never html) and newline,
 *    and row, row_noname and header pass tmpl_check() with their keys;
 *    render_list() of a list of awkward members then succeeds and writes
 *    at least one newline per member;
 *  - tmpl_expand() succeeds exactly on the templates tmpl_check() takes;
 *  - esc csv: the field parses back (RFC 4180) to the value, with a
 *    leading ' where the value starts with = + - @ TAB or CR;
 *    esc html: no < > " ' left, every & starts one of the five entities,
 *    and unescaping gives the value back;
 *    esc mailbox: either the value as it is (atext, space, non-ASCII) or
 *    a quoted-string that unquotes to it.
 */
#include "fuzz.h"
#include "buf.h"
#include "format.h"
#include "render.h"
#include "tmpl.h"

static struct member	 members[] = {
	{ "anna@example.org", "anna@example.org", "Anna \"A\" <x>, \\y",
	    "Anna", 0, 1, 0, 0 },
	{ "=b@example.org", "=b@example.org", "", "", 1, 0, 1, 0 },
	{ "c@example.org", "c@example.org", "=SUM(A1)", "-1", 1, 1, 1, 0 },
};
static struct members	 list;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	(void)fuzz_tmpdir();
	(void)snprintf(list.name, sizeof(list.name), "deelnemers");
	list.m = members;
	list.n = list.cap = sizeof(members) / sizeof(members[0]);
	list.mail = 1;
	list.digest = 2;
	return 0;
}

static const char	*fuzz_val;
static size_t		 fuzz_vallen;

static int
lookup(void *ctx, const char *key, const char **val, size_t *len)
{
	(void)ctx;
	if (strcmp(key, "email") != 0 && strcmp(key, "name") != 0)
		return -1;
	*val = fuzz_val;
	*len = fuzz_vallen;
	return 0;
}

static void
check_csv(const char *in, size_t n)
{
	struct buf	 out = BUF_INIT, f = BUF_INIT;
	const char	*s;
	size_t		 i, len;
	int		 formula;

	FUZZ_ASSERT(esc_append(&out, in, n, ESC_CSV) == 0, "esc csv");
	s = buf_str(&out);
	len = out.len;
	if (len > 0 && s[0] == '"') {
		for (i = 1;; i++) {
			FUZZ_ASSERT(i < len, "csv: open quote");
			if (s[i] == '"') {
				if (i + 1 < len && s[i + 1] == '"') {
					buf_addc(&f, '"');
					i++;
					continue;
				}
				break;
			}
			buf_addc(&f, s[i]);
		}
		FUZZ_ASSERT(i + 1 == len, "csv: text after the closing quote");
	} else {
		for (i = 0; i < len; i++) {
			FUZZ_ASSERT(strchr(",\"\r\n", s[i]) == NULL ||
			    s[i] == '\0', "csv: unquoted special 0x%02x",
			    (unsigned char)s[i]);
			buf_addc(&f, s[i]);
		}
	}
	formula = n > 0 && in[0] != '\0' && strchr("=+-@\t\r", in[0]) != NULL;
	if (formula)
		FUZZ_ASSERT(f.len == n + 1 && f.data[0] == '\'' &&
		    memcmp(f.data + 1, in, n) == 0, "csv: formula not defused");
	else
		FUZZ_ASSERT(f.len == n && (n == 0 || memcmp(f.data, in, n) == 0),
		    "csv: field is not the value");
	buf_free(&out);
	buf_free(&f);
}

static void
check_html(const char *in, size_t n)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&#39;", '\'' },
	};
	struct buf	 out = BUF_INIT, back = BUF_INIT;
	const char	*s;
	size_t		 i, k, el;

	FUZZ_ASSERT(esc_append(&out, in, n, ESC_HTML) == 0, "esc html");
	s = buf_str(&out);
	for (i = 0; i < out.len; i++) {
		FUZZ_ASSERT(strchr("<>\"'", s[i]) == NULL || s[i] == '\0',
		    "html: raw '%c'", s[i]);
		if (s[i] != '&') {
			buf_addc(&back, s[i]);
			continue;
		}
		for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
			el = strlen(ents[k].ent);
			if (out.len - i >= el && memcmp(s + i, ents[k].ent, el)
			    == 0)
				break;
		}
		FUZZ_ASSERT(k < sizeof(ents) / sizeof(ents[0]),
		    "html: & outside an entity");
		buf_addc(&back, ents[k].c);
		i += el - 1;
	}
	FUZZ_ASSERT(back.len == n && (n == 0 || memcmp(back.data, in, n) == 0),
	    "html: does not unescape to the value");
	buf_free(&out);
	buf_free(&back);
}

static void
check_mailbox(const char *in, size_t n)
{
	struct buf	 out = BUF_INIT, back = BUF_INIT;
	const char	*s;
	size_t		 i;

	FUZZ_ASSERT(esc_append(&out, in, n, ESC_MAILBOX) == 0, "esc mailbox");
	s = buf_str(&out);
	if (out.len == n && (n == 0 || memcmp(s, in, n) == 0)) {
		for (i = 0; i < n; i++)
			FUZZ_ASSERT((unsigned char)s[i] >= 0x80 ||
			    s[i] == ' ' || (s[i] >= 'a' && s[i] <= 'z') ||
			    (s[i] >= 'A' && s[i] <= 'Z') ||
			    (s[i] >= '0' && s[i] <= '9') ||
			    (s[i] != '\0' && strchr("!#$%&'*+-/=?^_`{|}~",
			    s[i]) != NULL), "mailbox: bare special 0x%02x",
			    (unsigned char)s[i]);
		goto done;
	}
	FUZZ_ASSERT(out.len >= 2 && s[0] == '"' && s[out.len - 1] == '"',
	    "mailbox: neither bare nor quoted");
	for (i = 1; i < out.len - 1; i++) {
		FUZZ_ASSERT(s[i] != '"', "mailbox: bare quote inside");
		if (s[i] == '\\') {
			i++;
			FUZZ_ASSERT(i < out.len - 1, "mailbox: escaped end");
		}
		buf_addc(&back, s[i]);
	}
	FUZZ_ASSERT(back.len == n && (n == 0 || memcmp(back.data, in, n) == 0),
	    "mailbox: does not unquote to the value");
done:
	buf_free(&out);
	buf_free(&back);
}

static void
check_format(const struct lf_format *f)
{
	static const char *const	 none[] = { NULL };
	struct buf			 out = BUF_INIT;
	size_t				 i, nl = 0;

	FUZZ_ASSERT(f->row != NULL, "no row");
	FUZZ_ASSERT(f->escape == ESC_NONE || f->escape == ESC_CSV ||
	    f->escape == ESC_MAILBOX, "escape %d", f->escape);
	FUZZ_ASSERT(strcmp(f->newline, "\n") == 0 ||
	    strcmp(f->newline, "\r\n") == 0, "newline");
	FUZZ_ASSERT(tmpl_check(f->row, strlen(f->row), format_row_keys,
	    NULL, 0) == 0, "row");
	FUZZ_ASSERT(f->row_noname == NULL || tmpl_check(f->row_noname,
	    strlen(f->row_noname), format_row_keys, NULL, 0) == 0,
	    "row_noname");
	FUZZ_ASSERT(f->header == NULL || tmpl_check(f->header,
	    strlen(f->header), none, NULL, 0) == 0, "header");
	FUZZ_ASSERT(render_list(&out, f, &list, NAMES_FULL, SF_RECEPTION_ALL) == 0,
	    "render");
	for (i = 0; i < out.len; i++)
		if (out.data[i] == '\n')
			nl++;
	FUZZ_ASSERT(nl >= list.n + (f->header != NULL), "%zu newlines", nl);
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const	 keys[] = { "email", "name", NULL };
	const char			*in = (const char *)data;
	struct lf_format		 f;
	struct buf			 out = BUF_INIT;
	int				 ok, e;

	(void)fuzz_write("fz.format", data, size);
	if (format_load(fuzz_tmpdir(), "fz", &f) == 0) {
		check_format(&f);
		format_free(&f);
	}

	fuzz_val = in;
	fuzz_vallen = size;
	ok = tmpl_check(in, size, keys, NULL, 0) == 0;
	for (e = ESC_NONE; e <= ESC_MAILBOX; e++) {
		buf_reset(&out);
		FUZZ_ASSERT((tmpl_expand(&out, in, size, lookup, NULL,
		    (enum esc)e) == 0) == ok, "tmpl_expand and tmpl_check "
		    "disagree");
	}
	buf_free(&out);

	check_csv(in, size);
	check_html(in, size);
	check_mailbox(in, size);
	return 0;
}
