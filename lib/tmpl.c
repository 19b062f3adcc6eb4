/* tmpl: see tmpl.h. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tmpl.h"

static int
is_keych(char c)
{
	return (c >= 'a' && c <= 'z') || c == '_';
}

static int
csv_needs_quotes(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' ||
		    s[i] == '\n')
			return 1;
	return 0;
}

static int
esc_csv(struct buf *out, const char *s, size_t n)
{
	size_t	 i;
	int	 formula, quote;

	formula = n > 0 && s[0] != '\0' && strchr("=+-@\t\r", s[0]) !=
	    NULL;
	quote = formula || csv_needs_quotes(s, n);
	if (quote && buf_addc(out, '"') == -1)
		return -1;
	if (formula && buf_addc(out, '\'') == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] == '"' && buf_addc(out, '"') == -1)
			return -1;
		if (buf_addc(out, s[i]) == -1)
			return -1;
	}
	if (quote && buf_addc(out, '"') == -1)
		return -1;
	return 0;
}

static int
esc_html(struct buf *out, const char *s, size_t n)
{
	size_t		 i, start = 0;
	const char	*ent;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: continue;
		}
		if (buf_add(out, s + start, i - start) == -1 ||
		    buf_puts(out, ent) == -1)
			return -1;
		start = i + 1;
	}
	return buf_add(out, s + start, n - start);
}

/* RFC 5322 atext plus space and any non-ASCII byte (RFC 6532). */
static int
is_phrase_char(unsigned char c)
{
	return c >= 0x80 || c == ' ' || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static int
esc_mailbox(struct buf *out, const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!is_phrase_char((unsigned char)s[i]))
			break;
	if (i == n)
		return buf_add(out, s, n);
	if (buf_addc(out, '"') == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((s[i] == '"' || s[i] == '\\') && buf_addc(out, '\\') == -1)
			return -1;
		if (buf_addc(out, s[i]) == -1)
			return -1;
	}
	return buf_addc(out, '"');
}

int
esc_append(struct buf *out, const char *s, size_t n, enum esc esc)
{
	switch (esc) {
	case ESC_CSV:
		return esc_csv(out, s, n);
	case ESC_HTML:
		return esc_html(out, s, n);
	case ESC_MAILBOX:
		return esc_mailbox(out, s, n);
	case ESC_NONE:
	default:
		return buf_add(out, s, n);
	}
}

int
esc_parse(const char *s)
{
	if (strcmp(s, "none") == 0)
		return ESC_NONE;
	if (strcmp(s, "csv") == 0)
		return ESC_CSV;
	if (strcmp(s, "html") == 0)
		return ESC_HTML;
	if (strcmp(s, "mailbox") == 0)
		return ESC_MAILBOX;
	return -1;
}

/*
 * Walks the template; for each placeholder calls fn.  Literal text is
 * appended to out when out is not NULL.
 */
typedef int (*key_fn)(void *arg, const char *key);

static int
walk(const char *t, size_t n, struct buf *out, key_fn fn, void *arg,
    char *why, size_t whysz)
{
	char	 key[TMPL_KEY_MAX + 1];
	size_t	 i = 0, start = 0, k;

	while (i < n) {
		if (t[i] != '{' && t[i] != '}') {
			i++;
			continue;
		}
		if (out != NULL && buf_add(out, t + start, i - start) == -1)
			return -1;
		if (i + 1 < n && t[i + 1] == t[i]) {	/* {{ or }} */
			if (out != NULL && buf_addc(out, t[i]) == -1)
				return -1;
			i += 2;
			start = i;
			continue;
		}
		if (t[i] == '}') {
			if (why != NULL)
				(void)snprintf(why, whysz, "stray } at offset "
				    "%zu", i);
			return -1;
		}
		for (k = 0; i + 1 + k < n && is_keych(t[i + 1 + k]); k++)
			if (k >= TMPL_KEY_MAX)
				break;
		if (k == 0 || k > TMPL_KEY_MAX || i + 1 + k >= n ||
		    t[i + 1 + k] != '}') {
			if (why != NULL)
				(void)snprintf(why, whysz, "bad placeholder at "
				    "offset %zu", i);
			return -1;
		}
		memcpy(key, t + i + 1, k);
		key[k] = '\0';
		if (fn(arg, key) == -1) {
			if (why != NULL)
				(void)snprintf(why, whysz, "unknown key {%s}",
				    key);
			return -1;
		}
		i += k + 2;
		start = i;
	}
	if (out != NULL && buf_add(out, t + start, n - start) == -1)
		return -1;
	return 0;
}

struct expand {
	struct buf		*out;
	tmpl_lookup		 lookup;
	void			*ctx;
	enum esc		 esc;
	const char *const	*raw;
};

static int
in_list(const char *const *l, const char *key)
{
	for (; l != NULL && *l != NULL; l++)
		if (strcmp(*l, key) == 0)
			return 1;
	return 0;
}

static int
expand_key(void *arg, const char *key)
{
	struct expand	*e = arg;
	const char	*v;
	size_t		 vlen;

	if (e->lookup(e->ctx, key, &v, &vlen) == -1)
		return -1;
	return esc_append(e->out, v, vlen, in_list(e->raw, key) ? ESC_NONE :
	    e->esc);
}

int
tmpl_expand(struct buf *out, const char *tmpl, size_t n, tmpl_lookup lookup,
    void *ctx, enum esc esc)
{
	return tmpl_expand_raw(out, tmpl, n, lookup, ctx, esc, NULL);
}

int
tmpl_expand_raw(struct buf *out, const char *tmpl, size_t n,
    tmpl_lookup lookup, void *ctx, enum esc esc, const char *const raw[])
{
	struct expand	 e = { out, lookup, ctx, esc, raw };

	return walk(tmpl, n, out, expand_key, &e, NULL, 0);
}

static int
check_key(void *arg, const char *key)
{
	return in_list(arg, key) ? 0 : -1;
}

int
tmpl_check(const char *tmpl, size_t n, const char *const keys[], char *why,
    size_t whysz)
{
	return walk(tmpl, n, NULL, check_key, (void *)(uintptr_t)keys, why,
	    whysz);
}
