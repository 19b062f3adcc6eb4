/* report: see report.h. */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "conf.h"
#include "fsutil.h"
#include "guard.h"
#include "manifest.h"
#include "report.h"
#include "valid.h"

static const int counted[] = {
	200, 202, 400, 403, 404, 405, 406, 413, 429, 500, 503, 504
};
#define NCOUNTED	(sizeof(counted) / sizeof(counted[0]))
static atomic_ullong counts[NCOUNTED + 1];	/* last: other */

static long long started_ms;

/* The last fetch per client name, since start. */
struct fetch_rec {
	char			*client;
	struct report_fetch	 f;
};
static pthread_mutex_t	 fetch_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct fetch_rec	*fetches;
static size_t		 nfetches;

void
report_count(int status)
{
	size_t	 i;

	for (i = 0; i < NCOUNTED; i++)
		if (counted[i] == status)
			break;
	atomic_fetch_add(&counts[i], 1);
}

void
report_start(void)
{
	started_ms = now_ms();
}

/* The record of client, added if new; NULL out of memory.  Under
 * fetch_mtx. */
static struct fetch_rec *
fetch_find(const char *client, int add)
{
	struct fetch_rec	*v;
	char			*name;

	for (size_t i = 0; i < nfetches; i++)
		if (strcmp(fetches[i].client, client) == 0)
			return &fetches[i];
	if (!add || (name = strdup(client)) == NULL)
		return NULL;
	if ((v = reallocarray(fetches, nfetches + 1, sizeof(*v))) == NULL) {
		free(name);
		return NULL;
	}
	fetches = v;
	memset(&v[nfetches], 0, sizeof(v[nfetches]));
	v[nfetches].client = name;
	return &v[nfetches++];
}

void
report_fetch(const char *client, long long gen)
{
	struct fetch_rec	*r;
	long long		 now = now_ms();

	pthread_mutex_lock(&fetch_mtx);
	if ((r = fetch_find(client, 1)) != NULL) {
		r->f.ms = now;
		r->f.generation = gen;
	}
	pthread_mutex_unlock(&fetch_mtx);
}

void
report_fetch_get(const char *client, struct report_fetch *f)
{
	const struct fetch_rec	*r;

	memset(f, 0, sizeof(*f));
	pthread_mutex_lock(&fetch_mtx);
	if ((r = fetch_find(client, 0)) != NULL)
		*f = r->f;
	pthread_mutex_unlock(&fetch_mtx);
}

void
report_free(void)
{
	pthread_mutex_lock(&fetch_mtx);
	for (size_t i = 0; i < nfetches; i++)
		free(fetches[i].client);
	free(fetches);
	fetches = NULL;
	nfetches = 0;
	pthread_mutex_unlock(&fetch_mtx);
}

int
report_sees_client(const struct lf_client *c, const struct lf_client *o)
{
	if (c == o || strcmp(c->name, o->name) == 0 || c->all_lists)
		return 1;
	if (o->all_lists || o->lists.n == 0)
		return 0;
	for (size_t i = 0; i < o->lists.n; i++)
		if (!conf_client_sees(c, o->lists.v[i]))
			return 0;
	return 1;
}

/* a + b for a >= 0, at most LLONG_MAX: the manifest's counts are not
 * trusted to be small. */
static long long
add_sat(long long a, unsigned long b)
{
	if (a < 0 || b > (unsigned long long)(LLONG_MAX - a))
		return LLONG_MAX;
	return a + (long long)b;
}

static int
visible(const struct lf_client *c, const struct lf_entry *l)
{
	return l->name != NULL && valid_list_name(l->name) &&
	    conf_client_sees(c, l->name);
}

/* In the change report: every list to a client with trigger = yes (the
 * CRM, where the data comes from), only names and counts. */
static int
change_visible(const struct lf_client *c, const struct lf_entry *l)
{
	if (!c->trigger)
		return visible(c, l);
	return l->name != NULL && valid_list_name(l->name);
}

/* Appends the JSON of o (consumed) and a newline. */
static int
dump(struct buf *b, json_t *o)
{
	char	*s;
	int	 rc = -1;

	if (o == NULL)
		return -1;
	if ((s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER)) != NULL) {
		rc = buf_puts(b, s) == -1 || buf_addc(b, '\n') == -1 ? -1 : 0;
		free(s);
	}
	json_decref(o);
	return rc;
}

static json_t *
run_json(const struct lf_run *run)
{
	if (run == NULL)
		return json_null();
	return json_pack("{s:I, s:I, s:i, s:s, s:s, s:I}",
	    "started_ms", (json_int_t)run->started_ms,
	    "finished_ms", (json_int_t)run->finished_ms,
	    "exit", run->exit, "result", run->result,
	    "message", run->message,
	    "generation", (json_int_t)run->generation);
}

/* Adds key_ms and key_at (RFC 3339) to o; nothing for ms <= 0. */
static void
set_time(json_t *o, const char *key_ms, const char *key_at, long long ms)
{
	char	 at[40];

	if (ms <= 0)
		return;
	json_object_set_new(o, key_ms, json_integer((json_int_t)ms));
	if (rfc3339(ms, at, sizeof(at)) == 0)
		json_object_set_new(o, key_at, json_string(at));
}

/* The signing key's expiry from run.json, or null. */
static json_t *
sign_key_json(const struct lf_run *run)
{
	json_t	*o;
	char	 at[40];

	if (run == NULL || !run->sign_key.known)
		return json_null();
	if ((o = json_pack("{s:I}", "expires",
	    (json_int_t)run->sign_key.expires)) == NULL)
		return NULL;
	if (run->sign_key.expires == 0)
		json_object_set_new(o, "expires_at", json_string("never"));
	else if (rfc3339(run->sign_key.expires * 1000, at, sizeof(at)) == 0)
		json_object_set_new(o, "expires_at", json_string(at));
	return o;
}

/* The last fetch of each client c may know of: { NAME: {...} or null }. */
static json_t *
fetches_json(const struct lf_client *c, const struct report_self *self)
{
	const struct lf_client	*k;
	struct report_fetch	 f;
	json_t			*o, *v;

	if ((o = json_object()) == NULL)
		return NULL;
	for (size_t i = 0; self->cfg != NULL && i < self->cfg->nclients; i++) {
		k = &self->cfg->clients[i];
		if (!report_sees_client(c, k))
			continue;
		report_fetch_get(k->name, &f);
		v = f.ms <= 0 ? json_null() : json_pack("{s:I}", "generation",
		    (json_int_t)f.generation);
		if (v != NULL)
			set_time(v, "last_ms", "last_at", f.ms);
		if (v == NULL || json_object_set_new(o, k->name, v) == -1) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* The configuration in force, and since when the file fails to load. */
static json_t *
config_json(const struct report_self *self)
{
	json_t	*o;
	int	 failed = self->conf_failed_ms > 0;

	o = json_pack("{s:s}", "reload", failed ? "failed" : "ok");
	if (o == NULL)
		return NULL;
	set_time(o, "loaded_ms", "loaded_at", self->conf_loaded_ms);
	set_time(o, "failed_since_ms", "failed_since", self->conf_failed_ms);
	if (failed)
		json_object_set_new(o, "message", json_string("the "
		    "configuration file does not load: the one loaded at "
		    "loaded_at is still in force (clients, lists and all); "
		    "listfeed.fcgi -n names the error"));
	return o;
}

/*
 * The lists that the guard held in the manifest's run and that seen()
 * lets the client know of (only list, if not NULL or ""):
 * { NAME: { "reason": "...",
 * "release": "listfeed-gen --force NAME" } }.
 */
static json_t *
held_json(const struct lf_client *c, const struct lf_manifest *m,
    const char *list,
    int (*seen)(const struct lf_client *, const struct lf_entry *))
{
	json_t	*o, *h;
	char	 release[sizeof(GUARD_RELEASE) + VALID_LIST_MAX + 2];

	if ((o = json_object()) == NULL)
		return NULL;
	for (size_t i = 0; i < m->nlists; i++) {
		const struct lf_entry *ml = &m->lists[i];

		if (ml->held == NULL || !seen(c, ml) || (list != NULL &&
		    list[0] != '\0' && strcmp(list, ml->name) != 0))
			continue;
		if (xsnprintf(release, sizeof(release), GUARD_RELEASE " %s",
		    ml->name) == -1 || (h = json_pack("{s:s, s:s}", "reason",
		    ml->held, "release", release)) == NULL ||
		    json_object_set_new(o, ml->name, h) == -1) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

int
report_status(struct buf *b, const struct lf_client *c,
    const struct lf_manifest *m, const struct lf_run *run,
    const struct report_self *self)
{
	json_t	*o, *lists, *l;
	const struct lf_entry *ml;

	if ((lists = json_object()) == NULL)
		return -1;
	for (size_t i = 0; i < m->nlists; i++) {
		ml = &m->lists[i];
		if (!visible(c, ml))
			continue;
		l = json_pack("{s:I, s:I, s:I, s:I, s:s?}",
		    "count", (json_int_t)ml->count,
		    "mail", (json_int_t)ml->mail,
		    "digest", (json_int_t)ml->digest,
		    "changed", (json_int_t)ml->changed,
		    "changed_at", ml->changed_at);
		if (l == NULL || json_object_set_new(lists, ml->name, l)) {
			json_decref(lists);
			return -1;
		}
	}
	o = json_pack("{s:s, s:I, s:I, s:s?, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "client", c->name,
	    "generation", (json_int_t)m->generation,
	    "generated_ms", (json_int_t)m->generated_ms,
	    "result", m->result,
	    "run", run_json(run),
	    "signing_key", sign_key_json(run),
	    "config", config_json(self),
	    "held", held_json(c, m, NULL, visible),
	    "fetches", fetches_json(c, self),
	    "lists", lists);
	if (o != NULL && m->generated_ms > 0) {
		char	 at[40];

		if (rfc3339(m->generated_ms, at, sizeof(at)) == 0)
			json_object_set_new(o, "generated_at",
			    json_string(at));
	}
	return dump(b, o);
}

/* One gauge with its HELP and TYPE lines. */
static void
gauge(struct buf *b, const char *name, const char *help, long long v)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %lld\n", name, help,
	    name, name, v);
}

/* A time as a gauge in seconds with milliseconds; 0 for none. */
static void
gauge_time(struct buf *b, const char *name, const char *help, long long ms)
{
	if (ms < 0)
		ms = 0;
	buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %lld.%03lld\n",
	    name, help, name, name, ms / 1000, ms % 1000);
}

/* The last fetch of each client c may know of (0: none since start). */
static void
metrics_fetches(struct buf *b, const struct lf_client *c,
    const struct report_self *self)
{
	static const char *const name[2] = {
		"listfeed_client_last_fetch_timestamp_seconds",
		"listfeed_client_last_fetch_generation"
	};
	static const char *const help[2] = {
		"When the client last fetched a list file (0: not since this "
		"process started).",
		"Generation of the feed the client last fetched a list file "
		"from (0: none since this process started)."
	};
	const struct lf_client	*k;
	struct report_fetch	 f;

	gauge_time(b, "listfeed_start_timestamp_seconds", "When this "
	    "process started: the fetch times are kept since then.",
	    started_ms);
	for (int j = 0; j < 2; j++) {
		buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", name[j],
		    help[j], name[j]);
		for (size_t i = 0; self->cfg != NULL && i < self->cfg->nclients;
		    i++) {
			k = &self->cfg->clients[i];
			if (!report_sees_client(c, k) ||
			    !valid_list_name(k->name))
				continue;
			report_fetch_get(k->name, &f);
			if (j == 0)
				buf_printf(b, "%s{client=\"%s\"} %lld.%03lld\n",
				    name[j], k->name, f.ms / 1000,
				    f.ms % 1000);
			else
				buf_printf(b, "%s{client=\"%s\"} %lld\n",
				    name[j], k->name, f.generation);
		}
	}
}

/* The configuration in force and the trigger waits. */
static void
metrics_self(struct buf *b, const struct report_self *self)
{
	gauge(b, "listfeed_config_last_reload_successful", "0 while the "
	    "configuration file fails to load (an older one is in force).",
	    self->conf_failed_ms > 0 ? 0 : 1);
	gauge_time(b, "listfeed_config_loaded_timestamp_seconds", "When the "
	    "configuration in force was loaded.", self->conf_loaded_ms);
	gauge_time(b, "listfeed_config_reload_failed_since_timestamp_seconds",
	    "Since when the configuration file fails to load (0: it does "
	    "not).", self->conf_failed_ms);
	gauge(b, "listfeed_trigger_waiting", "Trigger requests waiting for "
	    "a run.", self->waiting);
	gauge(b, "listfeed_trigger_waiting_max", "Trigger requests that may "
	    "wait at once (past that: 429).", self->waiting_max);
}

/* 1 for each list the guard holds, 0 for the others. */
static void
metrics_held(struct buf *b, const struct lf_client *c,
    const struct lf_manifest *m)
{
	buf_puts(b, "# HELP listfeed_list_held 1 while the shrink guard "
	    "holds the list at its last good files (" GUARD_RELEASE
	    " LIST publishes it).\n# TYPE listfeed_list_held gauge\n");
	for (size_t i = 0; i < m->nlists; i++)
		if (visible(c, &m->lists[i]))
			buf_printf(b, "listfeed_list_held{list=\"%s\"} %d\n",
			    m->lists[i].name, m->lists[i].held != NULL);
}

int
report_metrics(struct buf *b, const struct lf_client *c,
    const struct lf_manifest *m, const struct lf_run *run,
    const struct report_self *self)
{
	const struct lf_entry *ml;

	gauge(b, "listfeed_generation", "Generation of the published feed.",
	    m->generation);
	gauge_time(b, "listfeed_generated_timestamp_seconds", "When the feed "
	    "was published.", m->generated_ms);
	buf_puts(b, "# HELP listfeed_list_subscribers Subscribers per list.\n"
	    "# TYPE listfeed_list_subscribers gauge\n");
	for (size_t i = 0; i < m->nlists; i++) {
		ml = &m->lists[i];
		if (visible(c, ml))
			buf_printf(b, "listfeed_list_subscribers{list=\"%s\"} "
			    "%lu\n", ml->name, ml->count);
	}
	metrics_held(b, c, m);
	buf_puts(b, "# HELP listfeed_requests_total Requests answered by "
	    "this process, by HTTP status code.\n"
	    "# TYPE listfeed_requests_total counter\n");
	for (size_t i = 0; i <= NCOUNTED; i++) {
		unsigned long long n = atomic_load(&counts[i]);

		if (i < NCOUNTED)
			buf_printf(b, "listfeed_requests_total{code=\"%d\"} "
			    "%llu\n", counted[i], n);
		else
			buf_printf(b, "listfeed_requests_total{code=\"other\"}"
			    " %llu\n", n);
	}
	buf_puts(b, "# HELP listfeed_run_exit_code Exit status of the last "
	    "generator run (-1: none yet).\n"
	    "# TYPE listfeed_run_exit_code gauge\n");
	buf_printf(b, "listfeed_run_exit_code %d\n",
	    run != NULL && run->finished_ms != 0 ? run->exit : -1);
	gauge_time(b, "listfeed_run_finished_timestamp_seconds", "When the "
	    "last generator run finished (0: none yet, or one is running).",
	    run != NULL ? run->finished_ms : 0);
	gauge(b, "listfeed_signing_key_expiry_timestamp_seconds", "When the "
	    "signing key stops signing, as the last run saw it (0: never; "
	    "-1: not known).", run != NULL && run->sign_key.known ?
	    run->sign_key.expires : -1);
	metrics_fetches(b, c, self);
	metrics_self(b, self);
	return buf_failed(b) ? -1 : 0;
}

int
report_regenerate(struct buf *b, const struct lf_client *c,
    const struct lf_manifest *m, const struct lf_run *run,
    const char *list, int *failed)
{
	json_t	*o, *lists, *l;
	const struct lf_entry *ml;
	long long gen, updates = 0;
	int	 ok;

	ok = run->exit == 0 || run->exit == 3;
	*failed = !ok;
	gen = run->generation > 0 ? run->generation : m->generation;
	if ((lists = json_object()) == NULL)
		return -1;
	/* A failed run published nothing: no list changed in it. */
	for (size_t i = 0; ok && gen == m->generation && i < m->nlists; i++) {
		ml = &m->lists[i];
		if (ml->changed != gen || !change_visible(c, ml))
			continue;
		if (list != NULL && list[0] != '\0' && strcmp(list, ml->name) != 0)
			continue;
		updates = add_sat(add_sat(updates, ml->added), ml->removed);
		l = json_pack("{s:I, s:I, s:I}",
		    "count", (json_int_t)ml->count,
		    "added", (json_int_t)ml->added,
		    "removed", (json_int_t)ml->removed);
		if (l == NULL || json_object_set_new(lists, ml->name, l)) {
			json_decref(lists);
			return -1;
		}
	}
	o = json_pack("{s:I, s:s, s:i, s:I, s:o, s:o}",
	    "generation", (json_int_t)gen,
	    "result", run->result,
	    "exit", run->exit,
	    "updates", (json_int_t)updates,
	    "lists", lists,
	    "held", ok && gen == m->generation ?
	    held_json(c, m, list, change_visible) : json_object());
	return dump(b, o);
}
