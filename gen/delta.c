/* delta: see delta.h. */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "delta.h"
#include "fsutil.h"
#include "log.h"

#define LINE	33	/* 32 hex digits and a newline */
#define STATE_MAX	(1UL << 30)

int
delta_open(struct delta *d, const char *statedir)
{
	char	 path[PATH_MAX];
	char	*data;
	size_t	 len;

	memset(d, 0, sizeof(*d));
	if (mkdir_p(statedir, 0700) == -1 || chmod(statedir, 0700) == -1) {
		log_warn("%s", statedir);
		return -1;
	}
	if ((d->dir = strdup(statedir)) == NULL ||
	    xsnprintf(path, sizeof(path), "%s/salt", statedir) == -1)
		goto bad;
	if (read_file(path, 1024, &data, &len) == 0) {
		if (len == sizeof(d->salt)) {
			memcpy(d->salt, data, len);
			free(data);
			return 0;
		}
		free(data);
		log_warnx("%s: not a salt (%zu bytes); remove it", path, len);
		goto bad;
	}
	if (errno != ENOENT) {
		log_warn("%s", path);
		goto bad;
	}
	if (getrandom(d->salt, sizeof(d->salt), 0) != sizeof(d->salt)) {
		log_warn("getrandom");
		goto bad;
	}
	if (atomic_write(statedir, "salt", d->salt, sizeof(d->salt), 0600)
	    == -1)
		goto bad;
	return 0;
bad:
	delta_close(d);
	return -1;
}

void
delta_close(struct delta *d)
{
	free(d->dir);
	memset(d, 0, sizeof(*d));
}

static int
cmp_line(const void *a, const void *b)
{
	return memcmp(a, b, LINE - 1);
}

static int
make_state(const struct delta *d, const struct members *l, struct buf *next)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen;
	EVP_MD_CTX		*ctx;
	size_t			 i, j;

	buf_reset(next);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	for (i = 0; i < l->n; i++) {
		char line[LINE];

		if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
		    EVP_DigestUpdate(ctx, d->salt, sizeof(d->salt)) != 1 ||
		    EVP_DigestUpdate(ctx, l->m[i].key, strlen(l->m[i].key))
		    != 1 || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1) {
			EVP_MD_CTX_free(ctx);
			return -1;
		}
		for (j = 0; j < 16; j++) {
			line[2 * j] = hex[md[j] >> 4];
			line[2 * j + 1] = hex[md[j] & 0xf];
		}
		line[LINE - 1] = '\n';
		if (buf_add(next, line, LINE) == -1) {
			EVP_MD_CTX_free(ctx);
			return -1;
		}
	}
	EVP_MD_CTX_free(ctx);
	if (l->n > 1)
		qsort(next->data, l->n, LINE, cmp_line);
	return 0;
}

int
delta_diff(const struct delta *d, const struct members *l,
    unsigned long *added, unsigned long *removed, struct delta_update *u)
{
	struct buf	*next = &u->members;
	char		 path[PATH_MAX];
	char		*old = NULL;
	size_t		 oldlen = 0, i = 0, j = 0, nold, nnew;
	int		 c;

	*added = *removed = 0;
	(void)snprintf(u->list, sizeof(u->list), "%s", l->name);
	u->counts.count = l->n;
	u->counts.mail = l->mail;
	u->counts.digest = l->digest;
	u->counts.reception = 1;
	if (make_state(d, l, next) == -1) {
		log_warnx("list %s: cannot hash its members", l->name);
		return -1;
	}
	if (xsnprintf(path, sizeof(path), "%s/%s.members", d->dir, l->name)
	    == -1)
		return -1;
	if (read_file(path, STATE_MAX, &old, &oldlen) == -1) {
		if (errno != ENOENT) {
			log_warn("%s", path);
			return -1;
		}
		oldlen = 0;
	}
	if (oldlen % LINE != 0) {
		log_warnx("%s: damaged; counting every member as added",
		    path);
		oldlen = 0;
	}
	nold = oldlen / LINE;
	nnew = next->len / LINE;
	while (i < nold || j < nnew) {
		if (i == nold)
			c = 1;
		else if (j == nnew)
			c = -1;
		else
			c = memcmp(old + i * LINE, next->data + j * LINE,
			    LINE - 1);
		if (c < 0) {
			(*removed)++;
			i++;
		} else if (c > 0) {
			(*added)++;
			j++;
		} else {
			i++;
			j++;
		}
	}
	free(old);
	return 0;
}

int
delta_save(const struct delta *d, const struct delta_update *u)
{
	char	 name[NAME_MAX + 1], counts[80];
	int	 n;

	n = snprintf(counts, sizeof(counts), "%lu %lu %lu\n", u->counts.count,
	    u->counts.mail, u->counts.digest);
	if (n < 0 || (size_t)n >= sizeof(counts) ||
	    xsnprintf(name, sizeof(name), "%s.counts", u->list) == -1 ||
	    atomic_write(d->dir, name, counts, (size_t)n, 0600) == -1 ||
	    xsnprintf(name, sizeof(name), "%s.members", u->list) == -1)
		return -1;
	return atomic_write(d->dir, name, buf_str(&u->members),
	    u->members.len, 0600);
}

void
delta_update_free(struct delta_update *u)
{
	buf_free(&u->members);
	memset(u, 0, sizeof(*u));
}

/* One decimal number of at most 19 digits ending at sep; NULL if not. */
static const char *
get_count(const char *s, char sep, unsigned long *v)
{
	size_t	 i;

	*v = 0;
	for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 19; i++)
		*v = *v * 10 + (unsigned long)(s[i] - '0');
	if (i == 0 || s[i] != sep || (i > 1 && s[0] == '0'))
		return NULL;
	return s + i + 1;
}

static int
parse_counts(const char *s, size_t len, struct delta_counts *c)
{
	const char	*p;

	memset(c, 0, sizeof(*c));
	if (strlen(s) != len || (p = get_count(s, ' ', &c->count)) == NULL ||
	    (p = get_count(p, ' ', &c->mail)) == NULL ||
	    (p = get_count(p, '\n', &c->digest)) == NULL || *p != '\0' ||
	    c->mail > c->count || c->digest != c->count - c->mail)
		return -1;
	c->reception = 1;
	return 0;
}

/* NAME.FILE into *data; 1 read, 0 absent, -1 error (logged). */
static int
read_state(const struct delta *d, const char *list, const char *file,
    char **data, size_t *len)
{
	char	 path[PATH_MAX];

	if (xsnprintf(path, sizeof(path), "%s/%s.%s", d->dir, list, file)
	    == -1)
		return -1;
	if (read_file(path, STATE_MAX, data, len) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	log_warn("%s", path);
	return -1;
}

int
delta_last(const struct delta *d, const char *list, struct delta_counts *c)
{
	char	*data = NULL;
	size_t	 len;
	int	 rc;

	memset(c, 0, sizeof(*c));
	if ((rc = read_state(d, list, "counts", &data, &len)) == 1) {
		rc = parse_counts(data, len, c) == 0 ? 1 : -1;
		if (rc == -1)
			log_warnx("%s/%s.counts: damaged", d->dir, list);
	} else if (rc == 0 &&
	    (rc = read_state(d, list, "members", &data, &len)) == 1) {
		c->count = len / LINE;
		if (len % LINE != 0) {
			log_warnx("%s/%s.members: damaged", d->dir, list);
			rc = -1;
		}
	}
	free(data);
	return rc;
}
