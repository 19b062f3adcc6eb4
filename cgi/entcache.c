/* entcache: see entcache.h. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "entcache.h"
#include "fsutil.h"
#include "layout.h"
#include "log.h"

#define NBUCKETS	4096
#define REREAD_MS	1000	/* a trusted link, read again after */

/* Everything below is under mtx. */
static pthread_mutex_t	 mtx = PTHREAD_MUTEX_INITIALIZER;
static struct centry	*buckets[NBUCKETS];
static char		*trusted;	/* the feed whose FEED/l is watched */
static unsigned long	 era = 1;	/* of the trust: c->live valid if
					   equal */
static unsigned long	 files_era = 1;
/* Counts what was said of any link: a link read while it moved says
 * nothing of the next request. */
static unsigned long	 seq;

static uint32_t
hash(uint32_t h, const char *s)
{
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static size_t
bucket(const char *feed, const char *name)
{
	return hash(hash(2166136261u, feed) * 16777619u, name) % NBUCKETS;
}

static void
unref(struct centry *c)
{
	if (c == NULL || --c->refs > 0)
		return;
	manifest_entry_free(&c->e);
	free(c->files);
	free(c->feed);
	free(c);
}

/* The slot holding (feed, name)'s entry, or the end of its bucket. */
static struct centry **
slot(const char *feed, const char *name)
{
	struct centry	**pp, *c;

	for (pp = &buckets[bucket(feed, name)]; (c = *pp) != NULL;
	    pp = &c->next)
		if (strcmp(c->e.name, name) == 0 && strcmp(c->feed, feed) == 0)
			break;
	return pp;
}

static void
unlink_at(struct centry **pp)
{
	struct centry	*c = *pp;

	*pp = c->next;
	unref(c);
}

/* Its link was read after seq0: live, if nothing was said since. */
static void
mark_live(struct centry *c, unsigned long seq0)
{
	if (trusted != NULL && seq == seq0 && strcmp(c->feed, trusted) == 0) {
		c->live = era;
		c->read_ms = mono_ns() / 1000000;
	}
}

/* Keeps n in place of its list's older entry; the one kept, with a
 * reference for the caller. */
static struct centry *
keep(struct centry *n, unsigned long seq0)
{
	struct centry	**pp = slot(n->feed, n->e.name), *c = *pp;

	if (c != NULL && c->gen > n->gen)
		return n;		/* a newer one came first */
	if (c != NULL)
		unlink_at(pp);
	n->refs++;
	n->next = buckets[bucket(n->feed, n->e.name)];
	buckets[bucket(n->feed, n->e.name)] = n;
	mark_live(n, seq0);
	return n;
}

/* A new entry of (feed, name, gen), one reference; NULL (logged). */
static struct centry *
load(const char *feed, const char *name, long long gen)
{
	struct centry	*c;
	int		 rc;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->feed = strdup(feed)) == NULL) {
		log_warn("calloc");
		free(c);
		return NULL;
	}
	if ((rc = layout_entry(feed, name, gen, &c->e)) != 0 ||
	    (c->files = calloc(c->e.nfiles + 1, sizeof(*c->files))) == NULL) {
		if (rc == 1)
			log_warnx("list %s: version %lld has no " ENTRY_NAME,
			    name, gen);
		else if (rc == 0)
			log_warn("calloc");
		c->refs = 1;
		unref(c);
		return NULL;
	}
	c->gen = gen;
	c->refs = 1;
	return c;
}

/* The kept entry, when its link needs no reading: a reference taken. */
static struct centry *
trusted_hit(const char *feed, const char *name, unsigned long *seq0)
{
	struct centry	*c;

	pthread_mutex_lock(&mtx);
	*seq0 = seq;
	c = *slot(feed, name);
	if (c != NULL && c->live == era && trusted != NULL &&
	    strcmp(trusted, feed) == 0 &&
	    mono_ns() / 1000000 - c->read_ms <= REREAD_MS)
		c->refs++;
	else
		c = NULL;
	pthread_mutex_unlock(&mtx);
	return c;
}

int
entcache_get(const char *feed, const char *name, struct centry **out)
{
	struct centry	*c, **pp;
	unsigned long	 seq0;
	long long	 gen;
	int		 rc;

	if ((*out = trusted_hit(feed, name, &seq0)) != NULL)
		return 1;
	rc = layout_live(feed, name, &gen);
	pthread_mutex_lock(&mtx);
	pp = slot(feed, name);
	if (rc == 0 && *pp != NULL)
		unlink_at(pp);
	if (rc == 1 && (c = *pp) != NULL && c->gen == gen) {
		c->refs++;
		mark_live(c, seq0);
		*out = c;
	}
	pthread_mutex_unlock(&mtx);
	if (rc != 1 || *out != NULL)
		return rc;
	if ((c = load(feed, name, gen)) == NULL)
		return -1;
	pthread_mutex_lock(&mtx);
	*out = keep(c, seq0);
	pthread_mutex_unlock(&mtx);
	return 1;
}

void
entcache_put(struct centry *c)
{
	pthread_mutex_lock(&mtx);
	unref(c);
	pthread_mutex_unlock(&mtx);
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(a, *(char *const *)b);
}

/* Drops the entries for which drop(c, arg) says 1, under mtx. */
static void
drop_if(int (*drop)(const struct centry *, const void *), const void *arg)
{
	struct centry	**pp;
	size_t		 i;

	for (i = 0; i < NBUCKETS; i++)
		for (pp = &buckets[i]; *pp != NULL; )
			if (drop(*pp, arg))
				unlink_at(pp);
			else
				pp = &(*pp)->next;
}

static int
drop_all(const struct centry *c, const void *arg)
{
	(void)c;
	(void)arg;
	return 1;
}

struct sweep {
	const char		*feed;
	const struct strlist	*names;
};

static int
drop_unlisted(const struct centry *c, const void *arg)
{
	const struct sweep *s = arg;

	/* bsearch() wants a base even for no names. */
	return strcmp(c->feed, s->feed) != 0 || s->names->n == 0 ||
	    bsearch(c->e.name, s->names->v, s->names->n,
	    sizeof(*s->names->v), cmp_name) == NULL;
}

void
entcache_flush(void)
{
	pthread_mutex_lock(&mtx);
	drop_if(drop_all, NULL);
	pthread_mutex_unlock(&mtx);
}

void
entcache_sweep(const char *feed, const struct strlist *names)
{
	struct sweep	 s = { feed, names };

	pthread_mutex_lock(&mtx);
	drop_if(drop_unlisted, &s);
	pthread_mutex_unlock(&mtx);
}

void
entcache_trust(const char *feed)
{
	char	*t = strdup(feed);

	if (t == NULL)
		log_warn("strdup");
	pthread_mutex_lock(&mtx);
	free(trusted);
	trusted = t;
	era++;
	seq++;
	pthread_mutex_unlock(&mtx);
}

void
entcache_untrust(void)
{
	pthread_mutex_lock(&mtx);
	free(trusted);
	trusted = NULL;
	era++;
	seq++;
	pthread_mutex_unlock(&mtx);
}

/* The events are of the trusted feed's links: only its entries can be
 * live. */
void
entcache_stale(const char *name)
{
	struct centry	*c;

	pthread_mutex_lock(&mtx);
	seq++;
	if (trusted != NULL && (c = *slot(trusted, name)) != NULL)
		c->live = 0;
	pthread_mutex_unlock(&mtx);
}

void
entcache_gone(const char *name)
{
	struct centry	**pp;

	pthread_mutex_lock(&mtx);
	seq++;
	if (trusted != NULL && *(pp = slot(trusted, name)) != NULL)
		unlink_at(pp);
	pthread_mutex_unlock(&mtx);
}

int
entcache_file_size(struct centry *c, size_t i, long long *size,
    unsigned long *e)
{
	int	 known;

	pthread_mutex_lock(&mtx);
	known = c->files[i].era == files_era;
	*size = c->files[i].size;
	*e = files_era;
	pthread_mutex_unlock(&mtx);
	return known;
}

void
entcache_file_keep(struct centry *c, size_t i, long long size,
    unsigned long e)
{
	pthread_mutex_lock(&mtx);
	if (e == files_era) {
		c->files[i].size = size;
		c->files[i].era = e;
	}
	pthread_mutex_unlock(&mtx);
}

void
entcache_files_stale(void)
{
	pthread_mutex_lock(&mtx);
	files_era++;
	pthread_mutex_unlock(&mtx);
}
