/* sources: see sources.h. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accept.h"
#include "fetch.h"
#include "fsutil.h"
#include "log.h"
#include "pair.h"
#include "pgp.h"
#include "sources.h"

#define NREC		3
/*
 * The cleartext may be at most CLEAR_RATIO times the fetched file, and
 * never more than CLEAR_MAX bytes: a list is text, which gpg compresses
 * a few times at most, while a compressed run of zeros (signed or not:
 * the signature is checked after decryption) expands a thousandfold.
 */
#define CLEAR_RATIO	64
#define CLEAR_MAX	(64UL * 1024 * 1024)	/* bytes */
#define WHY_MAX		300

struct source {
	char			 list[VALID_LIST_MAX + 1];
	enum sympafile_reception rec;
	char			*url;
	struct fetch_validators	 val;		/* of the copy served */
	struct secbuf		*copy;		/* NULL: none yet */
	long long		 success_ms;	/* last good fetch, 0: never */
	long long		 error_ms;	/* last failure, 0: none since */
	char			 error[WHY_MAX];
	int			 outcome;	/* SOURCES_* of the last round */
};

struct sources {
	const struct rconf	*cfg;
	struct rstate		 st;
	struct accept_rules	 rules;
	struct fetcher		*fetch;
	struct pgp		*pgp;
	struct buf		 body;
	struct source		*v;
	size_t			 n;
	pthread_mutex_t		 mu;
};

static const char *const rec_query[NREC] = {
	"", "?reception=mail", "?reception=digest"
};

static int
add_sources(struct sources *s)
{
	struct source	*src;
	size_t		 i, r;

	if ((s->v = calloc(s->cfg->lists.n * NREC, sizeof(*s->v))) == NULL)
		return -1;
	for (i = 0; i < s->cfg->lists.n; i++)
		for (r = 0; r < NREC; r++) {
			src = &s->v[s->n++];
			(void)snprintf(src->list, sizeof(src->list), "%s",
			    s->cfg->lists.v[i]);
			src->rec = (enum sympafile_reception)r;
			if (asprintf(&src->url, "%s/lists/%s.sympa.asc%s",
			    s->cfg->url, src->list, rec_query[r]) == -1) {
				src->url = NULL;
				return -1;
			}
			(void)snprintf(src->error, sizeof(src->error),
			    "not fetched yet");
		}
	return 0;
}

struct sources *
sources_new(const struct rconf *cfg, struct rstate *st, const char *force)
{
	struct sources	*s;
	char		 why[WHY_MAX];

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("sources");
		rstate_free(st);
		return NULL;
	}
	s->cfg = cfg;
	s->st = *st;
	memset(st, 0, sizeof(*st));
	s->rules.max_shrink = cfg->max_shrink;
	s->rules.min_shrink = cfg->min_shrink;
	s->rules.force = force;
	buf_init(&s->body);
	if (pthread_mutex_init(&s->mu, NULL) != 0 || add_sources(s) == -1) {
		log_warn("sources");
		goto fail;
	}
	/* The home is the process's (pgp_global_init()). */
	if ((s->pgp = pgp_new(NULL, NULL, PGP_NO_SIGNER, why,
	    sizeof(why))) == NULL ||
	    pgp_check_signer(s->pgp, cfg->feed_key, why, sizeof(why)) == -1) {
		log_warnx("%s: %s", cfg->gnupghome, why);
		goto fail;
	}
	if ((s->fetch = fetch_new(cfg->cert, cfg->key, cfg->ca)) == NULL)
		goto fail;
	return s;
fail:
	sources_free(s);
	return NULL;
}

void
sources_free(struct sources *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->v[i].url);
		secbuf_unref(s->v[i].copy);
	}
	free(s->v);
	fetch_free(s->fetch);
	pgp_free(s->pgp);
	buf_free(&s->body);
	rstate_free(&s->st);
	(void)pthread_mutex_destroy(&s->mu);
	free(s);
}

static const char *
rec_name(const struct source *src)
{
	return sympafile_reception_name(src->rec);
}

/* Records a failure; the copy stays. */
static int
failed(struct sources *s, struct source *src, int outcome, const char *why,
    FILE *report)
{
	const char	*what = outcome == SOURCES_NETWORK ? "fetch failed" :
	    outcome == SOURCES_HELD ? "held by the guard" :
	    outcome == SOURCES_STATE ? "not recorded" : "refused";

	log_warnx("%s %s: %s: %s%s", src->list, rec_name(src), what, why,
	    src->copy != NULL ? " (the last good copy stays served)" : "");
	if (report != NULL)
		fprintf(report, "%s %s: %s: %s\n", src->list, rec_name(src),
		    what, why);
	pthread_mutex_lock(&s->mu);
	src->error_ms = now_ms();
	(void)snprintf(src->error, sizeof(src->error), "%s: %s", what, why);
	src->outcome = outcome;
	pthread_mutex_unlock(&s->mu);
	return outcome;
}

static void
succeeded(struct sources *s, struct source *src, struct secbuf *copy)
{
	struct secbuf	*old = NULL;

	pthread_mutex_lock(&s->mu);
	if (copy != NULL) {
		old = src->copy;
		src->copy = copy;
	}
	src->success_ms = now_ms();
	src->error_ms = 0;
	src->error[0] = '\0';
	src->outcome = SOURCES_OK;
	pthread_mutex_unlock(&s->mu);
	secbuf_unref(old);
}

/*
 * The header accepted: into the state file (st, as read under the lock)
 * if it changed.  0, or -1 with why: the copy must not be served, or a
 * restart would forget it and take an older file again.
 */
static int
remember(struct sources *s, struct rstate *st,
    const struct sympafile_hdr *h, char *why, size_t whysz)
{
	struct rstate_entry	 e, *old;

	memset(&e, 0, sizeof(e));
	(void)snprintf(e.list, sizeof(e.list), "%s", h->list);
	e.rec = h->reception;
	e.generation = h->generation;
	e.count = h->count;
	(void)snprintf(e.time, sizeof(e.time), "%s", h->time);
	old = rstate_find(st, e.list, e.rec);
	if (old != NULL && old->generation == e.generation &&
	    old->count == e.count && strcmp(old->time, e.time) == 0)
		return 0;
	if (rstate_commit(s->cfg->state, st, &e) == 0)
		return 0;
	(void)snprintf(why, whysz, "generation %lld accepted, but the state "
	    "file %s/%s could not be written: not served", e.generation,
	    s->cfg->state, RSTATE_FILE);
	return -1;
}

/* The copy served for list and reception, or NULL. */
static const struct secbuf *
copy_of(const struct sources *s, const char *list,
    enum sympafile_reception rec)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].rec == rec && strcmp(s->v[i].list, list) == 0)
			return s->v[i].copy;
	return NULL;
}

/* A mail or digest copy that would lose a member to neither file: held
 * until the other reception's file has caught up (pair.h). */
static enum accept_verdict
pair_wait(const struct sources *s, const struct source *src,
    const struct secbuf *clear, char *why, size_t whysz)
{
	const struct secbuf	*all, *other;
	struct pair_file	 o, n, a, t;

	if (src->rec == SF_RECEPTION_ALL || src->copy == NULL ||
	    (all = copy_of(s, src->list, SF_RECEPTION_ALL)) == NULL)
		return ACCEPT_OK;
	other = copy_of(s, src->list, src->rec == SF_RECEPTION_MAIL ?
	    SF_RECEPTION_DIGEST : SF_RECEPTION_MAIL);
	o.data = secbuf_data(src->copy);
	o.len = secbuf_len(src->copy);
	n.data = secbuf_data(clear);
	n.len = secbuf_len(clear);
	a.data = secbuf_data(all);
	a.len = secbuf_len(all);
	t.data = other != NULL ? secbuf_data(other) : NULL;
	t.len = other != NULL ? secbuf_len(other) : 0;
	switch (pair_check(&o, &n, &a, &t, why, whysz)) {
	case 0:
		return ACCEPT_OK;
	case 1:
		return ACCEPT_HELD;
	default:
		(void)snprintf(why, whysz, "out of memory");
		return ACCEPT_REFUSED;
	}
}

static size_t
clear_limit(size_t body)
{
	return body > CLEAR_MAX / CLEAR_RATIO ? CLEAR_MAX : body * CLEAR_RATIO;
}

/*
 * Decides on clear against the state file as it is now, read and written
 * back under its lock (rstate.h): SOURCES_OK with *h, or the outcome
 * with why.
 */
static int
decide(struct sources *s, struct source *src, const struct secbuf *clear,
    struct sympafile_hdr *h, char *why, size_t whysz)
{
	struct rstate		 st;
	enum accept_verdict	 v;
	int			 fd, rc;

	if ((fd = rstate_lock(s->cfg->state)) == -1 ||
	    rstate_load(s->cfg->state, &st) == -1) {
		rstate_unlock(fd);
		(void)snprintf(why, whysz, "the state file %s/%s cannot be "
		    "read or locked", s->cfg->state, RSTATE_FILE);
		return SOURCES_STATE;
	}
	v = accept_check(src->list, src->rec, rstate_find(&st, src->list,
	    src->rec), &s->rules, secbuf_data(clear), secbuf_len(clear), h,
	    why, whysz);
	if (v == ACCEPT_OK && (v = pair_wait(s, src, clear, why,
	    whysz)) != ACCEPT_OK)
		log_debug("%s %s: the new copy waits", src->list,
		    rec_name(src));
	rc = v == ACCEPT_HELD ? SOURCES_HELD : v == ACCEPT_REFUSED ?
	    SOURCES_REFUSED : remember(s, &st, h, why, whysz) == -1 ?
	    SOURCES_STATE : SOURCES_OK;
	rstate_unlock(fd);
	pthread_mutex_lock(&s->mu);	/* sources_status() reads st */
	rstate_free(&s->st);
	s->st = st;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

/* Decrypts, verifies and checks the body; serves it if accepted. */
static int
take(struct sources *s, struct source *src, const struct fetch_validators
    *val, FILE *report)
{
	struct sympafile_hdr	 h;
	struct secbuf		*clear;
	size_t			 limit = clear_limit(s->body.len);
	char			 why[WHY_MAX];
	int			 rc;

	if ((clear = secbuf_new(limit)) == NULL)
		return failed(s, src, SOURCES_REFUSED, "out of memory",
		    report);
	if (pgp_decrypt_verify(s->pgp, s->cfg->feed_key, s->body.data,
	    s->body.len, limit, secbuf_sink, clear, why,
	    sizeof(why)) == -1) {
		secbuf_unref(clear);
		return failed(s, src, SOURCES_REFUSED, why, report);
	}
	if ((rc = decide(s, src, clear, &h, why, sizeof(why))) !=
	    SOURCES_OK) {
		secbuf_unref(clear);
		return failed(s, src, rc, why, report);
	}
	src->val = *val;
	succeeded(s, src, clear);
	log_info("%s %s: generation %lld, %lu members, accepted", src->list,
	    rec_name(src), h.generation, h.count);
	if (report != NULL)
		fprintf(report, "%s %s: ok: generation %lld, %lu members\n",
		    src->list, rec_name(src), h.generation, h.count);
	return SOURCES_OK;
}

static int
refresh_one(struct sources *s, struct source *src, FILE *report)
{
	struct fetch_validators	 got;
	const struct fetch_validators *cond = NULL;
	struct rstate_entry	*e;
	char			 why[WHY_MAX];

	/* Only a source with a copy in memory may skip the body. */
	if (src->copy != NULL && (src->val.etag[0] != '\0' ||
	    src->val.last_modified[0] != '\0'))
		cond = &src->val;
	switch (fetch_get(s->fetch, src->url, cond, &s->body, &got, why,
	    sizeof(why))) {
	case FETCH_NOT_MODIFIED:
		succeeded(s, src, NULL);
		log_debug("%s %s: not modified", src->list, rec_name(src));
		if (report != NULL &&
		    (e = rstate_find(&s->st, src->list, src->rec)) != NULL)
			fprintf(report, "%s %s: ok: not modified, generation "
			    "%lld, %lu members\n", src->list, rec_name(src),
			    e->generation, e->count);
		return SOURCES_OK;
	case FETCH_OK:
		return take(s, src, &got, report);
	default:
		return failed(s, src, SOURCES_NETWORK, why, report);
	}
}

int
sources_refresh(struct sources *s, FILE *report)
{
	size_t	 i;
	int	 rc, worst = SOURCES_OK;

	for (i = 0; i < s->n; i++) {
		rc = refresh_one(s, &s->v[i], report);
		if (rc > worst)
			worst = rc;
	}
	buf_reset(&s->body);
	return worst;
}

int
sources_copy(struct sources *s, const char *list,
    enum sympafile_reception rec, struct secbuf **copy, char *why,
    size_t whysz)
{
	size_t	 i;
	int	 rc = -1;

	*copy = NULL;
	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->n; i++) {
		if (s->v[i].rec != rec || strcmp(s->v[i].list, list) != 0)
			continue;
		if (s->v[i].copy != NULL) {
			*copy = secbuf_ref(s->v[i].copy);
			rc = 1;
		} else {
			(void)snprintf(why, whysz, "%s", s->v[i].error);
			rc = 0;
		}
		break;
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static json_t *
time_or_null(long long ms)
{
	char	 t[32];

	if (ms == 0 || rfc3339(ms, t, sizeof(t)) == -1)
		return json_null();
	return json_string(t);
}

static json_t *
source_json(struct sources *s, const struct source *src)
{
	const struct rstate_entry *e = rstate_find(&s->st, src->list,
	    src->rec);

	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:b, s:o, s:o, s:o}",
	    "list", src->list, "reception", rec_name(src),
	    "generation", e != NULL ? json_integer(e->generation) : json_null(),
	    "count", e != NULL ? json_integer((json_int_t)e->count) :
	    json_null(),
	    "time", e != NULL ? json_string(e->time) : json_null(),
	    "serving", src->copy != NULL,
	    "last_success", time_or_null(src->success_ms),
	    "last_error", src->error[0] != '\0' ? json_string(src->error) :
	    json_null(),
	    "last_error_time", time_or_null(src->error_ms));
}

json_t *
sources_status(struct sources *s)
{
	json_t	*arr, *o;
	size_t	 i;

	if ((arr = json_array()) == NULL)
		return NULL;
	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->n; i++)
		if (json_array_append_new(arr, source_json(s, &s->v[i])) == -1)
			break;
	pthread_mutex_unlock(&s->mu);
	if (i < s->n) {
		json_decref(arr);
		return NULL;
	}
	o = json_pack("{s:s, s:s, s:o}", "program", "listfeed-relay",
	    "url", s->cfg->url, "sources", arr);
	return o;
}
