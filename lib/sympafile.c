/* sympafile: see sympafile.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sympafile.h"

static const char *const reception_names[] = { "all", "mail", "digest" };

const char *
sympafile_reception_name(enum sympafile_reception r)
{
	if ((unsigned)r >= sizeof(reception_names) / sizeof(reception_names[0]))
		return NULL;
	return reception_names[r];
}

/* "YYYY-MM-DDTHH:MM:SSZ", digits where digits belong. */
static int
valid_time(const char *t)
{
	static const char	 shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t			 i;

	if (strlen(t) != sizeof(shape) - 1)
		return 0;
	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? (t[i] < '0' || t[i] > '9') :
		    t[i] != shape[i])
			return 0;
	return 1;
}

int
sympafile_header(struct buf *out, const struct sympafile_hdr *h)
{
	const char	*rn = sympafile_reception_name(h->reception);

	if (rn == NULL || !valid_list_name(h->list) || h->generation < 1 ||
	    !valid_time(h->time))
		return -1;
	return buf_printf(out, "# listfeed %d\n# list: %s\n# reception: %s\n"
	    "# generation: %lld\n# count: %lu\n# time: %s\n",
	    SYMPAFILE_VERSION, h->list, rn, h->generation, h->count, h->time);
}

struct cursor {
	const char	*p, *end;
	unsigned long	 line;
	char		*err;
	size_t		 errsz;
};

static void	say(struct cursor *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Writes "line N: ..." into the cursor's error buffer. */
static void
say(struct cursor *c, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	n = snprintf(c->err, c->errsz, "line %lu: ", c->line);
	if (n < 0 || (size_t)n >= c->errsz)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(c->err + n, c->errsz - (size_t)n, fmt, ap);
	va_end(ap);
}

/* say(), then -1: visibly -1 to the static analyser too, which does not
 * follow variadic calls. */
#define fail(c, ...)	(say((c), __VA_ARGS__), -1)

/* The next line, without its "\n"; -1 at the end or on a bad line. */
static int
next_line(struct cursor *c, const char **s, size_t *len)
{
	const char	*nl;

	c->line++;
	if (c->p >= c->end)
		return fail(c, "missing (file ends early)");
	if ((nl = memchr(c->p, '\n', (size_t)(c->end - c->p))) == NULL)
		return fail(c, "no end of line (file cut short)");
	*s = c->p;
	*len = (size_t)(nl - c->p);
	c->p = nl + 1;
	if (memchr(*s, '\0', *len) != NULL || memchr(*s, '\r', *len) != NULL)
		return fail(c, "NUL or CR");
	return 0;
}

/* A decimal number of 1 to 18 digits, no sign, no leading zero. */
static int
parse_num(const char *s, size_t len, unsigned long long *v)
{
	size_t	 i;

	if (len == 0 || len > 18 || (s[0] == '0' && len > 1))
		return -1;
	*v = 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned long long)(s[i] - '0');
	}
	return 0;
}

/* "# KEY: VALUE": the value into val (NUL-terminated, < valsz bytes). */
static int
header_value(struct cursor *c, const char *key, char *val, size_t valsz)
{
	const char	*s;
	size_t		 len, klen = strlen(key);

	if (next_line(c, &s, &len) == -1)
		return -1;
	if (len < klen + 4 || memcmp(s, "# ", 2) != 0 ||
	    memcmp(s + 2, key, klen) != 0 || memcmp(s + 2 + klen, ": ", 2) != 0)
		return fail(c, "expected \"# %s: \"", key);
	s += klen + 4;
	len -= klen + 4;
	if (len == 0 || len >= valsz)
		return fail(c, "bad %s", key);
	memcpy(val, s, len);
	val[len] = '\0';
	return 0;
}

static int
parse_header(struct cursor *c, struct sympafile_hdr *h)
{
	char			 v[32], first[32];
	const char		*s;
	size_t			 len, i;
	unsigned long long	 n;

	memset(h, 0, sizeof(*h));
	(void)snprintf(first, sizeof(first), "# listfeed %d", SYMPAFILE_VERSION);
	if (next_line(c, &s, &len) == -1)
		return -1;
	if (len != strlen(first) || memcmp(s, first, len) != 0)
		return fail(c, "not a listfeed %d file", SYMPAFILE_VERSION);
	if (header_value(c, "list", h->list, sizeof(h->list)) == -1)
		return -1;
	if (!valid_list_name(h->list))
		return fail(c, "bad list name");
	if (header_value(c, "reception", v, sizeof(v)) == -1)
		return -1;
	for (i = 0; i < 3 && strcmp(v, reception_names[i]) != 0; i++)
		continue;
	if (i == 3)
		return fail(c, "bad reception");
	h->reception = (enum sympafile_reception)i;
	if (header_value(c, "generation", v, sizeof(v)) == -1)
		return -1;
	if (parse_num(v, strlen(v), &n) == -1 || n < 1)
		return fail(c, "bad generation");
	h->generation = (long long)n;
	if (header_value(c, "count", v, sizeof(v)) == -1)
		return -1;
	if (parse_num(v, strlen(v), &n) == -1 || n > 1000000000ULL)
		return fail(c, "bad count");
	h->count = (unsigned long)n;
	if (header_value(c, "time", h->time, sizeof(h->time)) == -1)
		return -1;
	if (!valid_time(h->time))
		return fail(c, "bad time");
	return 0;
}

static int
parse_member(struct cursor *c, const char *s, size_t len,
    sympafile_member_fn fn, void *ctx)
{
	char		 email[VALID_EMAIL_MAX + 1], name[VALID_NAME_BYTES + 1];
	const char	*tab;
	size_t		 elen, nlen;

	tab = memchr(s, '\t', len);
	elen = tab != NULL ? (size_t)(tab - s) : len;
	nlen = tab != NULL ? len - elen - 1 : 0;
	if (valid_email(s, elen, email, sizeof(email)) != EMAIL_OK ||
	    strlen(email) != elen || memcmp(email, s, elen) != 0)
		return fail(c, "not a normalised address");
	if (tab != NULL) {
		if (nlen == 0 || nlen > VALID_NAME_BYTES)
			return fail(c, "bad name");
		if (!valid_name_safe(tab + 1, nlen))
			return fail(c, "name not clean");
		memcpy(name, tab + 1, nlen);
		name[nlen] = '\0';
	} else
		name[0] = '\0';
	if (fn != NULL && fn(ctx, email, name) != 0)
		return fail(c, "refused");
	return 0;
}

int
sympafile_parse(const char *data, size_t len, struct sympafile_hdr *h,
    sympafile_member_fn fn, void *ctx, char *err, size_t errsz)
{
	struct cursor	 c = { data, data + len, 0, err, errsz };
	const char	*s;
	size_t		 slen;
	unsigned long	 i;

	if (errsz > 0)
		err[0] = '\0';
	if (parse_header(&c, h) == -1)
		return -1;
	for (i = 0; i < h->count; i++) {
		if (next_line(&c, &s, &slen) == -1 ||
		    parse_member(&c, s, slen, fn, ctx) == -1)
			return -1;
	}
	if (c.p != c.end) {
		c.line++;
		return fail(&c, "more lines than the count (%lu)", h->count);
	}
	return 0;
}
