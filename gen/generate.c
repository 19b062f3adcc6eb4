/* generate: see generate.h. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collect.h"
#include "db.h"
#include "delta.h"
#include "feed.h"
#include "fsutil.h"
#include "generate.h"
#include "guard.h"
#include "layout.h"
#include "log.h"
#include "manifest.h"
#include "publish.h"
#include "readpipe.h"

#define LOCK_WAIT_MS	60000

static const char *const status_word[] = {
	"unchanged", "changed", "absent", "HELD", "CRYPTO-ERROR", "ERROR"
};

static int
take_lock(const char *statedir)
{
	char		 path[PATH_MAX];
	long long	 until = now_ms() + LOCK_WAIT_MS;
	int		 fd, busy, said = 0;
	struct timespec	 ts = { 0, 100 * 1000 * 1000 };

	if (xsnprintf(path, sizeof(path), "%s/lock", statedir) == -1)
		return -1;
	for (;;) {
		if ((fd = lock_take(path, &busy)) != -1 || !busy)
			return fd;
		if (now_ms() > until) {
			log_warnx("another listfeed-gen still holds %s", path);
			return -1;
		}
		if (!said++)
			log_info("waiting for another listfeed-gen to finish");
		(void)nanosleep(&ts, NULL);
	}
}

/* What a run counts: the report's last line and the exit status. */
struct tally {
	unsigned	 visited;		/* lists (--list: those named) */
	unsigned	 held, crypto, io;	/* lists */
	unsigned	 written;		/* files */
};

/* One run, phase by phase: open, read, publish, commit. */
struct run {
	const struct lf_config	*cfg;
	const struct gen_opts	*o;
	FILE			*rep;
	struct lazy_crypt	 lc;
	struct lf_manifest	 old, now;
	struct collect		 c;		/* row and reject counts */
	enum db_status		 ds;		/* how the read ended */
	struct formats		 formats;
	struct delta		 delta;
	struct feed		 feed;
	struct lf_run		 rec;		/* run.json */
	struct tally		 tally;
	struct delta_update	*updates;	/* saved once live */
	size_t			 nupdates;
	struct strlist		 lines;		/* the lists' report lines */
	char			 ts[32];	/* RFC 3339 */
	int			 lock;
	int			 rc;		/* the exit status */
};

/* Records the run in run.json (not in a dry run). */
static void
record(struct run *r)
{
	if (!r->o->dry_run)
		(void)run_write(r->cfg->feed_dir, &r->rec);
}

/* Ends the run with exit status code: -1, for the phases to stop. */
static int
finish(struct run *r, int code, const char *result, const char *msg)
{
	r->rc = code;
	r->rec.finished_ms = now_ms();
	r->rec.exit = code;
	crypt_sign_key(r->lc.c, &r->rec.sign_key);
	(void)snprintf(r->rec.result, sizeof(r->rec.result), "%s", result);
	(void)snprintf(r->rec.message, sizeof(r->rec.message), "%s", msg);
	/* What it switched and held, for whoever waits for it (past the
	 * bound of manifest.h: neither, the reader looks at every list). */
	(void)run_set_lists(&r->rec, &r->feed.live, &r->now.held);
	record(r);
	return -1;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The rows set aside, by reason, into the manifest. */
static int
note_rejects(struct lf_manifest *m, const struct collect *c)
{
	size_t	 i;

	if ((m->rejects = calloc(REJ_NREASONS, sizeof(*m->rejects))) == NULL)
		return -1;
	for (i = 0; i < REJ_NREASONS; i++) {
		if (c->rejects[i] == 0)
			continue;
		if ((m->rejects[m->nrejects].reason = strdup(reject_name(i)))
		    == NULL)
			return -1;
		m->rejects[m->nrejects++].n = c->rejects[i];
	}
	return 0;
}

/* The rows set aside, by reason, into the report. */
static void
report_rejects(FILE *f, const struct collect *c)
{
	unsigned long	 total = 0;
	const char	*sep;
	size_t		 i;

	for (i = 0; i < REJ_NREASONS; i++)
		total += c->rejects[i];
	if (total == 0)
		return;
	fprintf(f, "rows set aside: %lu of %lu", total, c->rows);
	for (i = 0, sep = " ("; i < REJ_NREASONS; i++)
		if (c->rejects[i] > 0) {
			fprintf(f, "%s%s: %lu", sep, reject_name(i),
			    c->rejects[i]);
			sep = ", ";
		}
	fprintf(f, ")\n");
}

/* Adds an entry to the new manifest (taking it over). */
static int
add_entry(struct lf_manifest *m, struct lf_entry *e)
{
	struct lf_entry	*v;

	if ((v = reallocarray(m->lists, m->nlists + 1, sizeof(*v))) == NULL)
		return -1;
	m->lists = v;
	m->lists[m->nlists++] = *e;
	memset(e, 0, sizeof(*e));
	return 0;
}

/* Keeps a changed list's next state for commit_states() (taking it over). */
static int
add_update(struct run *r, struct delta_update *u)
{
	struct delta_update	*v;

	if ((v = reallocarray(r->updates, r->nupdates + 1, sizeof(*v))) ==
	    NULL)
		return -1;
	r->updates = v;
	r->updates[r->nupdates++] = *u;
	memset(u, 0, sizeof(*u));
	return 0;
}

/* The list's report line (kept for report_lines()), its log line and
 * its count in the tally.  0, or -1 out of memory. */
static int
report_list(struct run *r, const char *name, const struct members *l,
    const struct pub_result *res)
{
	int	 held = res->status == PUB_HELD, rc = 0;
	char	*line;

	if (res->status != PUB_ABSENT) {
		if (asprintf(&line, "%s %lu +%lu -%lu %s%s%s%s%s%s", name,
		    l != NULL ? (unsigned long)l->n : 0UL,
		    res->status == PUB_CHANGED ? res->entry.added : 0UL,
		    res->status == PUB_CHANGED ? res->entry.removed : 0UL,
		    status_word[res->status], res->why[0] ? ": " : "",
		    res->why, held ? "; " GUARD_RELEASE " " : "",
		    held ? name : "", held ? " publishes it" : "") == -1)
			return -1;
		rc = strlist_add(&r->lines, line);
		free(line);
	}
	switch (res->status) {
	case PUB_HELD:
		r->tally.held++;
		log_warnx("list %s: held: %s; " GUARD_RELEASE " %s "
		    "publishes it", name, res->why, name);
		if (strlist_add(&r->now.held, name) == -1)
			log_warnx("list %s: cannot note it as held", name);
		break;
	case PUB_ERR_CRYPTO:
		r->tally.crypto++;
		log_warnx("list %s: %s", name, res->why);
		break;
	case PUB_ERR_IO:
		r->tally.io++;
		log_warnx("list %s: %s", name, res->why);
		break;
	default:
		break;
	}
	return rc;
}

/* Publishes one list into the next generation and its manifest. */
static int
visit(struct run *r, const struct pub_ctx *p, const char *name,
    const struct members *l)
{
	const struct lf_entry	*ol = manifest_find(&r->old, name);
	struct pub_result	 res;
	int			 rc = 0;

	publish_list(p, name, l, ol, strlist_has(&r->o->force, name), &res);
	r->tally.visited++;
	r->tally.written += res.written;
	if (report_list(r, name, l, &res) == -1 ||
	    (!res.has_entry && ol != NULL) ||
	    (res.has_entry && add_entry(&r->now, &res.entry) == -1) ||
	    (res.status == PUB_CHANGED && add_update(r, &res.update) == -1))
		rc = -1;
	manifest_entry_free(&res.entry);
	delta_update_free(&res.update);
	return rc;
}

/* The lists not read: --list names, else the published ones. */
static int
publish_unread(struct run *r, const struct pub_ctx *p, struct strlist *done)
{
	const struct strlist	*only = &r->o->only;
	const char		*name;
	size_t			 i, n;
	int			 rc = 0;

	if (done->n > 1)
		qsort(done->v, done->n, sizeof(*done->v), cmp_str);
	n = only->n > 0 ? only->n : r->old.nlists;
	for (i = 0; i < n && rc == 0; i++) {
		name = only->n > 0 ? only->v[i] : r->old.lists[i].name;
		if (done->n == 0 || bsearch(&name, done->v, done->n,
		    sizeof(*done->v), cmp_str) == NULL)
			rc = visit(r, p, name, NULL);
	}
	return rc;
}

/*
 * Every list as soon as its rows are read (readpipe.h), then those not
 * read.  After a read error (r->ds) the lists visited so far are in the
 * next generation only, for the caller to discard.
 */
static int
publish_all(struct run *r, const struct pub_ctx *p)
{
	struct readpipe	*rp;
	struct collect	*g;
	struct strlist	 done;
	int		 rc = 0;

	memset(&done, 0, sizeof(done));
	if (readpipe_start(&rp, r->cfg, (const char *const *)r->o->only.v,
	    r->o->only.n, r->o->db) == -1)
		return -1;
	while (rc == 0 && readpipe_next(rp, &g) == 1) {
		rc = visit(r, p, g->lists[0].name, &g->lists[0]);
		if (rc == 0 && strlist_add(&done, g->lists[0].name) == -1)
			rc = -1;
		collect_free(g);
		free(g);
	}
	r->ds = readpipe_end(rp, &r->c);
	if (rc == 0 && r->ds == DB_OK)
		rc = publish_unread(r, p, &done);
	strlist_free(&done);
	manifest_sort(&r->now);
	return rc;
}

/*
 * Stages a new version of each list whose entry changed (feed.h), then
 * switches them one after the other: a list that did not change costs
 * nothing here.
 */
static int
commit(struct feed *f, const struct lf_manifest *old,
    const struct lf_manifest *now)
{
	const struct lf_entry	*o;
	size_t			 i, j, written;

	for (i = 0; i < now->nlists; i++) {
		o = manifest_find(old, now->lists[i].name);
		for (j = written = 0; j < now->lists[i].nfiles; j++)
			written += (size_t)now->lists[i].files[j].written;
		if (written == 0 && o != NULL &&
		    manifest_entry_same(o, &now->lists[i]))
			continue;
		if (feed_stage(f, &now->lists[i], o) == -1) {
			feed_abort(f);
			return -1;
		}
	}
	return feed_commit(f, now);
}

/* Phase 1: the paths, the lock, the feed, the state, the last entries
 * (of the lists named, or of all), the formats. */
static int
open_run(struct run *r)
{
	char		 statedir[PATH_MAX], path[PATH_MAX];
	struct lf_run	 last;
	int		 some = r->o->only.n > 0;

	if (xsnprintf(statedir, sizeof(statedir), "%s/.state",
	    r->cfg->feed_dir) == -1 || xsnprintf(path, sizeof(path),
	    "%s/" RUN_NAME, r->cfg->feed_dir) == -1) {
		log_warnx("%s: path too long", r->cfg->feed_dir);
		return -1;
	}
	if (mkdir_p(r->cfg->feed_dir, 0755) == -1 ||
	    mkdir_p(statedir, 0700) == -1 ||
	    (r->lock = take_lock(statedir)) == -1 ||
	    feed_open(&r->feed, r->cfg->feed_dir, !some) == -1 ||
	    delta_open(&r->delta, statedir) == -1)
		return -1;
	if (feed_entries(&r->feed, some ? &r->o->only : NULL, &r->old) == -1) {
		log_warnx("%s/" LAYOUT_LIVE ": an entry is unreadable; move "
		    "that list's link away to start it afresh",
		    r->cfg->feed_dir);
		return -1;
	}
	/* run.json names the live generation until this run's is. */
	if (run_read(path, &last) == 0)
		r->rec.generation = last.generation;
	record(r);
	if (formats_load(r->cfg, &r->formats) == -1)
		return finish(r, EXIT_CONFIG, "error",
		    "cannot load the formats");
	return 0;
}

/* After a read error: nothing of this run is published. */
static int
read_failed(struct run *r)
{
	char	 msg[256];

	(void)snprintf(msg, sizeof(msg), "database: %s; nothing published",
	    db_strerror(r->ds));
	log_warnx("%s", msg);
	fprintf(r->rep, "%s\n", msg);
	/* An unusable option file is the operator's to fix. */
	return finish(r, r->ds == DB_ERR_CONFIG ? EXIT_CONFIG : EXIT_DATABASE,
	    "database", msg);
}

/* The lists' report lines, sorted by name whatever the read's order. */
static void
report_lines(struct run *r)
{
	size_t	 i;

	if (r->lines.n > 1)
		qsort(r->lines.v, r->lines.n, sizeof(*r->lines.v), cmp_str);
	for (i = 0; i < r->lines.n; i++)
		fprintf(r->rep, "%s\n", r->lines.v[i]);
}

/* Phase 3: every list into the next generation and the new manifest. */
static int
publish_run(struct run *r)
{
	struct lf_manifest	*now = &r->now;
	struct pub_ctx		 p;
	const struct tally	*t = &r->tally;
	long long		 start;
	int			 rc;

	now->started_ms = r->rec.started_ms;
	if (rfc3339(r->rec.started_ms, r->ts, sizeof(r->ts)) == -1)
		r->ts[0] = '\0';
	if (feed_begin(&r->feed, r->o->dry_run) == -1)
		return finish(r, EXIT_CONFIG, "error",
		    "cannot start a generation in the feed directory");
	now->generation = r->feed.gen;
	memset(&p, 0, sizeof(p));
	p.cfg = r->cfg;
	p.crypt = &r->lc;
	p.formats = &r->formats;
	p.delta = &r->delta;
	p.feed = &r->feed;
	p.generation = now->generation;
	p.now = r->ts;
	p.dry_run = r->o->dry_run;
	/*
	 * A run over every list keeps gpg busy one file after another
	 * while the read goes on beside it (readpipe.h); side by side, a
	 * list's files run faster only where nothing else competes for the
	 * CPUs: in a run naming lists (listfeed-gen(8), ENCRYPTION).
	 */
	p.one_by_one = r->o->only.n == 0;
	start = now_ms();
	rc = publish_all(r, &p);
	/* DB_ERR_CALLBACK: this side stopped the read (out of memory). */
	if (r->ds != DB_OK && !(rc == -1 && r->ds == DB_ERR_CALLBACK)) {
		feed_abort(&r->feed);
		return read_failed(r);
	}
	if (rc == -1 || note_rejects(now, &r->c) == -1) {
		feed_abort(&r->feed);
		return finish(r, EXIT_CONFIG, "error", "out of memory");
	}
	log_debug("published in %lld ms", now_ms() - start);
	report_lines(r);
	report_rejects(r->rep, &r->c);
	r->rc = t->crypto ? EXIT_CRYPTO : t->io ? EXIT_CONFIG :
	    t->held ? EXIT_HELD : 0;
	now->result = strdup(t->crypto ? "crypto" : t->io ? "error" :
	    t->held ? "held" : "ok");
	now->generated_ms = now_ms();
	return 0;
}

/* The changed lists' states, once their files are live (delta.h): of
 * every list, or, after a commit that failed part-way (some), of those
 * it switched (feed.h; staged, so switched, in name order: commit()). */
static void
commit_states(const struct run *r, int some)
{
	const struct strlist	*live = &r->feed.live;
	const char		*name;
	size_t			 i;

	for (i = 0; i < r->nupdates; i++) {
		name = r->updates[i].list;
		if (some && (live->n == 0 || bsearch(&name, live->v, live->n,
		    sizeof(*live->v), cmp_str) == NULL))
			continue;
		if (delta_save(&r->delta, &r->updates[i]) == -1)
			log_warnx("list %s: cannot save its state; the next "
			    "change report may be off", r->updates[i].list);
	}
}

/* Phase 4: the new generation live, then the state, then run.json. */
static int
commit_run(struct run *r)
{
	const struct tally	*t = &r->tally;
	char			 msg[256];

	if (commit(&r->feed, &r->old, &r->now) == -1) {
		/* Lists it switched are live: run.json says so. */
		commit_states(r, 1);
		if (r->feed.live.n > 0)
			r->rec.generation = r->now.generation;
		(void)snprintf(msg, sizeof(msg), "cannot sync or switch "
		    "every new version (see the log); lists switched to "
		    "generation %lld: %zu",
		    r->now.generation, r->feed.live.n);
		return finish(r, EXIT_CONFIG, "error", msg);
	}
	commit_states(r, 0);
	r->rec.generation = r->now.generation;
	(void)snprintf(msg, sizeof(msg), "generation %lld: %u lists visited, "
	    "%u files written, %u held, %u key errors, %u write errors",
	    r->now.generation, t->visited, t->written, t->held, t->crypto,
	    t->io);
	fprintf(r->rep, "%s\n", msg);
	(void)finish(r, r->rc, r->now.result != NULL ? r->now.result : "ok",
	    msg);
	/* After run.json: a client waiting for the run need not wait.
	 * The run's figures only: its size does not grow with the lists. */
	if (manifest_write(r->cfg->feed_dir, &r->now) == -1)
		log_warnx("cannot write the summary " MANIFEST_NAME);
	return 0;
}

static void
close_run(struct run *r)
{
	size_t	 i;

	fflush(r->rep);
	feed_close(&r->feed);
	formats_free(&r->formats);
	manifest_free(&r->old);
	manifest_free(&r->now);
	collect_free(&r->c);
	delta_close(&r->delta);
	for (i = 0; i < r->nupdates; i++)
		delta_update_free(&r->updates[i]);
	free(r->updates);
	strlist_free(&r->lines);
	if (r->lock != -1)
		(void)close(r->lock);
}

int
generate(const struct lf_config *cfg, struct crypt **crypt,
    const struct gen_opts *o, FILE *rep)
{
	struct run	 r;

	memset(&r, 0, sizeof(r));
	r.cfg = cfg;
	r.o = o;
	r.rep = rep;
	r.lc.c = *crypt;
	r.lock = -1;
	r.rc = EXIT_CONFIG;
	collect_init(&r.c);
	r.rec.started_ms = now_ms();
	r.rec.sign_key = o->sign_key;
	(void)snprintf(r.rec.result, sizeof(r.rec.result), "running");
	if (open_run(&r) == 0 && publish_run(&r) == 0) {
		if (o->dry_run)
			fprintf(rep, "dry run: nothing written\n");
		else
			(void)commit_run(&r);
	}
	*crypt = r.lc.c;
	close_run(&r);
	return r.rc;
}
