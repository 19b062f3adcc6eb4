/*
 * Unit test of lib/tmpl.c (expansion and escapes) and lib/format.c
 * (the .format files, the real ones in templates/ and hostile ones).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "format.h"
#include "tmpl.h"
#include "tmpdir.h"

#define TEMPLATES	"templates"	/* tests run from the repository */

struct kv {
	const char	*k, *v;
};

static const struct kv	 vals[] = {
	{ "email", "jan@example.org" },
	{ "name", "Jan \"JJ\" Jansen" },
	{ "empty", "" },
	{ "amp", "a&b<c>'d'" },
	{ NULL, NULL }
};

static int
lookup(void *ctx, const char *key, const char **val, size_t *len)
{
	const struct kv	*p;

	for (p = ctx; p->k != NULL; p++)
		if (strcmp(p->k, key) == 0) {
			*val = p->v;
			*len = strlen(p->v);
			return 0;
		}
	return -1;
}

static const char *
expand(struct buf *b, const char *t, enum esc esc)
{
	buf_reset(b);
	if (tmpl_expand(b, t, strlen(t), lookup, (void *)(uintptr_t)vals,
	    esc) == -1)
		return NULL;
	return buf_str(b);
}

static const char *
esc(struct buf *b, const char *s, enum esc e)
{
	buf_reset(b);
	if (esc_append(b, s, strlen(s), e) == -1)
		return NULL;
	return buf_str(b);
}

static void
test_expand_literal_and_keys(void **state)
{
	struct buf	 b = BUF_INIT;

	(void)state;
	assert_string_equal(expand(&b, "", ESC_NONE), "");
	assert_string_equal(expand(&b, "plain text", ESC_NONE), "plain text");
	assert_string_equal(expand(&b, "<{email}>\t{name}!", ESC_NONE),
	    "<jan@example.org>\tJan \"JJ\" Jansen!");
	assert_string_equal(expand(&b, "{email}{email}", ESC_NONE),
	    "jan@example.org" "jan@example.org");
	assert_string_equal(expand(&b, "[{empty}]", ESC_NONE), "[]");
	buf_free(&b);
}

static void
test_expand_braces(void **state)
{
	struct buf	 b = BUF_INIT;

	(void)state;
	assert_string_equal(expand(&b, "{{email}}", ESC_NONE), "{email}");
	assert_string_equal(expand(&b, "a{{b}}c{{{email}}}", ESC_NONE),
	    "a{b}c{jan@example.org}");
	buf_free(&b);
}

static void
test_expand_errors(void **state)
{
	static const char *const bad[] = {
		"{", "}", "a}b", "{}", "{email", "{Email}", "{e-mail}",
		"{nosuch}", "{ email}", "x{email}}", "{{{", "{1}",
	};
	struct buf	 b = BUF_INIT;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (expand(&b, bad[i], ESC_NONE) != NULL)
			fail_msg("accepted \"%s\"", bad[i]);
	buf_free(&b);
}

static void
test_expand_escapes_values_not_literals(void **state)
{
	struct buf	 b = BUF_INIT;

	(void)state;
	assert_string_equal(expand(&b, "<p title=\"x\">{amp}</p>", ESC_HTML),
	    "<p title=\"x\">a&amp;b&lt;c&gt;&#39;d&#39;</p>");
	assert_string_equal(expand(&b, "{name},{email}", ESC_CSV),
	    "\"Jan \"\"JJ\"\" Jansen\",jan@example.org");
	buf_free(&b);
}

static void
test_expand_raw_keys(void **state)
{
	static const char *const raw[] = { "email", NULL };
	static const struct kv	 v[] = {
		{ "email", "a.b@example.org" }, { "name", "A. B" },
		{ NULL, NULL }
	};
	struct buf	 b = BUF_INIT;
	const char	*t = "{name} <{email}>";

	(void)state;
	assert_int_equal(tmpl_expand_raw(&b, t, strlen(t), lookup,
	    (void *)(uintptr_t)v, ESC_MAILBOX, raw), 0);
	assert_string_equal(buf_str(&b), "\"A. B\" <a.b@example.org>");
	buf_reset(&b);
	assert_int_equal(tmpl_expand(&b, t, strlen(t), lookup,
	    (void *)(uintptr_t)v, ESC_MAILBOX), 0);
	assert_string_equal(buf_str(&b), "\"A. B\" <\"a.b@example.org\">");
	buf_free(&b);
}

static void
test_key_length_limit(void **state)
{
	static const char *const keys[] = {
		"abcdefghijklmnopqrstuvwxyzabcde", NULL		/* 31 */
	};
	char	 why[128];

	(void)state;
	assert_int_equal(tmpl_check("{abcdefghijklmnopqrstuvwxyzabcde}", 33,
	    keys, why, sizeof(why)), 0);
	assert_int_equal(tmpl_check("{abcdefghijklmnopqrstuvwxyzabcdef}", 34,
	    keys, why, sizeof(why)), -1);
	assert_string_equal(why, "bad placeholder at offset 0");
}

static void
test_check_reasons(void **state)
{
	static const char *const keys[] = { "email", "name", NULL };
	char	 why[128];

	(void)state;
	assert_int_equal(tmpl_check("{email}\t{name}", 14, keys, why,
	    sizeof(why)), 0);
	assert_int_equal(tmpl_check("{email} {owner}", 15, keys, why,
	    sizeof(why)), -1);
	assert_string_equal(why, "unknown key {owner}");
	assert_int_equal(tmpl_check("ab}", 3, keys, why, sizeof(why)), -1);
	assert_string_equal(why, "stray } at offset 2");
	assert_int_equal(tmpl_check("a{b", 3, keys, NULL, 0), -1);
	/* The length bounds the template, not a NUL. */
	assert_int_equal(tmpl_check("{email}{", 7, keys, NULL, 0), 0);
}

static void
test_esc_none(void **state)
{
	struct buf	 b = BUF_INIT;

	(void)state;
	assert_string_equal(esc(&b, "a,\"b\"\t<c>", ESC_NONE), "a,\"b\"\t<c>");
	buf_free(&b);
}

static void
test_esc_csv_plain_and_quoted(void **state)
{
	struct buf	 b = BUF_INIT;

	(void)state;
	assert_string_equal(esc(&b, "Jan Jansen", ESC_CSV), "Jan Jansen");
	assert_string_equal(esc(&b, "", ESC_CSV), "");
	assert_string_equal(esc(&b, "Jansen, Jan", ESC_CSV),
	    "\"Jansen, Jan\"");
	assert_string_equal(esc(&b, "say \"hi\"", ESC_CSV),
	    "\"say \"\"hi\"\"\"");
	assert_string_equal(esc(&b, "a\r\nb", ESC_CSV), "\"a\r\nb\"");
	assert_string_equal(esc(&b, "O'Brien", ESC_CSV), "O'Brien");
	buf_free(&b);
}

static void
test_esc_csv_formula_neutralised(void **state)
{
	struct buf	 b = BUF_INIT;

	(void)state;
	assert_string_equal(esc(&b, "=1+1", ESC_CSV), "\"'=1+1\"");
	assert_string_equal(esc(&b, "+31 6", ESC_CSV), "\"'+31 6\"");
	assert_string_equal(esc(&b, "-2", ESC_CSV), "\"'-2\"");
	assert_string_equal(esc(&b, "@SUM(A1)", ESC_CSV), "\"'@SUM(A1)\"");
	assert_string_equal(esc(&b, "\tx", ESC_CSV), "\"'\tx\"");
	assert_string_equal(esc(&b, "\rx", ESC_CSV), "\"'\rx\"");
	assert_string_equal(esc(&b, "=HYPERLINK(\"x\",\"y\")", ESC_CSV),
	    "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
	/* Only the first character counts. */
	assert_string_equal(esc(&b, "a=b", ESC_CSV), "a=b");
	buf_free(&b);
}

static void
test_esc_csv_nul_byte_is_not_a_formula(void **state)
{
	struct buf	 b = BUF_INIT;

	(void)state;
	assert_int_equal(esc_append(&b, "\0a", 2, ESC_CSV), 0);
	assert_int_equal(b.len, 2);
	assert_memory_equal(b.data, "\0a", 2);
	buf_free(&b);
}

static void
test_esc_html(void **state)
{
	struct buf	 b = BUF_INIT;

	(void)state;
	assert_string_equal(esc(&b, "<script>alert('x&y')</script>\"",
	    ESC_HTML), "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;"
	    "&quot;");
	assert_string_equal(esc(&b, "plain", ESC_HTML), "plain");
	buf_free(&b);
}

static void
test_esc_mailbox(void **state)
{
	struct buf	 b = BUF_INIT;

	(void)state;
	assert_string_equal(esc(&b, "Jan Jansen", ESC_MAILBOX), "Jan Jansen");
	assert_string_equal(esc(&b, "Zo\xc3\xab", ESC_MAILBOX),
	    "Zo\xc3\xab");
	assert_string_equal(esc(&b, "Jansen, Jan", ESC_MAILBOX),
	    "\"Jansen, Jan\"");
	assert_string_equal(esc(&b, "Jan \"JJ\"", ESC_MAILBOX),
	    "\"Jan \\\"JJ\\\"\"");
	assert_string_equal(esc(&b, "a\\b", ESC_MAILBOX), "\"a\\\\b\"");
	assert_string_equal(esc(&b, "Jan (work)", ESC_MAILBOX),
	    "\"Jan (work)\"");
	assert_string_equal(esc(&b, "<evil@x.org>", ESC_MAILBOX),
	    "\"<evil@x.org>\"");
	assert_string_equal(esc(&b, "a;b:c", ESC_MAILBOX), "\"a;b:c\"");
	buf_free(&b);
}

static void
test_esc_parse(void **state)
{
	(void)state;
	assert_int_equal(esc_parse("none"), ESC_NONE);
	assert_int_equal(esc_parse("csv"), ESC_CSV);
	assert_int_equal(esc_parse("html"), ESC_HTML);
	assert_int_equal(esc_parse("mailbox"), ESC_MAILBOX);
	assert_int_equal(esc_parse("CSV"), -1);
	assert_int_equal(esc_parse(""), -1);
}

static void
test_buf_basics(void **state)
{
	struct buf	 b = BUF_INIT;
	size_t		 i;

	(void)state;
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_printf(&b, "%d-%s", 42, "x"), 0);
	assert_int_equal(buf_addc(&b, '!'), 0);
	assert_string_equal(buf_str(&b), "42-x!");
	for (i = 0; i < 1000; i++)
		assert_int_equal(buf_puts(&b, "0123456789"), 0);
	assert_int_equal(b.len, 5 + 10000);
	assert_int_equal(b.data[b.len], '\0');
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_failed(&b), 0);
	buf_free(&b);
	assert_null(b.data);
}

/* The shipped formats. */
static void
test_format_sympa(void **state)
{
	struct lf_format	 f;

	(void)state;
	assert_int_equal(format_load(TEMPLATES, "sympa", &f), 0);
	assert_string_equal(f.name, "sympa");
	assert_string_equal(f.description, "Sympa include_remote_file");
	assert_int_equal(f.escape, ESC_NONE);
	assert_string_equal(f.newline, "\n");
	assert_null(f.header);
	assert_string_equal(f.row, "{email}\t{name}");
	assert_string_equal(f.row_noname, "{email}");
	format_free(&f);
	assert_null(f.name);
}

static void
test_format_csv(void **state)
{
	struct lf_format	 f;

	(void)state;
	assert_int_equal(format_load(TEMPLATES, "csv", &f), 0);
	assert_int_equal(f.escape, ESC_CSV);
	assert_string_equal(f.newline, "\r\n");
	assert_string_equal(f.header, "email,name,reception,owner,moderator");
	assert_string_equal(f.row,
	    "{email},{name},{reception},{owner},{moderator}");
	assert_null(f.row_noname);
	format_free(&f);
}

static void
test_format_mailman(void **state)
{
	struct lf_format	 f;

	(void)state;
	assert_int_equal(format_load(TEMPLATES, "mailman", &f), 0);
	assert_int_equal(f.escape, ESC_MAILBOX);
	assert_string_equal(f.newline, "\n");
	assert_null(f.header);
	assert_string_equal(f.row, "{name} <{email}>");
	assert_string_equal(f.row_noname, "{email}");
	format_free(&f);
}

/* Writes dir/name.format with text. */
static void
put(const char *name, const char *text)
{
	char	 path[128];
	FILE	*f;

	(void)snprintf(path, sizeof(path), "%s/%s.format", dir, name);
	assert_non_null(f = fopen(path, "w"));
	(void)fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void
test_format_custom(void **state)
{
	struct lf_format	 f;

	(void)state;
	put("tabbed", "[format]\n"
	    "escape = csv\n"
	    "newline = crlf\n"
	    "header = e\\tn\\\\x\n"
	    "row = {email}\\t{name}\\\\{{\n");
	assert_int_equal(format_load(dir, "tabbed", &f), 0);
	assert_null(f.description);
	assert_int_equal(f.escape, ESC_CSV);
	assert_string_equal(f.newline, "\r\n");
	assert_string_equal(f.header, "e\tn\\x");
	assert_string_equal(f.row, "{email}\t{name}\\{{");
	assert_null(f.row_noname);
	format_free(&f);
}

static void
test_format_defaults(void **state)
{
	struct lf_format	 f;

	(void)state;
	put("minimal", "[format]\nrow = {email}\n");
	assert_int_equal(format_load(dir, "minimal", &f), 0);
	assert_int_equal(f.escape, ESC_NONE);
	assert_string_equal(f.newline, "\n");
	assert_null(f.header);
	format_free(&f);
}

static void
test_format_bad_files(void **state)
{
	static const char *const bad[] = {
		"",					/* no row */
		"[format]\ndescription = x\n",		/* no row */
		"[other]\nrow = {email}\n",
		"row = {email}\n",
		"[format]\nrow = {email}\nrow = {name}\n",
		"[format]\nrow = {email}\nrow_noname = {email}\n"
		    "row_noname = {email}\n",
		"[format]\nrow = {mail}\n",
		"[format]\nrow = {email\n",
		"[format]\nrow = email}\n",
		"[format]\nrow = {email}\\n\n",
		"[format]\nrow = {email}\\\n",
		"[format]\nrow = {email}\nescape = html\n",
		"[format]\nrow = {email}\nescape = xml\n",
		"[format]\nrow = {email}\nnewline = cr\n",
		"[format]\nrow = {email}\nnosuch = 1\n",
		"[format]\nrow = {email}\nheader = {email}\n",
		"[format]\nrow = {email}\nheader = {nope}\n",
		"[format\nrow = {email}\n",
	};
	struct lf_format	 f;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put("bad", bad[i]);
		if (format_load(dir, "bad", &f) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_null(f.name);
		assert_null(f.row);
	}
}

static void
test_format_bad_names_and_missing(void **state)
{
	struct lf_format	 f;

	(void)state;
	put("Upper", "[format]\nrow = {email}\n");
	assert_int_equal(format_load(dir, "Upper", &f), -1);
	assert_int_equal(format_load(TEMPLATES, "../templates/sympa", &f), -1);
	assert_int_equal(format_load(TEMPLATES, "", &f), -1);
	assert_int_equal(format_load(TEMPLATES, "nosuch", &f), -1);
	assert_int_equal(format_load("/nonexistent", "sympa", &f), -1);
	assert_null(f.name);
}

static void
test_format_row_keys(void **state)
{
	size_t	 n;

	(void)state;
	for (n = 0; format_row_keys[n] != NULL; n++)
		;
	assert_int_equal(n, 5);
	assert_string_equal(format_row_keys[0], "email");
	assert_string_equal(format_row_keys[4], "moderator");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand_literal_and_keys),
		cmocka_unit_test(test_expand_braces),
		cmocka_unit_test(test_expand_errors),
		cmocka_unit_test(test_expand_escapes_values_not_literals),
		cmocka_unit_test(test_expand_raw_keys),
		cmocka_unit_test(test_key_length_limit),
		cmocka_unit_test(test_check_reasons),
		cmocka_unit_test(test_esc_none),
		cmocka_unit_test(test_esc_csv_plain_and_quoted),
		cmocka_unit_test(test_esc_csv_formula_neutralised),
		cmocka_unit_test(test_esc_csv_nul_byte_is_not_a_formula),
		cmocka_unit_test(test_esc_html),
		cmocka_unit_test(test_esc_mailbox),
		cmocka_unit_test(test_esc_parse),
		cmocka_unit_test(test_buf_basics),
		cmocka_unit_test(test_format_sympa),
		cmocka_unit_test(test_format_csv),
		cmocka_unit_test(test_format_mailman),
		cmocka_unit_test(test_format_custom),
		cmocka_unit_test(test_format_defaults),
		cmocka_unit_test(test_format_bad_files),
		cmocka_unit_test(test_format_bad_names_and_missing),
		cmocka_unit_test(test_format_row_keys),
	};

	return cmocka_run_group_tests_name("lib_tmpl", tests, group_setup,
	    group_teardown);
}
