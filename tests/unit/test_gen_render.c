/*
 * Unit test of gen/render.c with the shipped .format files in
 * templates/: exact bytes for a small list in every format, names modes,
 * reception filters, and hostile names that must never add a line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "collect.h"
#include "format.h"
#include "render.h"

#define TEMPLATES	"templates"	/* tests run from the repository */

struct fixture {
	struct collect		 c;
	struct lf_format	 sympa, csv, mailman;
	struct buf		 out;
};

static void
add(struct collect *c, const char *list, const char *email,
    const char *name, size_t name_len, const char *reception, int owner,
    int moderator)
{
	struct db_row	 r;

	memset(&r, 0, sizeof(r));
	r.list = list;
	r.list_len = strlen(list);
	r.email = email;
	r.email_len = strlen(email);
	r.name = name;
	r.name_len = name_len;
	r.reception = reception;
	r.reception_len = strlen(reception);
	r.owner = owner;
	r.moderator = moderator;
	assert_int_equal(collect_row(c, &r), 0);
}

#define ADD(c, l, e, n, rec, o, m)	add(c, l, e, n, sizeof(n) - 1, rec, o, m)

static int
setup(void **state)
{
	struct fixture	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	collect_init(&f->c);
	buf_init(&f->out);
	if (format_load(TEMPLATES, "sympa", &f->sympa) == -1 ||
	    format_load(TEMPLATES, "csv", &f->csv) == -1 ||
	    format_load(TEMPLATES, "mailman", &f->mailman) == -1)
		return -1;
	/* The small list of the exact-bytes tests. */
	ADD(&f->c, "small", "alice@Example.ORG", "Alice  Adams", "mail", 1, 0);
	ADD(&f->c, "small", "=cmd@example.org", "=HYPERLINK(\"http://x\")",
	    "digest", 0, 0);
	ADD(&f->c, "small", "bob@example.org", "Jansen, Bob \"BJ\"", "mail",
	    0, 1);
	ADD(&f->c, "small", "carol@example.org", "", "digestplain", 0, 0);
	ADD(&f->c, "small", "dave@example.org", "-Dave (work) \\ x", "mail",
	    0, 0);
	ADD(&f->c, "small", "+eve@example.org", "@Eve", "mail", 0, 0);
	ADD(&f->c, "small", "zoe@example.org", "Zo\xc3\xab van 't Hof",
	    "digest", 1, 1);
	/* Hostile names: none may start a line anywhere. */
	ADD(&f->c, "hostile", "a@example.org", "A\nb@evil.example", "mail",
	    0, 0);
	ADD(&f->c, "hostile", "b@example.org", "B\r\nX-Evil: 1", "mail", 0, 0);
	ADD(&f->c, "hostile", "c@example.org", "C\rD", "digest", 0, 0);
	ADD(&f->c, "hostile", "d@example.org", "\tD\tE\t", "mail", 0, 0);
	ADD(&f->c, "hostile", "e@example.org", "E\xe2\x80\xa8" "F\xe2\x80\xa9"
	    "G\xc2\x85H", "mail", 0, 0);
	ADD(&f->c, "hostile", "f@example.org", "F\vG\fH\x1c" "I\x1e" "J",
	    "digest", 0, 0);
	ADD(&f->c, "hostile", "g@example.org", "G\0\nH", "mail", 0, 0);
	ADD(&f->c, "hostile", "h@example.org", "\n\n\n", "mail", 0, 0);
	ADD(&f->c, "hostile", "i@example.org", "\xe2\x80\xae" "I\xff\n",
	    "mail", 0, 0);
	ADD(&f->c, "hostile", "j@example.org", "=1\n=2,\"\r", "mail", 0, 0);
	ADD(&f->c, "hostile", "k@example.org", "\"K\" <x@y.org>\n", "mail",
	    0, 0);
	if (collect_finish(&f->c) == -1)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	collect_free(&f->c);
	format_free(&f->sympa);
	format_free(&f->csv);
	format_free(&f->mailman);
	buf_free(&f->out);
	free(f);
	return 0;
}

static const char *
render(struct fixture *f, const struct lf_format *fmt, const char *list,
    enum names_mode names, enum sympafile_reception which)
{
	const struct members	*l;

	assert_non_null(l = collect_find(&f->c, list));
	buf_reset(&f->out);
	assert_int_equal(render_list(&f->out, fmt, l, names, which), 0);
	assert_int_equal(strlen(buf_str(&f->out)), f->out.len);
	return buf_str(&f->out);
}

static void
test_sympa_full(void **state)
{
	struct fixture	*f = *state;

	assert_string_equal(render(f, &f->sympa, "small", NAMES_FULL,
	    SF_RECEPTION_ALL),
	    "+eve@example.org\t@Eve\n"
	    "=cmd@example.org\t=HYPERLINK(\"http://x\")\n"
	    "alice@example.org\tAlice Adams\n"
	    "bob@example.org\tJansen, Bob \"BJ\"\n"
	    "carol@example.org\n"
	    "dave@example.org\t-Dave (work) \\ x\n"
	    "zoe@example.org\tZo\xc3\xab van 't Hof\n");
}

static void
test_sympa_first(void **state)
{
	struct fixture	*f = *state;

	assert_string_equal(render(f, &f->sympa, "small", NAMES_FIRST,
	    SF_RECEPTION_ALL),
	    "+eve@example.org\t@Eve\n"
	    "=cmd@example.org\t=HYPERLINK(\"http://x\")\n"
	    "alice@example.org\tAlice\n"
	    "bob@example.org\tJansen,\n"
	    "carol@example.org\n"
	    "dave@example.org\t-Dave\n"
	    "zoe@example.org\tZo\xc3\xab\n");
}

static void
test_sympa_none_uses_row_noname(void **state)
{
	struct fixture	*f = *state;

	assert_string_equal(render(f, &f->sympa, "small", NAMES_NONE,
	    SF_RECEPTION_ALL),
	    "+eve@example.org\n"
	    "=cmd@example.org\n"
	    "alice@example.org\n"
	    "bob@example.org\n"
	    "carol@example.org\n"
	    "dave@example.org\n"
	    "zoe@example.org\n");
}

static void
test_sympa_mail_only(void **state)
{
	struct fixture	*f = *state;

	assert_string_equal(render(f, &f->sympa, "small", NAMES_FULL,
	    SF_RECEPTION_MAIL),
	    "+eve@example.org\t@Eve\n"
	    "alice@example.org\tAlice Adams\n"
	    "bob@example.org\tJansen, Bob \"BJ\"\n"
	    "dave@example.org\t-Dave (work) \\ x\n");
}

static void
test_sympa_digest_only(void **state)
{
	struct fixture	*f = *state;

	assert_string_equal(render(f, &f->sympa, "small", NAMES_FULL,
	    SF_RECEPTION_DIGEST),
	    "=cmd@example.org\t=HYPERLINK(\"http://x\")\n"
	    "carol@example.org\n"
	    "zoe@example.org\tZo\xc3\xab van 't Hof\n");
}

static void
test_csv_full(void **state)
{
	struct fixture	*f = *state;

	assert_string_equal(render(f, &f->csv, "small", NAMES_FULL,
	    SF_RECEPTION_ALL),
	    "email,name,reception,owner,moderator\r\n"
	    "\"'+eve@example.org\",\"'@Eve\",mail,0,0\r\n"
	    "\"'=cmd@example.org\",\"'=HYPERLINK(\"\"http://x\"\")\","
	    "digest,0,0\r\n"
	    "alice@example.org,Alice Adams,mail,1,0\r\n"
	    "bob@example.org,\"Jansen, Bob \"\"BJ\"\"\",mail,0,1\r\n"
	    "carol@example.org,,digest,0,0\r\n"
	    "dave@example.org,\"'-Dave (work) \\ x\",mail,0,0\r\n"
	    "zoe@example.org,Zo\xc3\xab van 't Hof,digest,1,1\r\n");
}

static void
test_csv_none_keeps_columns(void **state)
{
	struct fixture	*f = *state;

	assert_string_equal(render(f, &f->csv, "small", NAMES_NONE,
	    SF_RECEPTION_DIGEST),
	    "email,name,reception,owner,moderator\r\n"
	    "\"'=cmd@example.org\",,digest,0,0\r\n"
	    "carol@example.org,,digest,0,0\r\n"
	    "zoe@example.org,,digest,1,1\r\n");
}

static void
test_csv_first(void **state)
{
	struct fixture	*f = *state;

	assert_string_equal(render(f, &f->csv, "small", NAMES_FIRST,
	    SF_RECEPTION_MAIL),
	    "email,name,reception,owner,moderator\r\n"
	    "\"'+eve@example.org\",\"'@Eve\",mail,0,0\r\n"
	    "alice@example.org,Alice,mail,1,0\r\n"
	    "bob@example.org,\"Jansen,\",mail,0,1\r\n"
	    "dave@example.org,\"'-Dave\",mail,0,0\r\n");
}

static void
test_mailman_full(void **state)
{
	struct fixture	*f = *state;

	assert_string_equal(render(f, &f->mailman, "small", NAMES_FULL,
	    SF_RECEPTION_ALL),
	    "\"@Eve\" <+eve@example.org>\n"
	    "\"=HYPERLINK(\\\"http://x\\\")\" <=cmd@example.org>\n"
	    "Alice Adams <alice@example.org>\n"
	    "\"Jansen, Bob \\\"BJ\\\"\" <bob@example.org>\n"
	    "carol@example.org\n"
	    "\"-Dave (work) \\\\ x\" <dave@example.org>\n"
	    "Zo\xc3\xab van 't Hof <zoe@example.org>\n");
}

static void
test_mailman_none(void **state)
{
	struct fixture	*f = *state;

	assert_string_equal(render(f, &f->mailman, "small", NAMES_NONE,
	    SF_RECEPTION_MAIL),
	    "+eve@example.org\n"
	    "alice@example.org\n"
	    "bob@example.org\n"
	    "dave@example.org\n");
}

static void
test_empty_list(void **state)
{
	struct fixture	*f = *state;
	struct members	 empty;

	memset(&empty, 0, sizeof(empty));
	(void)strcpy(empty.name, "empty");
	buf_reset(&f->out);
	assert_int_equal(render_list(&f->out, &f->sympa, &empty, NAMES_FULL,
	    SF_RECEPTION_ALL), 0);
	assert_int_equal(f->out.len, 0);
	assert_int_equal(render_list(&f->out, &f->csv, &empty, NAMES_FULL,
	    SF_RECEPTION_ALL), 0);
	assert_string_equal(buf_str(&f->out),
	    "email,name,reception,owner,moderator\r\n");
}

static void
test_render_appends(void **state)
{
	struct fixture		*f = *state;
	const struct members	*l = collect_find(&f->c, "small");

	buf_reset(&f->out);
	assert_int_equal(buf_puts(&f->out, "PRE"), 0);
	assert_int_equal(render_list(&f->out, &f->sympa, l, NAMES_NONE,
	    SF_RECEPTION_DIGEST), 0);
	assert_string_equal(buf_str(&f->out), "PRE=cmd@example.org\n"
	    "carol@example.org\nzoe@example.org\n");
}

/* Counts lines ended by nl and checks that no other line break exists. */
static size_t
lines(const char *s, size_t len, const char *nl)
{
	size_t	 i, n = 0, nllen = strlen(nl);

	for (i = 0; i < len; ) {
		if (len - i >= nllen && memcmp(s + i, nl, nllen) == 0) {
			n++;
			i += nllen;
			continue;
		}
		if (s[i] == '\n' || s[i] == '\r' || s[i] == '\v' ||
		    s[i] == '\f' || s[i] == '\0' || s[i] == 0x1c ||
		    s[i] == 0x1d || s[i] == 0x1e)
			fail_msg("line break 0x%02x inside a line at %zu",
			    (unsigned char)s[i], i);
		if (len - i >= 2 && memcmp(s + i, "\xc2\x85", 2) == 0)
			fail_msg("NEL inside a line at %zu", i);
		if (len - i >= 3 && (memcmp(s + i, "\xe2\x80\xa8", 3) == 0 ||
		    memcmp(s + i, "\xe2\x80\xa9", 3) == 0))
			fail_msg("U+2028/9 inside a line at %zu", i);
		if (len - i >= 3 && memcmp(s + i, "\xe2\x80\xae", 3) == 0)
			fail_msg("U+202E inside a line at %zu", i);
		i++;
	}
	if (len > 0 && (len < nllen || memcmp(s + len - nllen, nl, nllen)))
		fail_msg("last line not ended");
	return n;
}

static size_t
count(const char *s, char ch)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		n += *s == ch;
	return n;
}

static void
test_names_never_add_a_line(void **state)
{
	static const enum names_mode modes[] = {
		NAMES_FULL, NAMES_FIRST, NAMES_NONE
	};
	static const enum sympafile_reception whiches[] = {
		SF_RECEPTION_ALL, SF_RECEPTION_MAIL, SF_RECEPTION_DIGEST
	};
	struct fixture		*f = *state;
	const struct members	*l;
	const char		*s;
	size_t			 i, j, k, n;

	assert_non_null(l = collect_find(&f->c, "hostile"));
	assert_int_equal(l->n, 11);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++) {
			n = whiches[j] == SF_RECEPTION_ALL ? l->n :
			    whiches[j] == SF_RECEPTION_MAIL ? l->mail : l->digest;
			s = render(f, &f->sympa, "hostile", modes[i],
			    whiches[j]);
			assert_int_equal(lines(s, f->out.len, "\n"), n);
			/* At most one tab per line: the separator. */
			assert_true(count(s, '\t') <= n);
			s = render(f, &f->mailman, "hostile", modes[i],
			    whiches[j]);
			assert_int_equal(lines(s, f->out.len, "\n"), n);
			assert_int_equal(count(s, '\t'), 0);
			s = render(f, &f->csv, "hostile", modes[i],
			    whiches[j]);
			assert_int_equal(lines(s, f->out.len, "\r\n"), n + 1);
			/* Five fields per line: the commas outside quotes. */
			for (k = 0; *s != '\0'; ) {
				int	 q = 0;
				size_t	 commas = 0;

				for (; *s != '\r'; s++) {
					if (*s == '"')
						q = !q;
					else if (*s == ',' && !q)
						commas++;
				}
				assert_int_equal(q, 0);
				assert_int_equal(commas, 4);
				s += 2;
				k++;
			}
			assert_int_equal(k, n + 1);
		}
}

static void
test_hostile_exact_sympa(void **state)
{
	struct fixture	*f = *state;

	assert_string_equal(render(f, &f->sympa, "hostile", NAMES_FULL,
	    SF_RECEPTION_ALL),
	    "a@example.org\tA b@evil.example\n"
	    "b@example.org\tB X-Evil: 1\n"
	    "c@example.org\tC D\n"
	    "d@example.org\tD E\n"
	    "e@example.org\tE F G H\n"
	    "f@example.org\tF G HIJ\n"
	    "g@example.org\tG H\n"
	    "h@example.org\n"
	    "i@example.org\tI\xef\xbf\xbd\n"
	    "j@example.org\t=1 =2,\"\n"
	    "k@example.org\t\"K\" <x@y.org>\n");
}

static void
test_hostile_exact_csv_and_mailman(void **state)
{
	struct fixture	*f = *state;
	const char	*s;

	s = render(f, &f->csv, "hostile", NAMES_FULL, SF_RECEPTION_ALL);
	assert_non_null(strstr(s,
	    "\r\nj@example.org,\"'=1 =2,\"\"\",mail,0,0\r\n"));
	assert_non_null(strstr(s,
	    "\r\nk@example.org,\"\"\"K\"\" <x@y.org>\",mail,0,0\r\n"));
	s = render(f, &f->mailman, "hostile", NAMES_FULL, SF_RECEPTION_ALL);
	assert_non_null(strstr(s,
	    "\n\"\\\"K\\\" <x@y.org>\" <k@example.org>\n"));
	assert_non_null(strstr(s, "\nh@example.org\n"));
}

#define T(f)	cmocka_unit_test(f)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_sympa_full),
		T(test_sympa_first),
		T(test_sympa_none_uses_row_noname),
		T(test_sympa_mail_only),
		T(test_sympa_digest_only),
		T(test_csv_full),
		T(test_csv_none_keeps_columns),
		T(test_csv_first),
		T(test_mailman_full),
		T(test_mailman_none),
		T(test_empty_list),
		T(test_render_appends),
		T(test_names_never_add_a_line),
		T(test_hostile_exact_sympa),
		T(test_hostile_exact_csv_and_mailman),
	};

	return cmocka_run_group_tests_name("gen_render", tests, setup,
	    teardown);
}
