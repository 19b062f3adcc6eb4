/* conf: see conf.h. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "conf_int.h"
#include "fsutil.h"
#include "guard.h"
#include "kind.h"
#include "log.h"
#include "optfile.h"
#include "valid.h"

#ifndef LF_TEMPLATES_DIR
#define LF_TEMPLATES_DIR	"/usr/local/share/listfeed/templates"
#endif
#define SHRINK_UNSET		UINT_MAX	/* a [list] takes [feed]'s */
#define MIN_SHRINK_MAX		1000000000
#define LOCAL_HOST		"localhost"	/* Connector/C's, exact case */

void *
conf_grow(struct parse *p, const char *section, void *v, size_t n,
    size_t size)
{
	char	*a;

	if ((a = reallocarray(v, n + 1, size)) == NULL) {
		(void)ini_fail(&p->ini, "[%s]: %s", section, strerror(errno));
		return NULL;
	}
	memset(a + n * size, 0, size);
	return a;
}

int
conf_section_name(struct parse *p, const char *section, const char *name,
    char **dst)
{
	if (!valid_list_name(name))
		return ini_fail(&p->ini, "[%s]: \"%s\" is not a valid name",
		    section, name);
	if ((*dst = strdup(name)) == NULL)
		return ini_fail(&p->ini, "[%s]: %s", section, strerror(errno));
	return 1;
}

/* One word of add_words(), checked and normalised in place: 1, or 0. */
static int
word_ok(struct parse *p, char w[256], const char *key, enum word kind)
{
	char	 fp[41];

	switch (kind) {
	case W_PGP_FPR:
		if (valid_pgp_fingerprint(w, w))
			return 1;
		return ini_fail(&p->ini, "%s: \"%s\" is not a full 40-digit "
		    "fingerprint", key, w);
	case W_X509_FPR:
		if (conf_x509_fpr(w, fp) == -1)
			break;
		memcpy(w, fp, sizeof(fp));
		return 1;
	case W_FORMAT:
		if (kind_reserved(w))
			return ini_fail(&p->ini, "%s: \"%s\" is reserved for "
			    "listfeed's own files", key, w);
		if (valid_format_name(w))
			return 1;
		break;
	case W_LIST:
		if (valid_list_name(w))
			return 1;
		break;
	}
	return ini_fail(&p->ini, "%s: \"%s\" is not valid", key, w);
}

int
conf_add_words(struct parse *p, struct strlist *l, const char *v,
    const char *key, enum word kind, int *star)
{
	const char	*s;
	char		 w[256];
	size_t		 n;

	while ((s = ini_word(&v, &n)) != NULL) {
		if (n >= sizeof(w))
			return ini_fail(&p->ini, "%s: word too long: %.40s",
			    key, s);
		memcpy(w, s, n);
		w[n] = '\0';
		if (star != NULL && strcmp(w, "*") == 0) {
			*star = 1;
			continue;
		}
		if (!word_ok(p, w, key, kind))
			return 0;
		if (!strlist_has(l, w) && strlist_add(l, w) == -1)
			return ini_fail(&p->ini, "%s: %s", key,
			    strerror(errno));
	}
	return 1;
}

/* The shrink guard's keys, in [feed] and [list N]; -1: not one. */
static int
set_shrink(struct parse *p, unsigned *max, unsigned *min, const char *k,
    const char *v)
{
	if (strcmp(k, "max_shrink") == 0)
		return ini_set_percent(&p->ini, max, v, k);
	if (strcmp(k, "min_shrink") == 0)
		return ini_set_uint(&p->ini, min, v, k, 0, MIN_SHRINK_MAX);
	return -1;
}

static int
set_tls(struct parse *p, const char *v)
{
	if (strcmp(v, "required") == 0)
		p->c->tls = TLS_REQUIRED;
	else if (strcmp(v, "disabled") == 0)
		p->c->tls = TLS_DISABLED;
	else
		return ini_fail(&p->ini, "tls: \"%s\" is not required or "
		    "disabled", v);
	p->c->tls_line = p->ini.line;
	return 1;
}

static int
do_database(struct parse *p, const char *k, const char *v)
{
	struct lf_config	*c = p->c;
	char			*q;

	if (strcmp(k, "query") == 0) {
		/* Continuation lines of a long query arrive one by one. */
		if (c->query == NULL)
			return ini_set_str(&p->ini, &c->query, v, k);
		if (asprintf(&q, "%s %s", c->query, v) == -1)
			return ini_fail(&p->ini, "%s: %s", k, strerror(errno));
		free(c->query);
		c->query = q;
		return 1;
	}
	if (!ini_once(&p->ini, "database", k))
		return 0;
	if (strcmp(k, "defaults_file") == 0)
		return ini_set_path(&p->ini, &c->defaults_file, v, k);
	if (strcmp(k, "group") == 0)
		return ini_set_str(&p->ini, &c->group, v, k);
	if (strcmp(k, "tls") == 0)
		return set_tls(p, v);
	if (strcmp(k, "connect_timeout") == 0)
		return ini_set_uint(&p->ini, &c->connect_timeout, v, k, 0,
		    3600);
	if (strcmp(k, "read_timeout") == 0)
		return ini_set_uint(&p->ini, &c->read_timeout, v, k, 0, 86400);
	return ini_fail(&p->ini, "unknown key \"%s\" in [%s]", k, "database");
}

/* The accel_prefix rule (conf.h). */
static int
accel_prefix_ok(const char *v)
{
	size_t	 i, len = strlen(v);

	if (len < 2 || len > CONF_ACCEL_MAX || v[0] != '/' ||
	    v[len - 1] != '/')
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)v[i]) &&
		    strchr("._-/", v[i]) == NULL)
			return 0;
	return strstr(v, "..") == NULL && strstr(v, "//") == NULL;
}

static int
do_feed(struct parse *p, const char *k, const char *v)
{
	struct lf_config	*c = p->c;
	int			 rc;

	if (strcmp(k, "formats") == 0)
		return conf_add_words(p, &c->formats, v, k, W_FORMAT, NULL);
	if (!ini_once(&p->ini, "feed", k))
		return 0;
	if (strcmp(k, "dir") == 0)
		return ini_set_path(&p->ini, &c->feed_dir, v, k);
	if (strcmp(k, "interval") == 0)
		return ini_set_uint(&p->ini, &c->interval, v, k, 0, 7 * 86400);
	if (strcmp(k, "trigger_socket") == 0)
		return ini_set_path(&p->ini, &c->trigger_socket, v, k);
	if (strcmp(k, "templates") == 0)
		return ini_set_path(&p->ini, &c->templates, v, k);
	if ((rc = set_shrink(p, &c->max_shrink, &c->min_shrink, k, v)) != -1)
		return rc;
	if (strcmp(k, "accel_prefix") == 0) {
		if (!accel_prefix_ok(v))
			return ini_fail(&p->ini, "accel_prefix: \"%s\" must "
			    "start and end with /, hold only A-Z a-z 0-9 . _ "
			    "- /, no .. or //, and be at most %d bytes", v,
			    CONF_ACCEL_MAX);
		return ini_set_str(&p->ini, &c->accel_prefix, v, k);
	}
	return ini_fail(&p->ini, "unknown key \"%s\" in [%s]", k, "feed");
}

static int
do_fcgi(struct parse *p, const char *k, const char *v)
{
	if (!ini_once(&p->ini, "fcgi", k))
		return 0;
	if (strcmp(k, "socket") == 0)
		return ini_set_path(&p->ini, &p->c->fcgi_socket, v, k);
	if (strcmp(k, "threads") == 0)
		return ini_set_uint(&p->ini, &p->c->fcgi_threads, v, k, 1, 64);
	return ini_fail(&p->ini, "unknown key \"%s\" in [%s]", k, "fcgi");
}

static int
do_gpg(struct parse *p, const char *k, const char *v)
{
	struct lf_config	*c = p->c;
	char			 fpr[VALID_PGP_FPR_LEN + 1];

	if (strcmp(k, "recipients") == 0)
		return conf_add_words(p, &c->recipients, v, k, W_PGP_FPR,
		    NULL);
	if (!ini_once(&p->ini, "gpg", k))
		return 0;
	if (strcmp(k, "home") == 0)
		return ini_set_path(&p->ini, &c->gpg_home, v, k);
	if (strcmp(k, "sign_key") == 0) {
		if (!valid_pgp_fingerprint(v, fpr))
			return ini_fail(&p->ini, "sign_key: \"%s\" is not a "
			    "full 40-digit fingerprint", v);
		return ini_set_str(&p->ini, &c->sign_key, fpr, k);
	}
	return ini_fail(&p->ini, "unknown key \"%s\" in [%s]", k, "gpg");
}

static int
list_start(struct parse *p, const char *section, const char *name)
{
	struct lf_config	*c = p->c;
	struct lf_list_conf	*l;

	if ((l = conf_grow(p, section, c->lists, c->nlists, sizeof(*l))) ==
	    NULL)
		return 0;
	c->lists = l;
	l = &c->lists[p->cur = c->nlists++];
	l->max_shrink = l->min_shrink = SHRINK_UNSET;
	return conf_section_name(p, section, name, &l->name);
}

static int
do_list(struct parse *p, const char *section, const char *k, const char *v)
{
	struct lf_list_conf	*l = &p->c->lists[p->cur];
	int			 rc;

	if (strcmp(k, "recipients") == 0)
		return conf_add_words(p, &l->recipients, v, k, W_PGP_FPR,
		    NULL);
	if (strcmp(k, "formats") == 0)
		return conf_add_words(p, &l->formats, v, k, W_FORMAT, NULL);
	if (!ini_once(&p->ini, section, k))
		return 0;
	if (strcmp(k, "names") == 0) {
		if (strcmp(v, "full") == 0)
			l->names = NAMES_FULL;
		else if (strcmp(v, "first") == 0)
			l->names = NAMES_FIRST;
		else if (strcmp(v, "none") == 0)
			l->names = NAMES_NONE;
		else
			return ini_fail(&p->ini, "names: \"%s\" is not full, "
			    "first or none", v);
		return 1;
	}
	if ((rc = set_shrink(p, &l->max_shrink, &l->min_shrink, k, v)) != -1)
		return rc;
	return ini_fail(&p->ini, "unknown key \"%s\" in [%s]", k, section);
}

/*
 * The first key of a section.  A [list] or [client] may not come back
 * later in the file: a second [client NAME] would silently widen the
 * first.
 */
static int
section_start(struct parse *p, const char *section)
{
	int	 named = strncmp(section, "list ", 5) == 0 ||
		    strncmp(section, "client ", 7) == 0;

	if (named && strlist_has(&p->sections, section))
		return ini_fail(&p->ini, "[%s] appears twice", section);
	if (!strlist_has(&p->sections, section) &&
	    strlist_add(&p->sections, section) == -1)
		return ini_fail(&p->ini, "[%s]: %s", section, strerror(errno));
	if (xsnprintf(p->last, sizeof(p->last), "%s", section) == -1)
		return ini_fail(&p->ini, "[%.40s...]: section name too long",
		    section);
	if (strncmp(section, "list ", 5) == 0)
		return list_start(p, section, section + 5);
	if (strncmp(section, "client ", 7) == 0)
		return conf_client_start(p, section, section + 7);
	return 1;
}

static int
handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse	*p = user;

	if (strcmp(section, p->last) != 0 && !section_start(p, section))
		return 0;
	if (strcmp(section, "database") == 0)
		return do_database(p, key, value);
	if (strcmp(section, "feed") == 0)
		return do_feed(p, key, value);
	if (strcmp(section, "fcgi") == 0)
		return do_fcgi(p, key, value);
	if (strcmp(section, "gpg") == 0)
		return do_gpg(p, key, value);
	if (strncmp(section, "list ", 5) == 0)
		return do_list(p, section, key, value);
	if (strncmp(section, "client ", 7) == 0)
		return conf_client_key(p, section, key, value);
	return ini_fail(&p->ini, "unknown section [%s]", section);
}

static int
set_default(char **dst, const char *v)
{
	if (*dst != NULL)
		return 0;
	return (*dst = strdup(v)) == NULL ? -1 : 0;
}

static int
defaults(struct lf_config *c)
{
	if (set_default(&c->defaults_file, "/etc/listfeed/my.cnf") == -1 ||
	    set_default(&c->group, "listfeed") == -1 ||
	    set_default(&c->query, CONF_DEFAULT_QUERY) == -1 ||
	    set_default(&c->feed_dir, "/var/lib/listfeed/feed") == -1 ||
	    set_default(&c->trigger_socket, "/run/listfeed/gen/trigger.sock")
	    == -1 ||
	    set_default(&c->accel_prefix, CONF_DEFAULT_ACCEL) == -1 ||
	    set_default(&c->templates, LF_TEMPLATES_DIR) == -1)
		return -1;
	for (size_t i = 0; i < c->nlists; i++) {
		if (c->lists[i].max_shrink == SHRINK_UNSET)
			c->lists[i].max_shrink = c->max_shrink;
		if (c->lists[i].min_shrink == SHRINK_UNSET)
			c->lists[i].min_shrink = c->min_shrink;
	}
	if (c->formats.n == 0 && (strlist_add(&c->formats, "sympa") == -1 ||
	    strlist_add(&c->formats, "csv") == -1 ||
	    strlist_add(&c->formats, "mailman") == -1))
		return -1;
	return 0;
}

int
conf_load(const char *path, struct lf_config *c)
{
	struct parse	 p;
	int		 rc;

	memset(c, 0, sizeof(*c));
	memset(&p, 0, sizeof(p));
	p.c = c;
	c->connect_timeout = 10;
	c->read_timeout = 60;
	c->interval = 3600;
	c->fcgi_threads = 8;
	c->max_shrink = GUARD_DEFAULT_MAX_SHRINK;
	c->min_shrink = GUARD_DEFAULT_MIN_SHRINK;
	if ((c->path = strdup(path)) == NULL) {
		log_warn("%s", path);
		return -1;
	}
	rc = ini_load(&p.ini, path, handler, &p);
	strlist_free(&p.sections);
	conf_claims_free(&p);
	if (rc == -1 || conf_clients_check(c) == -1)
		goto bad;
	if (defaults(c) == -1) {
		log_warnx("%s: out of memory", path);
		goto bad;
	}
	return 0;
bad:
	conf_free(c);
	return -1;
}

void
conf_free(struct lf_config *c)
{
	char	**owned[] = { &c->path, &c->defaults_file, &c->group,
		    &c->query, &c->feed_dir, &c->trigger_socket,
		    &c->accel_prefix, &c->templates, &c->fcgi_socket,
		    &c->gpg_home, &c->sign_key };
	size_t	  i;

	for (i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		free(*owned[i]);
	strlist_free(&c->formats);
	strlist_free(&c->recipients);
	for (i = 0; i < c->nlists; i++) {
		free(c->lists[i].name);
		strlist_free(&c->lists[i].recipients);
		strlist_free(&c->lists[i].formats);
	}
	free(c->lists);
	for (i = 0; i < c->nclients; i++) {
		free(c->clients[i].name);
		strlist_free(&c->clients[i].fingerprints);
		free(c->clients[i].subject);
		strlist_free(&c->clients[i].lists);
	}
	free(c->clients);
	memset(c, 0, sizeof(*c));
}

int
conf_db_check(const struct lf_config *c, const struct optfile *of)
{
	const char	*host = of->val[OPTFILE_HOST];

	if (c->tls != TLS_DISABLED || host == NULL ||
	    strcmp(host, LOCAL_HOST) == 0)
		return 0;
	log_warnx("%s:%lu: tls = disabled, but %s names host = %s, a TCP "
	    "connection: without TLS only the Unix socket is allowed (no "
	    "host, or host = " LOCAL_HOST ")", c->path, c->tls_line,
	    c->defaults_file, host);
	return -1;
}

/* An identifier character of MariaDB (unquoted). */
static int
ident_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '_' || ch == '$' ||
	    (unsigned char)ch >= 0x80;
}

int
conf_query_warn(const struct lf_config *c)
{
	const size_t	 n = strlen(CONF_SEED_VIEW);
	const char	*q;

	for (q = c->query; q != NULL && *q != '\0'; q++)
		if (strncasecmp(q, CONF_SEED_VIEW, n) == 0 &&
		    (q == c->query || !ident_char(q[-1])) &&
		    !ident_char(q[n])) {
			log_warnx("%s: [database] query reads " CONF_SEED_VIEW
			    ", which exports deactivated accounts too: read "
			    "listfeed_subscribers (recommended-view.sql) "
			    "instead", c->path);
			return 1;
		}
	return 0;
}

const struct lf_list_conf *
conf_list(const struct lf_config *c, const char *name)
{
	const struct lf_list_conf	*l = c->lists, *end = l + c->nlists;

	while (l < end && strcmp(l->name, name) != 0)
		l++;
	return l < end ? l : NULL;
}

const struct strlist *
conf_list_recipients(const struct lf_config *c, const char *name)
{
	const struct lf_list_conf	*l = conf_list(c, name);

	return (l != NULL && l->recipients.n > 0) ? &l->recipients :
	    &c->recipients;
}

const struct strlist *
conf_list_formats(const struct lf_config *c, const char *name)
{
	const struct lf_list_conf	*l = conf_list(c, name);

	return (l != NULL && l->formats.n > 0) ? &l->formats : &c->formats;
}

enum names_mode
conf_list_names(const struct lf_config *c, const char *name)
{
	const struct lf_list_conf	*l = conf_list(c, name);

	return l != NULL ? l->names : NAMES_FULL;
}

unsigned
conf_list_max_shrink(const struct lf_config *c, const char *name)
{
	const struct lf_list_conf	*l = conf_list(c, name);

	return l != NULL ? l->max_shrink : c->max_shrink;
}

unsigned
conf_list_min_shrink(const struct lf_config *c, const char *name)
{
	const struct lf_list_conf	*l = conf_list(c, name);

	return l != NULL ? l->min_shrink : c->min_shrink;
}
