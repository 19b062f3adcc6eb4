/*
 * fuzz_row: hostile database rows through collect (gen/collect.c) and
 * every shipped format (the .format files in templates/, gen/render.c).
 *
 * Input: one byte of options (bits 0-1: names mode full/first/none, bits
 * 2-3: all/mail/digest members), then rows separated by 0x1e, each with
 * fields separated by 0x1f: list, email, name, first_name, reception,
 * flags ('o' owner, 'm' moderator).  A missing field is SQL NULL; fields
 * may hold anything else, NUL included.
 *
 * Invariants:
 *  - accounting: every row is either filed or counted as rejected;
 *  - each list: a valid name, sorted, one entry per address
 *    (case-insensitively), mail + digest = members, every email valid,
 *    every name and first name clean (valid UTF-8, no control, bidi or
 *    separator character, <= VALID_NAME_MAX code points);
 *  - each format, for the whole output: valid UTF-8, no control byte but
 *    the format's own TAB (sympa), CR LF (csv) or LF, no bidi or
 *    separator character, exactly header + selected members lines;
 *  - sympa: each line is "email" or "email TAB name", exactly;
 *  - mailman: each line is "email" or "PHRASE <email>" where PHRASE is
 *    bare atext and spaces, or a quoted-string that unquotes to the name;
 *  - csv: each line parses back (RFC 4180) to exactly the 5 columns of
 *    the header, the member's email and name (with a leading ' where it
 *    would start a formula), reception, owner, moderator; no cell,
 *    quoted or not, starts with = + - @ TAB or CR.
 */
#include "fuzz.h"
#include "buf.h"
#include "collect.h"
#include "format.h"
#include "render.h"
#include "valid.h"

static struct lf_format	 fmt_sympa, fmt_csv, fmt_mailman;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (format_load(fuzz_templates(), "sympa", &fmt_sympa) == -1 ||
	    format_load(fuzz_templates(), "csv", &fmt_csv) == -1 ||
	    format_load(fuzz_templates(), "mailman", &fmt_mailman) == -1) {
		fprintf(stderr, "fuzz_row: cannot load the formats from %s\n",
		    fuzz_templates());
		abort();
	}
	return 0;
}

static int
selected(const struct member *m, enum sympafile_reception which)
{
	return which == SF_RECEPTION_ALL || (which == SF_RECEPTION_MAIL && !m->digest) ||
	    (which == SF_RECEPTION_DIGEST && m->digest);
}

static const char *
name_of(const struct member *m, enum names_mode names)
{
	return names == NAMES_FULL ? m->name : names == NAMES_FIRST ?
	    m->first : "";
}

/* Next line of out (ending in nl); NULL at the end.  *len without nl. */
static const char *
next_line(const char **p, const char *end, const char *nl, size_t *len)
{
	const char	*s = *p, *e;
	size_t		 nllen = strlen(nl);

	if (s >= end)
		return NULL;
	e = memmem(s, (size_t)(end - s), nl, nllen);
	FUZZ_ASSERT(e != NULL, "last line without its newline");
	*len = (size_t)(e - s);
	*p = e + nllen;
	return s;
}

static void
check_bytes(const struct buf *out, const struct lf_format *f)
{
	size_t	 i;

	FUZZ_ASSERT(fuzz_utf8(out->data, out->len, fuzz_bad_cp_tab) >= 0,
	    "%s: invalid UTF-8 or a forbidden character", f->name);
	for (i = 0; i < out->len; i++) {
		char c = out->data[i];

		if (c == '\t')
			FUZZ_ASSERT(strcmp(f->name, "sympa") == 0,
			    "%s: TAB", f->name);
		if (c == '\r')
			FUZZ_ASSERT(f->newline[0] == '\r' &&
			    i + 1 < out->len && out->data[i + 1] == '\n',
			    "%s: bare CR", f->name);
		if (c == '\n' && f->newline[0] == '\r')
			FUZZ_ASSERT(i > 0 && out->data[i - 1] == '\r',
			    "%s: bare LF", f->name);
	}
}

static void
check_sympa(const char *line, size_t len, const struct member *m,
    const char *name)
{
	size_t	 el = strlen(m->email), nl = strlen(name);

	FUZZ_ASSERT(len >= el && memcmp(line, m->email, el) == 0,
	    "sympa: line does not start with the email");
	if (nl == 0)
		FUZZ_ASSERT(len == el, "sympa: more than the email");
	else
		FUZZ_ASSERT(len == el + 1 + nl && line[el] == '\t' &&
		    memcmp(line + el + 1, name, nl) == 0 &&
		    memchr(name, '\t', nl) == NULL,
		    "sympa: not email TAB name");
}

static int
atext_or_space(unsigned char c)
{
	return c >= 0x80 || c == ' ' || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static void
check_mailman(const char *line, size_t len, const struct member *m,
    const char *name)
{
	size_t		 el = strlen(m->email), nl = strlen(name), pl, i, o;
	const char	*ph;
	char		*unq;

	if (nl == 0) {
		FUZZ_ASSERT(len == el && memcmp(line, m->email, el) == 0,
		    "mailman: line is not the email");
		return;
	}
	FUZZ_ASSERT(len >= el + 3 && line[len - 1] == '>' &&
	    memcmp(line + len - 1 - el, m->email, el) == 0 &&
	    line[len - el - 2] == '<' && line[len - el - 3] == ' ',
	    "mailman: line does not end in \" <email>\"");
	ph = line;
	pl = len - el - 3;
	if (pl > 0 && ph[0] == '"') {
		FUZZ_ASSERT(pl >= 2 && ph[pl - 1] == '"',
		    "mailman: open quoted-string");
		if ((unq = malloc(pl)) == NULL)
			abort();
		for (i = 1, o = 0; i < pl - 1; i++) {
			FUZZ_ASSERT(ph[i] != '"', "mailman: bare quote inside");
			if (ph[i] == '\\') {
				i++;
				FUZZ_ASSERT(i < pl - 1, "mailman: escapes the "
				    "closing quote");
			}
			unq[o++] = ph[i];
		}
		FUZZ_ASSERT(o == nl && memcmp(unq, name, nl) == 0,
		    "mailman: quoted name is not the name");
		free(unq);
		return;
	}
	FUZZ_ASSERT(pl == nl && memcmp(ph, name, nl) == 0,
	    "mailman: bare phrase is not the name");
	for (i = 0; i < pl; i++)
		FUZZ_ASSERT(atext_or_space((unsigned char)ph[i]),
		    "mailman: special 0x%02x in a bare phrase",
		    (unsigned char)ph[i]);
}

/*
 * Parses one RFC 4180 record of len bytes (no line break outside quotes
 * is possible: the caller split at CRLF and names hold none) into at most
 * 8 fields.  Returns the number of fields.
 */
static size_t
csv_parse(const char *s, size_t len, struct buf f[8], int quoted[8])
{
	size_t	 i = 0, n = 0;

	for (;;) {
		FUZZ_ASSERT(n < 8, "csv: more than 8 fields");
		buf_reset(&f[n]);
		quoted[n] = i < len && s[i] == '"';
		if (quoted[n]) {
			for (i++;; i++) {
				FUZZ_ASSERT(i < len, "csv: open quote");
				if (s[i] == '"') {
					if (i + 1 < len && s[i + 1] == '"') {
						buf_addc(&f[n], '"');
						i++;
						continue;
					}
					i++;
					break;
				}
				buf_addc(&f[n], s[i]);
			}
			FUZZ_ASSERT(i == len || s[i] == ',',
			    "csv: text after a closing quote");
		} else {
			for (; i < len && s[i] != ','; i++) {
				FUZZ_ASSERT(s[i] != '"' && s[i] != '\r' &&
				    s[i] != '\n', "csv: bare quote or break");
				buf_addc(&f[n], s[i]);
			}
		}
		n++;
		if (i == len)
			return n;
		i++;		/* the comma */
	}
}

/* The cell a value must come back as: with ' before a formula start. */
static void
csv_expect_cell(const struct buf *got, const char *want)
{
	int	 formula = want[0] != '\0' && strchr("=+-@\t\r", want[0]);

	FUZZ_ASSERT(!(got->len > 0 && strchr("=+-@\t\r", got->data[0]) !=
	    NULL), "csv: cell starts a formula");
	if (formula)
		FUZZ_ASSERT(got->len == strlen(want) + 1 &&
		    got->data[0] == '\'' &&
		    memcmp(got->data + 1, want, got->len - 1) == 0,
		    "csv: formula cell not defused");
	else
		FUZZ_ASSERT(got->len == strlen(want) &&
		    memcmp(buf_str(got), want, got->len) == 0,
		    "csv: cell \"%s\" is not \"%s\"", buf_str(got), want);
}

static void
check_csv(const char *line, size_t len, const struct member *m,
    const char *name)
{
	static struct buf f[8];
	int		 quoted[8];
	size_t		 n;

	n = csv_parse(line, len, f, quoted);
	FUZZ_ASSERT(n == 5, "csv: %zu columns", n);
	csv_expect_cell(&f[0], m->email);
	csv_expect_cell(&f[1], name);
	csv_expect_cell(&f[2], m->digest ? "digest" : "mail");
	csv_expect_cell(&f[3], m->owner ? "1" : "0");
	csv_expect_cell(&f[4], m->moderator ? "1" : "0");
}

static void
check_render(const struct lf_format *f, const struct members *l,
    enum names_mode names, enum sympafile_reception which)
{
	struct buf	 out = BUF_INIT;
	const char	*p, *end, *line;
	const struct member *m;
	size_t		 len, i = 0, lines = 0;

	FUZZ_ASSERT(render_list(&out, f, l, names, which) == 0,
	    "%s: render failed", f->name);
	check_bytes(&out, f);
	p = buf_str(&out);
	end = p + out.len;
	if (f->header != NULL) {
		line = next_line(&p, end, f->newline, &len);
		FUZZ_ASSERT(line != NULL && len == strlen(f->header) &&
		    memcmp(line, f->header, len) == 0, "%s: header", f->name);
	}
	while ((line = next_line(&p, end, f->newline, &len)) != NULL) {
		while (i < l->n && !selected(&l->m[i], which))
			i++;
		FUZZ_ASSERT(i < l->n, "%s: more lines than members", f->name);
		m = &l->m[i++];
		lines++;
		if (strcmp(f->name, "sympa") == 0)
			check_sympa(line, len, m, name_of(m, names));
		else if (strcmp(f->name, "mailman") == 0)
			check_mailman(line, len, m, name_of(m, names));
		else
			check_csv(line, len, m, name_of(m, names));
	}
	while (i < l->n && !selected(&l->m[i], which))
		i++;
	FUZZ_ASSERT(i == l->n, "%s: fewer lines than members (%zu)", f->name,
	    lines);
	buf_free(&out);
}

static void
check_clean(const char *s)
{
	long	 ncp = fuzz_utf8(s, strlen(s), fuzz_bad_cp);

	FUZZ_ASSERT(ncp >= 0 && ncp <= VALID_NAME_MAX, "unclean name");
}

static void
check_list(const struct members *l)
{
	char		 e[VALID_EMAIL_MAX + 1];
	size_t		 i;
	unsigned long	 mail = 0, digest = 0;

	FUZZ_ASSERT(valid_list_name(l->name), "list name");
	for (i = 0; i < l->n; i++) {
		const struct member *m = &l->m[i];

		FUZZ_ASSERT(valid_email(m->email, strlen(m->email), e,
		    sizeof(e)) == EMAIL_OK && strcmp(e, m->email) == 0,
		    "email");
		FUZZ_ASSERT(strcasecmp(m->key, m->email) == 0, "key");
		if (i > 0)
			FUZZ_ASSERT(strcmp(l->m[i - 1].key, m->key) < 0,
			    "not sorted or not unique");
		check_clean(m->name);
		check_clean(m->first);
		if (m->digest)
			digest++;
		else
			mail++;
	}
	FUZZ_ASSERT(mail == l->mail && digest == l->digest, "counts");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*p, *end = data + size, *row, *fld, *fv[6];
	struct collect	 c;
	struct db_row	 r;
	enum names_mode	 names;
	enum sympafile_reception which;
	unsigned long	 nrows = 0, filed = 0, rej = 0;
	long		 rl, fl, fn[6];
	size_t		 i, k;

	if (size < 1)
		return 0;
	names = (enum names_mode)((data[0] & 3) % 3);
	which = (enum sympafile_reception)(((data[0] >> 2) & 3) % 3);
	collect_init(&c);
	p = data + 1;
	while ((rl = fuzz_field(&p, end, 0x1e, &row)) != -1) {
		const uint8_t *q = row, *rend = row + rl;

		for (k = 0; k < 6; k++) {
			fv[k] = NULL;
			fn[k] = 0;
		}
		for (k = 0; k < 6 && (fl = fuzz_field(&q, rend, 0x1f, &fld))
		    != -1; k++) {
			fv[k] = fld;
			fn[k] = fl;
		}
		memset(&r, 0, sizeof(r));
		r.list = (const char *)fv[0];	r.list_len = (size_t)fn[0];
		r.email = (const char *)fv[1];	r.email_len = (size_t)fn[1];
		r.name = (const char *)fv[2];	r.name_len = (size_t)fn[2];
		r.first = (const char *)fv[3];	r.first_len = (size_t)fn[3];
		r.reception = (const char *)fv[4];
		r.reception_len = (size_t)fn[4];
		if (fv[5] != NULL) {
			r.owner = memchr(fv[5], 'o', (size_t)fn[5]) != NULL;
			r.moderator = memchr(fv[5], 'm', (size_t)fn[5]) !=
			    NULL;
		}
		FUZZ_ASSERT(collect_row(&c, &r) == 0, "collect_row");
		nrows++;
	}
	FUZZ_ASSERT(collect_finish(&c) == 0, "collect_finish");
	FUZZ_ASSERT(c.rows == nrows, "rows %lu != %lu", c.rows, nrows);

	for (i = 0; i < c.nlists; i++) {
		const struct members *l = &c.lists[i];

		if (i > 0)
			FUZZ_ASSERT(strcmp(c.lists[i - 1].name, l->name) < 0,
			    "lists not sorted or not unique");
		FUZZ_ASSERT(collect_find(&c, l->name) == l, "collect_find");
		check_list(l);
		filed += l->n;
		check_render(&fmt_sympa, l, names, which);
		check_render(&fmt_csv, l, names, which);
		check_render(&fmt_mailman, l, names, which);
	}
	for (k = 0; k < REJ_NREASONS; k++)
		rej += c.rejects[k];
	FUZZ_ASSERT(filed + rej == nrows, "%lu filed + %lu rejected != %lu rows",
	    filed, rej, nrows);
	collect_free(&c);
	return 0;
}
