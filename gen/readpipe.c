/* readpipe: see readpipe.h. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "log.h"
#include "readpipe.h"
#include "valid.h"

/* The names of the lists begun so far: open addressing, at most half full. */
struct names {
	char		**v;
	size_t		  n, cap;
};

struct readpipe {
	pthread_t		 tid;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;		/* queue or state changed */
	struct collect		*q[READPIPE_QUEUE];
	size_t			 head, nq;
	int			 done, stop;
	enum db_status		 st;
	/* The reader's own. */
	const struct lf_config	*cfg;
	const char *const	*only;
	size_t			 nonly;
	struct db		*db;
	struct collect		*cur;		/* the list being read */
	char			 name[VALID_LIST_MAX + 1];	/* its name */
	struct collect		 counts;	/* rows and rejects so far */
	struct names		 begun;
	int			 order, nomem;
};

static size_t
name_slot(const struct names *s, const char *name, size_t len)
{
	size_t	 h = 5381, i;

	for (i = 0; i < len; i++)
		h = h * 33 + (unsigned char)name[i];
	for (h &= s->cap - 1; s->v[h] != NULL; h = (h + 1) & (s->cap - 1))
		if (strncmp(s->v[h], name, len) == 0 && s->v[h][len] == '\0')
			break;
	return h;
}

/* 1 if name was begun before, else 0 and it is now; -1: no memory. */
static int
names_add(struct names *s, const char *name, size_t len)
{
	struct names	 g;
	size_t		 i, j;

	if (s->cap > 0 && s->v[name_slot(s, name, len)] != NULL)
		return 1;
	if (2 * (s->n + 1) > s->cap) {
		g.cap = s->cap ? 2 * s->cap : 64;
		g.n = s->n;
		if ((g.v = calloc(g.cap, sizeof(*g.v))) == NULL)
			return -1;
		for (i = 0; i < s->cap; i++)
			if (s->v[i] != NULL) {
				j = name_slot(&g, s->v[i], strlen(s->v[i]));
				g.v[j] = s->v[i];
			}
		free(s->v);
		*s = g;
	}
	i = name_slot(s, name, len);
	if ((s->v[i] = strndup(name, len)) == NULL)
		return -1;
	s->n++;
	return 0;
}

static void
names_free(struct names *s)
{
	size_t	 i;

	for (i = 0; i < s->cap; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Adds the counts of from to to. */
static void
add_counts(struct collect *to, const struct collect *from)
{
	size_t	 i;

	to->rows += from->rows;
	for (i = 0; i < REJ_NREASONS; i++)
		to->rejects[i] += from->rejects[i];
}

static void
drop(struct collect *c)
{
	if (c != NULL)
		collect_free(c);
	free(c);
}

/* The current list is complete: finished and queued.  0 or -1. */
static int
hand_over(struct readpipe *rp)
{
	struct collect	*c = rp->cur;

	rp->cur = NULL;
	if (collect_finish(c) == -1) {
		rp->nomem = 1;
		drop(c);
		return -1;
	}
	add_counts(&rp->counts, c);
	if (c->nlists == 0) {
		drop(c);
		return 0;
	}
	pthread_mutex_lock(&rp->mu);
	while (rp->nq == READPIPE_QUEUE && !rp->stop)
		pthread_cond_wait(&rp->cv, &rp->mu);
	if (rp->stop) {
		pthread_mutex_unlock(&rp->mu);
		drop(c);
		return -1;
	}
	rp->q[(rp->head + rp->nq++) % READPIPE_QUEUE] = c;
	pthread_cond_broadcast(&rp->cv);
	pthread_mutex_unlock(&rp->mu);
	return 0;
}

/* A row of a list other than the current one: the current is complete,
 * and the new one must not have been begun before. */
static int
next_list(struct readpipe *rp, const struct db_row *r)
{
	int	 seen;

	if (rp->cur != NULL && hand_over(rp) == -1)
		return -1;
	if ((seen = names_add(&rp->begun, r->list, r->list_len)) == -1) {
		rp->nomem = 1;
		return -1;
	}
	if (seen) {
		rp->order = 1;
		log_warnx("database: the rows of list %.*s start again after "
		    "those of other lists: the query must return each list's "
		    "rows together (ORDER BY list)", (int)r->list_len,
		    r->list);
		return -1;
	}
	memcpy(rp->name, r->list, r->list_len);
	rp->name[r->list_len] = '\0';
	return 0;
}

/*
 * The list is known by its name, not by its collector: a list's first
 * rows may all be set aside, and it has no entry in the collector yet.
 */
static int
pipe_row(void *ctx, const struct db_row *r)
{
	struct readpipe	*rp = ctx;

	if (__atomic_load_n(&rp->stop, __ATOMIC_RELAXED))
		return -1;
	if (r->list != NULL && valid_list_name_n(r->list, r->list_len) &&
	    (strncmp(rp->name, r->list, r->list_len) != 0 ||
	    rp->name[r->list_len] != '\0') && next_list(rp, r) == -1)
		return -1;
	if (rp->cur == NULL) {
		if ((rp->cur = malloc(sizeof(*rp->cur))) == NULL) {
			rp->nomem = 1;
			return -1;
		}
		collect_init(rp->cur);
	}
	if (collect_row(rp->cur, r) == -1) {
		rp->nomem = 1;
		return -1;
	}
	return 0;
}

static void *
reader(void *arg)
{
	struct readpipe	*rp = arg;
	enum db_status	 st;
	long long	 t = now_ms();

	db_thread_begin();
	st = rp->db != NULL ?
	    db_read_on(rp->db, rp->cfg, rp->only, rp->nonly, pipe_row, rp) :
	    db_read(rp->cfg, rp->only, rp->nonly, pipe_row, rp);
	if (st == DB_OK && rp->cur != NULL && hand_over(rp) == -1)
		st = DB_ERR_CALLBACK;
	if (st == DB_ERR_CALLBACK && rp->order)
		st = DB_ERR_ORDER;
	else if (st == DB_ERR_CALLBACK && rp->nomem)
		st = DB_ERR_MEMORY;
	db_thread_end();
	log_debug("read %lu rows in %lld ms", rp->counts.rows, now_ms() - t);
	pthread_mutex_lock(&rp->mu);
	rp->st = st;
	rp->done = 1;
	pthread_cond_broadcast(&rp->cv);
	pthread_mutex_unlock(&rp->mu);
	return NULL;
}

int
readpipe_start(struct readpipe **out, const struct lf_config *cfg,
    const char *const *only_lists, size_t nonly, struct db *db)
{
	struct readpipe	*rp;

	if ((rp = calloc(1, sizeof(*rp))) == NULL) {
		log_warnx("out of memory");
		return -1;
	}
	rp->cfg = cfg;
	rp->only = only_lists;
	rp->nonly = nonly;
	rp->db = db;
	collect_init(&rp->counts);
	pthread_mutex_init(&rp->mu, NULL);
	pthread_cond_init(&rp->cv, NULL);
	if ((errno = pthread_create(&rp->tid, NULL, reader, rp)) != 0) {
		log_warn("pthread_create");
		pthread_cond_destroy(&rp->cv);
		pthread_mutex_destroy(&rp->mu);
		free(rp);
		return -1;
	}
	*out = rp;
	return 0;
}

int
readpipe_next(struct readpipe *rp, struct collect **out)
{
	int	 got = 0;

	pthread_mutex_lock(&rp->mu);
	while (rp->nq == 0 && !rp->done)
		pthread_cond_wait(&rp->cv, &rp->mu);
	if (rp->nq > 0) {
		*out = rp->q[rp->head];
		rp->head = (rp->head + 1) % READPIPE_QUEUE;
		rp->nq--;
		got = 1;
		pthread_cond_broadcast(&rp->cv);
	}
	pthread_mutex_unlock(&rp->mu);
	return got;
}

enum db_status
readpipe_end(struct readpipe *rp, struct collect *totals)
{
	enum db_status	 st;

	pthread_mutex_lock(&rp->mu);
	__atomic_store_n(&rp->stop, 1, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&rp->cv);
	pthread_mutex_unlock(&rp->mu);
	(void)pthread_join(rp->tid, NULL);
	for (; rp->nq > 0; rp->nq--, rp->head = (rp->head + 1) %
	    READPIPE_QUEUE)
		drop(rp->q[rp->head]);
	if (rp->cur != NULL)
		add_counts(&rp->counts, rp->cur);
	drop(rp->cur);
	add_counts(totals, &rp->counts);
	st = rp->st;
	names_free(&rp->begun);
	pthread_cond_destroy(&rp->cv);
	pthread_mutex_destroy(&rp->mu);
	free(rp);
	return st;
}
