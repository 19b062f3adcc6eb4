/* rconf: see rconf.h. */
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "inifile.h"
#include "log.h"
#include "rconf.h"
#include "valid.h"

#define SECTION		"relay"

struct parse {
	struct inifile	 ini;
	struct rconf	*c;
};

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
		return ini_fail(&p->ini, "listen: \"%s\" is not ADDRESS:PORT",
		    v);
	hl = (size_t)(colon - v);
	if (hl == 5 && memcmp(v, "[::1]", 5) == 0)
		(void)snprintf(c->listen_host, sizeof(c->listen_host), "::1");
	else if (hl < sizeof(c->listen_host)) {
		memcpy(c->listen_host, v, hl);
		c->listen_host[hl] = '\0';
		if (inet_pton(AF_INET, c->listen_host, &a4) != 1 ||
		    (ntohl(a4.s_addr) >> 24) != 127)
			return ini_fail(&p->ini, "listen: \"%s\" is not a "
			    "loopback address (127.0.0.0/8 or [::1])", v);
	} else
		return ini_fail(&p->ini, "listen: \"%s\" is too long", v);
	return ini_set_str(&p->ini, &c->listen, v, "listen");
}

/* https://HOST[:PORT][/PATH]: no user, query or fragment. */
static int
set_url(struct parse *p, const char *v)
{
	struct rconf	*c = p->c;
	const char	*h = v + 8, *e, *s;
	size_t		 hl, n;

	if (strncmp(v, "https://", 8) != 0)
		return ini_fail(&p->ini, "url: \"%s\" does not start with "
		    "https://", v);
	for (s = h; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("-._~/:[]", *s)
		    == NULL)
			return ini_fail(&p->ini, "url: \"%s\": character "
			    "'%c' not allowed", v, *s);
	e = h + strcspn(h, "/");
	if (*h == '[')
		s = memchr(h, ']', (size_t)(e - h));
	else
		s = h;
	if (s == NULL)
		return ini_fail(&p->ini, "url: \"%s\": bad host", v);
	s = memchr(s, ':', (size_t)(e - s));
	hl = (size_t)((s != NULL ? s : e) - h);
	if (hl == 0 || hl >= sizeof(c->url_host) || h[0] == '.' ||
	    strstr(v, "..") != NULL || strstr(h, "//") != NULL)
		return ini_fail(&p->ini, "url: \"%s\": bad host or path", v);
	memcpy(c->url_host, h, hl);
	c->url_host[hl] = '\0';
	c->url_port = 443;
	if (s != NULL && parse_port(s + 1, (size_t)(e - s - 1),
	    &c->url_port) == -1)
		return ini_fail(&p->ini, "url: \"%s\": bad port", v);
	if (!ini_set_str(&p->ini, &c->url, v, "url"))
		return 0;
	for (n = strlen(c->url); n > 8 && c->url[n - 1] == '/'; n--)
		c->url[n - 1] = '\0';
	return 1;
}

static int
set_fpr(struct parse *p, const char *v)
{
	if (!valid_pgp_fingerprint(v, p->c->feed_key))
		return ini_fail(&p->ini, "feed_key: \"%s\" is not a full "
		    "40-digit fingerprint", v);
	return 1;
}

static int
add_lists(struct parse *p, const char *v)
{
	const char	*s;
	char		 w[VALID_LIST_MAX + 1];
	size_t		 n;

	while ((s = ini_word(&v, &n)) != NULL) {
		if (n > VALID_LIST_MAX || !valid_list_name_n(s, n))
			return ini_fail(&p->ini, "lists: \"%.*s\" is not a "
			    "list name", (int)(n > 80 ? 80 : n), s);
		memcpy(w, s, n);
		w[n] = '\0';
		if (strlist_has(&p->c->lists, w))
			return ini_fail(&p->ini, "lists: %s named twice", w);
		if (strlist_add(&p->c->lists, w) == -1)
			return ini_fail(&p->ini, "lists: %s", strerror(errno));
	}
	return 1;
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
		return ini_set_path(&p->ini, &c->cert, v, k);
	if (strcmp(k, "key") == 0)
		return ini_set_path(&p->ini, &c->key, v, k);
	if (strcmp(k, "ca") == 0)
		return ini_set_path(&p->ini, &c->ca, v, k);
	if (strcmp(k, "gnupghome") == 0)
		return ini_set_path(&p->ini, &c->gnupghome, v, k);
	if (strcmp(k, "state") == 0)
		return ini_set_path(&p->ini, &c->state, v, k);
	if (strcmp(k, "feed_key") == 0)
		return set_fpr(p, v);
	if (strcmp(k, "refresh") == 0)
		return ini_set_uint(&p->ini, &c->refresh, v, k, 1, 86400);
	if (strcmp(k, "max_shrink") == 0)
		return ini_set_uint(&p->ini, &c->max_shrink, v, k, 0, 100);
	if (strcmp(k, "min_shrink") == 0)
		return ini_set_uint(&p->ini, &c->min_shrink, v, k, 0,
		    1000000000);
	return ini_fail(&p->ini, "unknown key \"%s\" in [%s]", k, SECTION);
}

static int
handler(void *user, const char *section, const char *k, const char *v)
{
	struct parse	*p = user;

	if (strcmp(section, SECTION) != 0)
		return ini_fail(&p->ini, section[0] == '\0' ?
		    "\"%s\" outside [relay]" : "unknown section [%s]",
		    section[0] == '\0' ? k : section);
	/* A section line (with INI_CALL_HANDLER_ON_NEW_SECTION). */
	if (k == NULL)
		return 1;
	if (strcmp(k, "lists") == 0)
		return add_lists(p, v);
	if (v[0] == '\0')
		return ini_fail(&p->ini, "%s: empty value", k);
	if (!ini_once(&p->ini, SECTION, k))
		return 0;
	return set_key(p, k, v);
}

static int
defaults(struct parse *p)
{
	struct rconf	*c = p->c;

	if (c->url == NULL)
		return ini_fail(&p->ini, "url is required");
	if (c->cert == NULL || c->key == NULL)
		return ini_fail(&p->ini, "cert and key are required");
	if (c->feed_key[0] == '\0')
		return ini_fail(&p->ini, "feed_key is required");
	if (c->lists.n == 0)
		return ini_fail(&p->ini, "lists: at least one list is "
		    "required");
	if (c->listen == NULL && !set_listen(p, RCONF_DEFAULT_LISTEN))
		return 0;
	if (c->ca == NULL && !ini_set_str(&p->ini, &c->ca, RCONF_DEFAULT_CA,
	    "ca"))
		return 0;
	if (c->gnupghome == NULL && !ini_set_str(&p->ini, &c->gnupghome,
	    RCONF_DEFAULT_GNUPGHOME, "gnupghome"))
		return 0;
	return c->state != NULL || ini_set_str(&p->ini, &c->state,
	    RCONF_DEFAULT_STATE, "state");
}

int
rconf_load(const char *path, struct rconf *c)
{
	struct parse	 p;

	memset(c, 0, sizeof(*c));
	memset(&p, 0, sizeof(p));
	p.c = c;
	c->refresh = RCONF_DEFAULT_REFRESH;
	c->max_shrink = GUARD_DEFAULT_MAX_SHRINK;
	c->min_shrink = GUARD_DEFAULT_MIN_SHRINK;
	if ((c->path = strdup(path)) == NULL) {
		log_warn("%s", path);
		return -1;
	}
	if (ini_load(&p.ini, path, handler, &p) == 0) {
		if (defaults(&p))
			return 0;
		log_warnx("%s: %s", path, p.ini.why);
	}
	rconf_free(c);
	return -1;
}

void
rconf_free(struct rconf *c)
{
	char	**owned[] = { &c->path, &c->listen, &c->url, &c->cert,
		    &c->key, &c->ca, &c->gnupghome, &c->state };
	size_t	  i;

	for (i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		free(*owned[i]);
	strlist_free(&c->lists);
	memset(c, 0, sizeof(*c));
}
