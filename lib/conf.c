/* conf: see conf.h. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "conf.h"
#include "fsutil.h"
#include "guard.h"
#include "kind.h"
#include "log.h"
#include "valid.h"

#ifndef LF_TEMPLATES_DIR
#define LF_TEMPLATES_DIR	"/usr/local/share/listfeed/templates"
#endif
#define INI_LINE_MAX		199	/* what Debian's libinih reads */
#define SHRINK_UNSET		UINT_MAX	/* a [list] takes [feed]'s */
#define MIN_SHRINK_MAX		1000000000

/* A fingerprint or subject, and the client that has it. */
struct claim {
	char		*id;		/* "fingerprint HEX", "subject DN" */
	char		*client;
	unsigned long	 line;
};

struct parse {
	struct lf_config	*c;
	char			 why[1024];	/* first error */
	struct strlist		 seen;		/* "section\nkey" of scalars */
	struct strlist		 sections;	/* [list N], [client N] seen */
	char			 last[256];	/* section of the last key */
	FILE			*f;
	unsigned long		 line;		/* the line being parsed */
	unsigned long		 done;		/* lines read to their end */
	struct claim		*claims;
	size_t			 nclaims;
};

int
strlist_add(struct strlist *l, const char *s)
{
	char	**v;

	if ((v = reallocarray(l->v, l->n + 1, sizeof(*v))) == NULL)
		return -1;
	l->v = v;
	if ((l->v[l->n] = strdup(s)) == NULL)
		return -1;
	l->n++;
	return 0;
}

int
strlist_has(const struct strlist *l, const char *s)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

void
strlist_free(struct strlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int	fail(struct parse *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Records the first error; returns 0, which stops inih's handler. */
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
set_str(struct parse *p, char **dst, const char *v, const char *key)
{
	if (*v == '\0')
		return fail(p, "%s: empty value", key);
	free(*dst);
	if ((*dst = strdup(v)) == NULL)
		return fail(p, "%s: %s", key, strerror(errno));
	return 1;
}

/* Absolute paths only: a relative path would depend on the cwd. */
static int
set_path(struct parse *p, char **dst, const char *v, const char *key)
{
	if (v[0] != '/')
		return fail(p, "%s: \"%s\" is not an absolute path", key, v);
	return set_str(p, dst, v, key);
}

static int
set_uint(struct parse *p, unsigned *dst, const char *v, const char *key,
    unsigned long max)
{
	char		*end;
	unsigned long	 n;

	errno = 0;
	if (!isdigit((unsigned char)v[0]))
		return fail(p, "%s: \"%s\" is not a number", key, v);
	n = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0' || n > max)
		return fail(p, "%s: \"%s\" is not a number in range", key, v);
	*dst = (unsigned)n;
	return 1;
}

/* max_shrink: a percentage, "20" or "20%". */
static int
set_percent(struct parse *p, unsigned *dst, const char *v, const char *key)
{
	char	 n[16];
	size_t	 len = strlen(v);

	if (len > 0 && v[len - 1] == '%')
		len--;
	if (len >= sizeof(n))
		return fail(p, "%s: \"%s\" is not a percentage", key, v);
	memcpy(n, v, len);
	n[len] = '\0';
	return set_uint(p, dst, n, key, 100);
}

/* The shrink guard's keys, in [feed] and [list N]; -1: not one. */
static int
set_shrink(struct parse *p, unsigned *max, unsigned *min, const char *k,
    const char *v)
{
	if (strcmp(k, "max_shrink") == 0)
		return set_percent(p, max, v, k);
	if (strcmp(k, "min_shrink") == 0)
		return set_uint(p, min, v, k, MIN_SHRINK_MAX);
	return -1;
}

static int
set_bool(struct parse *p, int *dst, const char *v, const char *key)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "on") == 0 || strcmp(v, "1") == 0)
		*dst = 1;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "off") == 0 || strcmp(v, "0") == 0)
		*dst = 0;
	else
		return fail(p, "%s: \"%s\" is not yes or no", key, v);
	return 1;
}

/* "AB:CD:.." or "abcd.." SHA-1 to nginx's lower-case hex. */
static int
norm_x509_fpr(const char *in, char out[41])
{
	size_t	 o = 0;

	for (; *in != '\0'; in++) {
		if (*in == ':')
			continue;
		if (!isxdigit((unsigned char)*in) || o >= 40)
			return -1;
		out[o++] = (char)tolower((unsigned char)*in);
	}
	out[o] = '\0';
	return valid_fingerprint(out) ? 0 : -1;
}

enum item { I_PGP_FPR, I_X509_FPR, I_FORMAT, I_LIST };

/* Appends each white-space separated word of v to l, checked as kind. */
static int
add_words(struct parse *p, struct strlist *l, const char *v, const char *key,
    enum item kind, int *star)
{
	char	 w[256], fp[41];
	size_t	 n;
	int	 ok;

	while (*v != '\0') {
		while (isspace((unsigned char)*v))
			v++;
		if (*v == '\0')
			break;
		n = strcspn(v, " \t");
		if (n >= sizeof(w))
			return fail(p, "%s: word too long: %.40s", key, v);
		memcpy(w, v, n);
		w[n] = '\0';
		v += n;
		switch (kind) {
		case I_PGP_FPR:
			ok = valid_pgp_fingerprint(w, w);
			break;
		case I_X509_FPR:
			ok = norm_x509_fpr(w, fp) == 0;
			if (ok)
				(void)snprintf(w, sizeof(w), "%s", fp);
			break;
		case I_FORMAT:
			if (kind_reserved(w))
				return fail(p, "%s: \"%s\" is reserved for "
				    "listfeed's own files", key, w);
			ok = valid_format_name(w);
			break;
		case I_LIST:
			if (star != NULL && strcmp(w, "*") == 0) {
				*star = 1;
				continue;
			}
			ok = valid_list_name(w);
			break;
		default:
			ok = 0;
		}
		if (!ok)
			return fail(p, kind == I_PGP_FPR ?
			    "%s: \"%s\" is not a full 40-digit fingerprint" :
			    "%s: \"%s\" is not valid", key, w);
		if (!strlist_has(l, w) && strlist_add(l, w) == -1)
			return fail(p, "%s: %s", key, strerror(errno));
	}
	return 1;
}

/* A scalar key may be set once per section. */
static int
once(struct parse *p, const char *section, const char *key)
{
	char	 k[512];

	if (xsnprintf(k, sizeof(k), "%s\n%s", section, key) == -1)
		return fail(p, "%s: key too long", key);
	if (strlist_has(&p->seen, k))
		return fail(p, "%s: set twice in [%s]", key, section);
	if (strlist_add(&p->seen, k) == -1)
		return fail(p, "%s: %s", key, strerror(errno));
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
			return set_str(p, &c->query, v, k);
		if (asprintf(&q, "%s %s", c->query, v) == -1)
			return fail(p, "%s: %s", k, strerror(errno));
		free(c->query);
		c->query = q;
		return 1;
	}
	if (!once(p, "database", k))
		return 0;
	if (strcmp(k, "defaults_file") == 0)
		return set_path(p, &c->defaults_file, v, k);
	if (strcmp(k, "group") == 0)
		return set_str(p, &c->group, v, k);
	if (strcmp(k, "tls") == 0) {
		if (strcmp(v, "required") == 0)
			c->tls = TLS_REQUIRED;
		else if (strcmp(v, "disabled") == 0)
			c->tls = TLS_DISABLED;
		else
			return fail(p, "tls: \"%s\" is not required or "
			    "disabled", v);
		return 1;
	}
	if (strcmp(k, "connect_timeout") == 0)
		return set_uint(p, &c->connect_timeout, v, k, 3600);
	if (strcmp(k, "read_timeout") == 0)
		return set_uint(p, &c->read_timeout, v, k, 86400);
	return fail(p, "unknown key \"%s\" in [%s]", k, "database");
}

/* accel_prefix goes into the X-Accel-Redirect header: visible ASCII
 * only, and nothing that would end the path in a URI. */
static int
accel_prefix_ok(const char *v)
{
	size_t		 i;
	unsigned char	 c;

	if (v[0] != '/' || v[strlen(v) - 1] != '/' || strstr(v, "..") != NULL)
		return 0;
	for (i = 0; v[i] != '\0'; i++) {
		c = (unsigned char)v[i];
		if (c <= 0x20 || c >= 0x7f || strchr("?#%", c) != NULL)
			return 0;
	}
	return 1;
}

static int
do_feed(struct parse *p, const char *k, const char *v)
{
	struct lf_config	*c = p->c;
	int			 rc;

	if (strcmp(k, "formats") == 0)
		return add_words(p, &c->formats, v, k, I_FORMAT, NULL);
	if (!once(p, "feed", k))
		return 0;
	if (strcmp(k, "dir") == 0)
		return set_path(p, &c->feed_dir, v, k);
	if (strcmp(k, "interval") == 0)
		return set_uint(p, &c->interval, v, k, 7 * 86400);
	if (strcmp(k, "trigger_socket") == 0)
		return set_path(p, &c->trigger_socket, v, k);
	if (strcmp(k, "templates") == 0)
		return set_path(p, &c->templates, v, k);
	if ((rc = set_shrink(p, &c->max_shrink, &c->min_shrink, k, v)) != -1)
		return rc;
	if (strcmp(k, "accel_prefix") == 0) {
		if (!accel_prefix_ok(v))
			return fail(p, "accel_prefix: \"%s\" must start and "
			    "end with /, in visible ASCII without ? # %%", v);
		return set_str(p, &c->accel_prefix, v, k);
	}
	return fail(p, "unknown key \"%s\" in [%s]", k, "feed");
}

static int
do_fcgi(struct parse *p, const char *k, const char *v)
{
	if (!once(p, "fcgi", k))
		return 0;
	if (strcmp(k, "socket") == 0)
		return set_path(p, &p->c->fcgi_socket, v, k);
	if (strcmp(k, "threads") == 0) {
		if (!set_uint(p, &p->c->fcgi_threads, v, k, 64))
			return 0;
		if (p->c->fcgi_threads == 0)
			return fail(p, "threads: must be at least 1");
		return 1;
	}
	return fail(p, "unknown key \"%s\" in [%s]", k, "fcgi");
}

static int
do_gpg(struct parse *p, const char *k, const char *v)
{
	struct lf_config	*c = p->c;
	char			 fpr[64];

	if (strcmp(k, "recipients") == 0)
		return add_words(p, &c->recipients, v, k, I_PGP_FPR, NULL);
	if (!once(p, "gpg", k))
		return 0;
	if (strcmp(k, "home") == 0)
		return set_path(p, &c->gpg_home, v, k);
	if (strcmp(k, "sign_key") == 0) {
		if (xsnprintf(fpr, sizeof(fpr), "%s", v) == -1 ||
		    !valid_pgp_fingerprint(fpr, fpr))
			return fail(p, "sign_key: \"%s\" is not a full "
			    "40-digit fingerprint", v);
		return set_str(p, &c->sign_key, fpr, k);
	}
	return fail(p, "unknown key \"%s\" in [%s]", k, "gpg");
}

static void *
grow(void *v, size_t n, size_t size)
{
	char	*p;

	if ((p = reallocarray(v, n + 1, size)) == NULL)
		return NULL;
	memset(p + n * size, 0, size);
	return p;
}

static struct lf_list_conf *
list_section(struct parse *p, const char *name)
{
	struct lf_config	*c = p->c;
	struct lf_list_conf	*l;
	size_t			 i;

	for (i = 0; i < c->nlists; i++)
		if (strcmp(c->lists[i].name, name) == 0)
			return &c->lists[i];
	if ((l = grow(c->lists, c->nlists, sizeof(*l))) == NULL)
		return NULL;
	c->lists = l;
	l = &c->lists[c->nlists];
	if ((l->name = strdup(name)) == NULL)
		return NULL;
	l->max_shrink = l->min_shrink = SHRINK_UNSET;
	c->nlists++;
	return l;
}

static struct lf_client *
client_section(struct parse *p, const char *name)
{
	struct lf_config	*c = p->c;
	struct lf_client	*cl;
	size_t			 i;

	for (i = 0; i < c->nclients; i++)
		if (strcmp(c->clients[i].name, name) == 0)
			return &c->clients[i];
	if ((cl = grow(c->clients, c->nclients, sizeof(*cl))) == NULL)
		return NULL;
	c->clients = cl;
	cl = &c->clients[c->nclients];
	if ((cl->name = strdup(name)) == NULL)
		return NULL;
	c->nclients++;
	return cl;
}

static int
do_list(struct parse *p, const char *section, const char *name,
    const char *k, const char *v)
{
	struct lf_list_conf	*l;
	int			 rc;

	if (!valid_list_name(name))
		return fail(p, "[%s]: \"%s\" is not a valid list name",
		    section, name);
	if ((l = list_section(p, name)) == NULL)
		return fail(p, "[%s]: %s", section, strerror(errno));
	if (strcmp(k, "recipients") == 0)
		return add_words(p, &l->recipients, v, k, I_PGP_FPR, NULL);
	if (strcmp(k, "formats") == 0)
		return add_words(p, &l->formats, v, k, I_FORMAT, NULL);
	if (!once(p, section, k))
		return 0;
	if (strcmp(k, "names") == 0) {
		if (strcmp(v, "full") == 0)
			l->names = NAMES_FULL;
		else if (strcmp(v, "first") == 0)
			l->names = NAMES_FIRST;
		else if (strcmp(v, "none") == 0)
			l->names = NAMES_NONE;
		else
			return fail(p, "names: \"%s\" is not full, first or "
			    "none", v);
		return 1;
	}
	if ((rc = set_shrink(p, &l->max_shrink, &l->min_shrink, k, v)) != -1)
		return rc;
	return fail(p, "unknown key \"%s\" in [%s]", k, section);
}

/*
 * One certificate, one client: a fingerprint or a subject that another
 * [client] section has already claimed is refused, naming both lines
 * (otherwise the first section would silently win).
 */
static int
claim(struct parse *p, const char *client, const char *kind, const char *id)
{
	struct claim	*c;
	char		*s;
	size_t		 i;

	if (asprintf(&s, "%s %s", kind, id) == -1)
		return fail(p, "%s: %s", kind, strerror(errno));
	for (i = 0; i < p->nclaims; i++)
		if (strcmp(p->claims[i].id, s) == 0) {
			free(s);
			return fail(p, "%s %s is already in [client %s] at "
			    "%s:%lu: a certificate belongs to one client",
			    kind, id, p->claims[i].client, p->c->path,
			    p->claims[i].line);
		}
	if ((c = grow(p->claims, p->nclaims, sizeof(*c))) == NULL ||
	    (c[p->nclaims].client = strdup(client)) == NULL) {
		if (c != NULL)
			p->claims = c;
		free(s);
		return fail(p, "%s: %s", kind, strerror(errno));
	}
	p->claims = c;
	c[p->nclaims].id = s;
	c[p->nclaims].line = p->line;
	p->nclaims++;
	return 1;
}

static void
claims_free(struct parse *p)
{
	size_t	 i;

	for (i = 0; i < p->nclaims; i++) {
		free(p->claims[i].id);
		free(p->claims[i].client);
	}
	free(p->claims);
	p->claims = NULL;
	p->nclaims = 0;
}

/* Fingerprints from the from'th on, just added to cl, claimed for it. */
static int
claim_fingerprints(struct parse *p, const struct lf_client *cl, size_t from)
{
	for (; from < cl->fingerprints.n; from++)
		if (!claim(p, cl->name, "fingerprint",
		    cl->fingerprints.v[from]))
			return 0;
	return 1;
}

static int
do_client(struct parse *p, const char *section, const char *name,
    const char *k, const char *v)
{
	struct lf_client	*cl;
	size_t			 n;

	if (!valid_list_name(name))
		return fail(p, "[%s]: \"%s\" is not a valid client name",
		    section, name);
	if ((cl = client_section(p, name)) == NULL)
		return fail(p, "[%s]: %s", section, strerror(errno));
	if (strcmp(k, "fingerprint") == 0) {
		n = cl->fingerprints.n;
		return add_words(p, &cl->fingerprints, v, k, I_X509_FPR,
		    NULL) && claim_fingerprints(p, cl, n);
	}
	if (strcmp(k, "lists") == 0)
		return add_words(p, &cl->lists, v, k, I_LIST, &cl->all_lists);
	if (!once(p, section, k))
		return 0;
	if (strcmp(k, "subject") == 0)
		return set_str(p, &cl->subject, v, k) &&
		    claim(p, cl->name, "subject", v);
	if (strcmp(k, "plain") == 0)
		return set_bool(p, &cl->plain, v, k);
	if (strcmp(k, "trigger") == 0)
		return set_bool(p, &cl->trigger, v, k);
	return fail(p, "unknown key \"%s\" in [%s]", k, section);
}

static int
handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse	*p = user;

	/* A [list] or [client] may not come back later in the file: a
	 * second [client NAME] would silently widen the first. */
	if (strcmp(section, p->last) != 0) {
		if ((strncmp(section, "list ", 5) == 0 ||
		    strncmp(section, "client ", 7) == 0) &&
		    strlist_has(&p->sections, section))
			return fail(p, "[%s] appears twice", section);
		if (!strlist_has(&p->sections, section) &&
		    strlist_add(&p->sections, section) == -1)
			return fail(p, "[%s]: %s", section, strerror(errno));
		if (xsnprintf(p->last, sizeof(p->last), "%s", section) == -1)
			return fail(p, "[%.40s...]: section name too long",
			    section);
	}
	if (strcmp(section, "database") == 0)
		return do_database(p, key, value);
	if (strcmp(section, "feed") == 0)
		return do_feed(p, key, value);
	if (strcmp(section, "fcgi") == 0)
		return do_fcgi(p, key, value);
	if (strcmp(section, "gpg") == 0)
		return do_gpg(p, key, value);
	if (strncmp(section, "list ", 5) == 0)
		return do_list(p, section, section + 5, key, value);
	if (strncmp(section, "client ", 7) == 0)
		return do_client(p, section, section + 7, key, value);
	return fail(p, "unknown section [%s]", section);
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
	    set_default(&c->accel_prefix, "/_feed/") == -1 ||
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

/* Checks that cannot be made key by key. */
static int
check_whole(const struct lf_config *c, char *why, size_t whysz)
{
	size_t	 i;

	for (i = 0; i < c->nclients; i++)
		if (c->clients[i].fingerprints.n == 0 &&
		    c->clients[i].subject == NULL) {
			(void)snprintf(why, whysz, "[client %s]: needs a "
			    "fingerprint or a subject", c->clients[i].name);
			return -1;
		}
	return 0;
}

/* inih silently cuts longer lines: refuse them with a clear message. */
static int
check_lines(const char *path)
{
	FILE	*f;
	int	 ch, col = 0, line = 1, rc = 0;

	if ((f = fopen(path, "re")) == NULL) {
		log_warn("%s", path);
		return -1;
	}
	while ((ch = getc(f)) != EOF) {
		if (ch == '\n') {
			line++;
			col = 0;
		} else if (++col == INI_LINE_MAX + 1) {
			log_warnx("%s:%d: line longer than %d bytes; continue "
			    "a long value on indented lines", path, line,
			    INI_LINE_MAX);
			rc = -1;
		}
	}
	(void)fclose(f);
	return rc;
}

/* inih's reader: fgets(3) that counts lines, for claim(). */
static char *
read_line(char *str, int num, void *stream)
{
	struct parse	*p = stream;
	size_t		 n;

	if (fgets(str, num, p->f) == NULL)
		return NULL;
	p->line = p->done + 1;
	n = strlen(str);
	if (n > 0 && str[n - 1] == '\n')
		p->done++;
	return str;
}

/* ini_parse(3) with line numbers: the same results. */
static int
parse_file(const char *path, struct parse *p)
{
	int	 line;

	if ((p->f = fopen(path, "re")) == NULL)
		return -1;
	line = ini_parse_stream(read_line, p, handler, p);
	(void)fclose(p->f);
	p->f = NULL;
	return line;
}

int
conf_load(const char *path, struct lf_config *c)
{
	struct parse	 p;
	int		 line;

	memset(c, 0, sizeof(*c));
	memset(&p, 0, sizeof(p));
	p.c = c;
	c->connect_timeout = 10;
	c->read_timeout = 60;
	c->interval = 3600;
	c->fcgi_threads = 8;
	c->max_shrink = GUARD_DEFAULT_MAX_SHRINK;
	c->min_shrink = GUARD_DEFAULT_MIN_SHRINK;
	if (check_lines(path) == -1)
		return -1;
	if ((c->path = strdup(path)) == NULL) {
		log_warn("%s", path);
		return -1;
	}
	line = parse_file(path, &p);
	strlist_free(&p.seen);
	strlist_free(&p.sections);
	claims_free(&p);
	if (line == -1) {
		log_warn("%s", path);
		goto bad;
	}
	if (line == -2) {
		log_warnx("%s: out of memory", path);
		goto bad;
	}
	if (line > 0) {
		log_warnx("%s:%d: %s", path, line,
		    p.why[0] ? p.why : "syntax error");
		goto bad;
	}
	if (check_whole(c, p.why, sizeof(p.why)) == -1) {
		log_warnx("%s: %s", path, p.why);
		goto bad;
	}
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
	size_t	 i;

	free(c->path);
	free(c->defaults_file);
	free(c->group);
	free(c->query);
	free(c->feed_dir);
	free(c->trigger_socket);
	free(c->accel_prefix);
	strlist_free(&c->formats);
	free(c->templates);
	free(c->fcgi_socket);
	free(c->gpg_home);
	free(c->sign_key);
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

const struct lf_list_conf *
conf_list(const struct lf_config *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->nlists; i++)
		if (strcmp(c->lists[i].name, name) == 0)
			return &c->lists[i];
	return NULL;
}

const struct strlist *
conf_list_recipients(const struct lf_config *c, const char *name)
{
	const struct lf_list_conf	*l = conf_list(c, name);

	return (l != NULL && l->recipients.n > 0) ? &l->recipients :
	    &c->recipients;
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

const struct lf_client *
conf_client_find(const struct lf_config *c, const char *fingerprint,
    const char *subject)
{
	char	 fp[41];
	size_t	 i;

	if (fingerprint != NULL && norm_x509_fpr(fingerprint, fp) == 0)
		for (i = 0; i < c->nclients; i++)
			if (strlist_has(&c->clients[i].fingerprints, fp))
				return &c->clients[i];
	if (subject == NULL || *subject == '\0')
		return NULL;
	/* By subject only where no fingerprint pins the client. */
	for (i = 0; i < c->nclients; i++)
		if (c->clients[i].fingerprints.n == 0 &&
		    c->clients[i].subject != NULL &&
		    strcmp(c->clients[i].subject, subject) == 0)
			return &c->clients[i];
	return NULL;
}

int
conf_client_sees(const struct lf_client *cl, const char *list)
{
	return cl->all_lists || strlist_has(&cl->lists, list);
}

int
conf_list_plain(const struct lf_config *c, const char *list)
{
	size_t	 i;

	for (i = 0; i < c->nclients; i++)
		if (c->clients[i].plain && conf_client_sees(&c->clients[i],
		    list))
			return 1;
	return 0;
}
