/* route: see route.h. */
#include <stddef.h>
#include <string.h>

#include "route.h"
#include "valid.h"

#define SEG_MAX		4	/* "/lists/NAME" has two */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decodes s[0..n) once into out (NUL-terminated).  Refuses a
 * malformed escape, and any decoded NUL, control byte, '/' or byte
 * outside ASCII: nothing we serve is named with them.  0 or -1.
 */
static int
decode(const char *s, size_t n, char *out, size_t outsz)
{
	size_t	 i, o = 0;
	int	 hi, lo;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (n - i < 3)
				return -1;
			if ((hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				return -1;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		}
		if (c < 0x21 || c > 0x7e || c == '/')
			return -1;
		if (o + 1 >= outsz)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

static enum route_method
parse_method(const char *m)
{
	if (m == NULL)
		return METHOD_OTHER;
	if (strcmp(m, "GET") == 0)
		return METHOD_GET;
	if (strcmp(m, "HEAD") == 0)
		return METHOD_HEAD;
	if (strcmp(m, "POST") == 0)
		return METHOD_POST;
	return METHOD_OTHER;
}

/* Raw bytes allowed anywhere in the URI: visible ASCII but '#'. */
static int
raw_ok(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 ||
		    (unsigned char)s[i] > 0x7e || s[i] == '#')
			return 0;
	return 1;
}

/* "/lists/SEG": fills list (and format for ".asc"); 0 or 404. */
static int
parse_list_segment(const char *seg, struct route *r)
{
	size_t	 len = strlen(seg), stem;
	const char *dot;

	if (len > 4 && strcmp(seg + len - 4, ".asc") == 0) {
		stem = len - 4;
		dot = NULL;
		for (size_t i = stem; i > 0; i--)
			if (seg[i - 1] == '.') {
				dot = seg + i - 1;
				break;
			}
		if (dot == NULL || dot == seg)
			return 404;
		if ((size_t)(dot - seg) > VALID_LIST_MAX ||
		    (size_t)(seg + stem - dot - 1) > VALID_FORMAT_MAX)
			return 404;
		memcpy(r->list, seg, (size_t)(dot - seg));
		r->list[dot - seg] = '\0';
		memcpy(r->format, dot + 1, (size_t)(seg + stem - dot - 1));
		r->format[seg + stem - dot - 1] = '\0';
		if (!valid_list_name(r->list) || !valid_format_name(r->format))
			return 404;
		r->kind = ROUTE_ASC;
		return 0;
	}
	if (len > VALID_LIST_MAX || !valid_list_name(seg))
		return 404;
	memcpy(r->list, seg, len + 1);
	r->kind = ROUTE_PLAIN;
	return 0;
}

/* Path without query: 0, 400 or 404. */
static int
parse_path(const char *p, size_t n, struct route *r)
{
	char	 seg[SEG_MAX][ROUTE_URI_MAX + 1];
	size_t	 nseg = 0, i, start;

	if (n == 0 || p[0] != '/')
		return 400;
	if (n == 1) {
		r->kind = ROUTE_INDEX;
		return 0;
	}
	start = 1;
	for (i = 1; i <= n; i++) {
		if (i < n && p[i] != '/')
			continue;
		if (nseg == SEG_MAX)
			return 404;
		if (decode(p + start, i - start, seg[nseg],
		    sizeof(seg[nseg])) == -1)
			return 400;
		if (strcmp(seg[nseg], ".") == 0 || strcmp(seg[nseg], "..") == 0)
			return 400;
		nseg++;
		start = i + 1;
	}
	/* An empty segment ("//", trailing "/") names nothing. */
	for (i = 0; i < nseg; i++)
		if (seg[i][0] == '\0')
			return 404;
	if (nseg == 2 && strcmp(seg[0], "lists") == 0)
		return parse_list_segment(seg[1], r);
	if (nseg == 2 && strcmp(seg[0], "-") == 0) {
		if (strcmp(seg[1], "status") == 0)
			r->kind = ROUTE_STATUS;
		else if (strcmp(seg[1], "metrics") == 0)
			r->kind = ROUTE_METRICS;
		else if (strcmp(seg[1], "regenerate") == 0)
			r->kind = ROUTE_REGENERATE;
		else
			return 404;
		return 0;
	}
	return 404;
}

/* wait: one or two digits, 0..60. */
static int
parse_wait(const char *v, int *out)
{
	size_t	 len = strlen(v);
	int	 n = 0;

	if (len == 0 || len > 2)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		n = n * 10 + (v[i] - '0');
	}
	if (n > 60)
		return -1;
	*out = n;
	return 0;
}

/* Query string for a known route: 0 or 400. */
static int
parse_query(const char *q, size_t n, struct route *r)
{
	char	 key[ROUTE_URI_MAX + 1], val[ROUTE_URI_MAX + 1];
	size_t	 i, start, eq;
	int	 seen_reception = 0, seen_list = 0, seen_wait = 0;

	if (n == 0)
		return 0;
	start = 0;
	for (i = 0; i <= n; i++) {
		if (i < n && q[i] != '&')
			continue;
		if (i == start)
			return 400;	/* empty pair */
		for (eq = start; eq < i && q[eq] != '='; eq++)
			;
		if (eq == i)
			return 400;	/* no '=' */
		if (decode(q + start, eq - start, key, sizeof(key)) == -1 ||
		    decode(q + eq + 1, i - eq - 1, val, sizeof(val)) == -1)
			return 400;
		if ((r->kind == ROUTE_PLAIN || r->kind == ROUTE_ASC) &&
		    strcmp(key, "reception") == 0) {
			if (seen_reception++)
				return 400;
			if (strcmp(val, "mail") == 0)
				r->reception = SF_RECEPTION_MAIL;
			else if (strcmp(val, "digest") == 0)
				r->reception = SF_RECEPTION_DIGEST;
			else
				return 400;
		} else if (r->kind == ROUTE_REGENERATE &&
		    strcmp(key, "list") == 0) {
			if (seen_list++)
				return 400;
			if (strlen(val) > VALID_LIST_MAX ||
			    !valid_list_name(val))
				return 400;
			memcpy(r->list, val, strlen(val) + 1);
		} else if (r->kind == ROUTE_REGENERATE &&
		    strcmp(key, "wait") == 0) {
			if (seen_wait++)
				return 400;
			if (parse_wait(val, &r->wait) == -1)
				return 400;
		} else
			return 400;
		start = i + 1;
	}
	return 0;
}

int
route_parse(const char *method, const char *uri, struct route *r,
    const char **allow)
{
	const char *q;
	size_t	 len, plen, qlen;
	int	 rc;

	memset(r, 0, sizeof(*r));
	r->method = parse_method(method);
	if (uri == NULL)
		return 400;
	len = strnlen(uri, 2 * ROUTE_URI_MAX + 2);
	if (len > 2 * ROUTE_URI_MAX + 1)
		return 400;
	if ((q = memchr(uri, '?', len)) != NULL) {
		plen = (size_t)(q - uri);
		qlen = len - plen - 1;
		q++;
	} else {
		plen = len;
		qlen = 0;
		q = "";
	}
	if (plen > ROUTE_URI_MAX || qlen > ROUTE_URI_MAX)
		return 400;
	if (!raw_ok(uri, len))
		return 400;
	if ((rc = parse_path(uri, plen, r)) != 0)
		return rc;

	if (r->kind == ROUTE_REGENERATE) {
		if (r->method != METHOD_POST) {
			if (allow != NULL)
				*allow = "POST";
			return 405;
		}
	} else if (r->method != METHOD_GET && r->method != METHOD_HEAD) {
		if (allow != NULL)
			*allow = "GET, HEAD";
		return 405;
	}
	if ((rc = parse_query(q, qlen, r)) != 0)
		return rc;
	if ((r->kind == ROUTE_PLAIN || r->kind == ROUTE_ASC) &&
	    kind_for_url(r->kind == ROUTE_ASC, r->format, r->reception,
	    &r->file) == -1)
		return 404;
	return 0;
}
