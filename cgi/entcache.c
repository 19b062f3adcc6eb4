/* entcache: see entcache.h. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "entcache.h"
#include "layout.h"
#include "log.h"

#define NBUCKETS	4096

static pthread_mutex_t	 mtx = PTHREAD_MUTEX_INITIALIZER;
static struct centry	*buckets[NBUCKETS];

static size_t
bucket(const char *name)
{
	uint32_t	 h = 2166136261u;

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h % NBUCKETS;
}

static void
unref(struct centry *c)
{
	if (c == NULL || --c->refs > 0)
		return;
	manifest_entry_free(&c->e);
	free(c);
}

/* The kept entry of name, a reference taken, if it is of version gen. */
static struct centry *
lookup(const char *name, long long gen)
{
	struct centry	*c;

	for (c = buckets[bucket(name)]; c != NULL; c = c->next)
		if (strcmp(c->e.name, name) == 0) {
			if (c->gen != gen)
				return NULL;
			c->refs++;
			return c;
		}
	return NULL;
}

/* Keeps n (one reference for the cache) in place of name's older one. */
static void
keep(struct centry *n)
{
	struct centry	**pp, *c;

	for (pp = &buckets[bucket(n->e.name)]; (c = *pp) != NULL;
	    pp = &c->next)
		if (strcmp(c->e.name, n->e.name) == 0) {
			if (c->gen > n->gen)
				return;		/* a newer one came first */
			*pp = c->next;
			unref(c);
			break;
		}
	n->refs++;
	n->next = buckets[bucket(n->e.name)];
	buckets[bucket(n->e.name)] = n;
}

int
entcache_get(const char *feed, const char *name, struct centry **out)
{
	struct centry	*c;
	long long	 gen;
	int		 rc;

	*out = NULL;
	if ((rc = layout_live(feed, name, &gen)) != 1)
		return rc;
	pthread_mutex_lock(&mtx);
	c = lookup(name, gen);
	pthread_mutex_unlock(&mtx);
	if (c != NULL) {
		*out = c;
		return 1;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("calloc");
		return -1;
	}
	if ((rc = layout_entry(feed, name, gen, &c->e)) != 0) {
		free(c);
		if (rc == 1)
			log_warnx("list %s: version %lld has no " ENTRY_NAME,
			    name, gen);
		return -1;
	}
	c->gen = gen;
	c->refs = 1;
	pthread_mutex_lock(&mtx);
	keep(c);
	pthread_mutex_unlock(&mtx);
	*out = c;
	return 1;
}

void
entcache_put(struct centry *c)
{
	pthread_mutex_lock(&mtx);
	unref(c);
	pthread_mutex_unlock(&mtx);
}

void
entcache_flush(void)
{
	struct centry	*c, *n;
	size_t		 i;

	pthread_mutex_lock(&mtx);
	for (i = 0; i < NBUCKETS; i++) {
		for (c = buckets[i]; c != NULL; c = n) {
			n = c->next;
			unref(c);
		}
		buckets[i] = NULL;
	}
	pthread_mutex_unlock(&mtx);
}
