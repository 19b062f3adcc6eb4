/* rconf: see rconf.h. */
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "guard.h"
#include "log.h"
#include "rconf.h"
#include "valid.h"

#define INI_LINE_MAX	199	/* what Debian's libinih reads */
#define SECTION		"relay"

struct parse {
	struct rconf	*c;
	char		 why[256];	/* first error */
	struct strlist	 seen;		/* keys set */
};

static int	fail(struct parse *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Records the first error; returns 0, which stops inih. */
static int
fail(struct parse *p, const char *fmt, ...)
{
	va_list	 ap;

	if (p->why[0] == '\0') {
		va_start(ap, fmt);
		(void)vsnprintf(p->why, sizeof(p->why), fmt, ap);
		va_end(ap);
	}
	return 0;
}

static int
set_str(struct parse *p, char **dst, const char *v, const char *k)
{
	if ((*dst = strdup(v)) == NULL)
		return fail(p, "%s: %s", k, strerror(errno));
	return 1;
}

static int
set_path(struct parse *p, char **dst, const char *v, const char *k)
{
	if (v[0] != '/')
		return fail(p, "%s: \"%s\" is not an absolute path", k, v);
	return set_str(p, dst, v, k);
}

static int
set_num(struct parse *p, unsigned *dst, const char *v, const char *k,
    unsigned long min, unsigned long max)
{
	char		*end;
	unsigned long	 n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || errno != 0 || *end != '\0' ||
	    n < min || n > max)
		return fail(p, "%s: \"%s\" is not a number from %lu to %lu",
		    k, v, min, max);
	*dst = (unsigned)n;
	return 1;
}

/* "N" in 1..65535 at s (len bytes). */
static int
parse_port(const char *s, size_t len, unsigned short *port)
{
	unsigned long	 n = 0;
	size_t		 i;

	if (len == 0 || len > 5 || s[0] == '0')
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		n = n * 10 + (unsigned long)(s[i] - '0');
	}
	if (n > 65535)
		return -1;
	*port = (unsigned short)n;
	return 0;
}

/* "127.x.y.z:PORT" or "[::1]:PORT": loopback only. */
static int
set_listen(struct parse *p, const char *v)
{
	struct rconf	*c = p->c;
	struct in_addr	 a4;
	const char	*colon = strrchr(v, ':');
	size_t		 hl;

	if (colon == NULL || parse_port(colon + 1, strlen(colon + 1),
	    &c->listen_port) == -1)
		return fail(p, "listen: \"%s\" is not ADDRESS:PORT", v);
	hl = (size_t)(colon - v);
	if (hl == 5 && memcmp(v, "[::1]", 5) == 0)
		(void)snprintf(c->listen_host, sizeof(c->listen_host), "::1");
	else if (hl < sizeof(c->listen_host)) {
		memcpy(c->listen_host, v, hl);
		c->listen_host[hl] = '\0';
		if (inet_pton(AF_INET, c->listen_host, &a4) != 1 ||
		    (ntohl(a4.s_addr) >> 24) != 127)
			return fail(p, "listen: \"%s\" is not a loopback "
			    "address (127.0.0.0/8 or [::1])", v);
	} else
		return fail(p, "listen: \"%s\" is too long", v);
	return set_str(p, &c->listen, v, "listen");
}

/* https://HOST[:PORT][/PATH]: no user, query or fragment. */
static int
set_url(struct parse *p, const char *v)
{
	struct rconf	*c = p->c;
	const char	*h = v + 8, *e, *s;
	size_t		 hl, n;

	if (strncmp(v, "https://", 8) != 0)
		return fail(p, "url: \"%s\" does not start with https://", v);
	for (s = h; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("-._~/:[]", *s)
		    == NULL)
			return fail(p, "url: \"%s\": character '%c' not "
			    "allowed", v, *s);
	e = h + strcspn(h, "/");
	if (*h == '[')
		s = memchr(h, ']', (size_t)(e - h));
	else
		s = h;
	if (s == NULL)
		return fail(p, "url: \"%s\": bad host", v);
	s = memchr(s, ':', (size_t)(e - s));
	hl = (size_t)((s != NULL ? s : e) - h);
	if (hl == 0 || hl >= sizeof(c->url_host) || h[0] == '.' ||
	    strstr(v, "..") != NULL || strstr(h, "//") != NULL)
		return fail(p, "url: \"%s\": bad host or path", v);
	memcpy(c->url_host, h, hl);
	c->url_host[hl] = '\0';
	c->url_port = 443;
	if (s != NULL && parse_port(s + 1, (size_t)(e - s - 1),
	    &c->url_port) == -1)
		return fail(p, "url: \"%s\": bad port", v);
	if (!set_str(p, &c->url, v, "url"))
		return 0;
	for (n = strlen(c->url); n > 8 && c->url[n - 1] == '/'; n--)
		c->url[n - 1] = '\0';
	return 1;
}

static int
set_fpr(struct parse *p, const char *v)
{
	size_t	 i;

	if (strlen(v) != 40)
		return fail(p, "feed_key: \"%s\" is not a full 40-digit "
		    "fingerprint", v);
	for (i = 0; i < 40; i++) {
		if (!isxdigit((unsigned char)v[i]))
			return fail(p, "feed_key: \"%s\" is not a full "
			    "40-digit fingerprint", v);
		p->c->feed_key[i] = (char)toupper((unsigned char)v[i]);
	}
	p->c->feed_key[40] = '\0';
	return 1;
}

static int
add_lists(struct parse *p, const char *v)
{
	char	 w[VALID_LIST_MAX + 1];
	size_t	 n;

	for (;;) {
		v += strspn(v, " \t");
		if (*v == '\0')
			return 1;
		n = strcspn(v, " \t");
		if (n > VALID_LIST_MAX || !valid_list_name_n(v, n))
			return fail(p, "lists: \"%.*s\" is not a list name",
			    (int)(n > 80 ? 80 : n), v);
		memcpy(w, v, n);
		w[n] = '\0';
		v += n;
		if (strlist_has(&p->c->lists, w))
			return fail(p, "lists: %s named twice", w);
		if (strlist_add(&p->c->lists, w) == -1)
			return fail(p, "lists: %s", strerror(errno));
	}
}

static int
set_key(struct parse *p, const char *k, const char *v)
{
	struct rconf	*c = p->c;

	if (strcmp(k, "listen") == 0)
		return set_listen(p, v);
	if (strcmp(k, "url") == 0)
		return set_url(p, v);
	if (strcmp(k, "cert") == 0)
		return set_path(p, &c->cert, v, k);
	if (strcmp(k, "key") == 0)
		return set_path(p, &c->key, v, k);
	if (strcmp(k, "ca") == 0)
		return set_path(p, &c->ca, v, k);
	if (strcmp(k, "gnupghome") == 0)
		return set_path(p, &c->gnupghome, v, k);
	if (strcmp(k, "state") == 0)
		return set_path(p, &c->state, v, k);
	if (strcmp(k, "feed_key") == 0)
		return set_fpr(p, v);
	if (strcmp(k, "refresh") == 0)
		return set_num(p, &c->refresh, v, k, 1, 86400);
	if (strcmp(k, "max_shrink") == 0)
		return set_num(p, &c->max_shrink, v, k, 0, 100);
	if (strcmp(k, "min_shrink") == 0)
		return set_num(p, &c->min_shrink, v, k, 0, 1000000000);
	return fail(p, "unknown key \"%s\" in [%s]", k, SECTION);
}

static int
handler(void *user, const char *section, const char *k, const char *v)
{
	struct parse	*p = user;

	if (strcmp(section, SECTION) != 0)
		return fail(p, section[0] == '\0' ? "\"%s\" outside [relay]" :
		    "unknown section [%s]", section[0] == '\0' ? k : section);
	if (k == NULL)		/* a section line (INI_CALL_HANDLER_ON_NEW_SECTION) */
		return 1;
	if (strcmp(k, "lists") == 0)
		return add_lists(p, v);
	if (v[0] == '\0')
		return fail(p, "%s: empty value", k);
	if (strlist_has(&p->seen, k))
		return fail(p, "%s: set twice", k);
	if (strlist_add(&p->seen, k) == -1)
		return fail(p, "%s: %s", k, strerror(errno));
	return set_key(p, k, v);
}

/* inih silently cuts longer lines, and takes a NUL for the end. */
static int
check_lines(const char *path)
{
	FILE	*f;
	int	 ch, col = 0, line = 1, rc = 0;

	if ((f = fopen(path, "re")) == NULL) {
		log_warn("%s", path);
		return -1;
	}
	while (rc == 0 && (ch = getc(f)) != EOF) {
		if (ch == '\n') {
			line++;
			col = 0;
		} else if (ch == '\0') {
			log_warnx("%s:%d: NUL byte", path, line);
			rc = -1;
		} else if (++col == INI_LINE_MAX + 1) {
			log_warnx("%s:%d: line longer than %d bytes", path,
			    line, INI_LINE_MAX);
			rc = -1;
		}
	}
	(void)fclose(f);
	return rc;
}

static int
defaults(struct parse *p)
{
	struct rconf	*c = p->c;

	if (c->url == NULL)
		return fail(p, "url is required");
	if (c->cert == NULL || c->key == NULL)
		return fail(p, "cert and key are required");
	if (c->feed_key[0] == '\0')
		return fail(p, "feed_key is required");
	if (c->lists.n == 0)
		return fail(p, "lists: at least one list is required");
	if (c->listen == NULL && !set_listen(p, RCONF_DEFAULT_LISTEN))
		return 0;
	if ((c->ca == NULL && !set_str(p, &c->ca, RCONF_DEFAULT_CA, "ca")) ||
	    (c->gnupghome == NULL && !set_str(p, &c->gnupghome,
	    RCONF_DEFAULT_GNUPGHOME, "gnupghome")) ||
	    (c->state == NULL && !set_str(p, &c->state, RCONF_DEFAULT_STATE,
	    "state")))
		return 0;
	return 1;
}

int
rconf_load(const char *path, struct rconf *c)
{
	struct parse	 p;
	int		 line;

	memset(c, 0, sizeof(*c));
	memset(&p, 0, sizeof(p));
	p.c = c;
	c->refresh = RCONF_DEFAULT_REFRESH;
	c->max_shrink = GUARD_DEFAULT_MAX_SHRINK;
	c->min_shrink = GUARD_DEFAULT_MIN_SHRINK;
	if (check_lines(path) == -1)
		return -1;
	if ((c->path = strdup(path)) == NULL) {
		log_warn("%s", path);
		return -1;
	}
	line = ini_parse(path, handler, &p);
	strlist_free(&p.seen);
	if (line == -1)
		log_warn("%s", path);
	else if (line == -2)
		log_warnx("%s: out of memory", path);
	else if (line > 0)
		log_warnx("%s:%d: %s", path, line,
		    p.why[0] ? p.why : "syntax error");
	else if (!defaults(&p))
		log_warnx("%s: %s", path, p.why);
	else
		return 0;
	rconf_free(c);
	return -1;
}

void
rconf_free(struct rconf *c)
{
	free(c->path);
	free(c->listen);
	free(c->url);
	free(c->cert);
	free(c->key);
	free(c->ca);
	free(c->gnupghome);
	free(c->state);
	strlist_free(&c->lists);
	memset(c, 0, sizeof(*c));
}
