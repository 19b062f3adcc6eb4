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
#include "log.h"
#include "manifest.h"
#include "publish.h"

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

static void
record_run(const struct lf_config *cfg, struct lf_run *run, int dry_run)
{
	if (!dry_run)
		(void)run_write(cfg->feed_dir, run);
}

/* The names to visit: --list names, else all read and all published. */
static int
visit_names(const struct gen_opts *o, const struct collect *c,
    const struct lf_manifest *old, struct strlist *out)
{
	size_t	 i;
	char	**v;

	memset(out, 0, sizeof(*out));
	if (o->only.n > 0) {
		out->v = o->only.v;	/* borrowed */
		out->n = o->only.n;
		return 0;
	}
	if ((out->v = calloc(c->nlists + old->nlists + 1, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < c->nlists; i++)
		out->v[out->n++] = c->lists[i].name;
	for (i = 0; i < old->nlists; i++)
		if (collect_find(c, old->lists[i].name) == NULL)
			out->v[out->n++] = old->lists[i].name;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
report_rejects(FILE *f, const struct collect *c, struct lf_manifest *m)
{
	unsigned long	 total = 0;
	const char	*sep;
	size_t		 i;

	m->rejects = calloc(REJ_NREASONS, sizeof(*m->rejects));
	for (i = 0; i < REJ_NREASONS; i++) {
		if (c->rejects[i] == 0)
			continue;
		total += c->rejects[i];
		if (m->rejects != NULL && (m->rejects[m->nrejects].reason =
		    strdup(reject_name(i))) != NULL)
			m->rejects[m->nrejects++].n = c->rejects[i];
	}
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
add_entry(struct lf_manifest *m, struct lf_mlist *e)
{
	struct lf_mlist	*v;

	if ((v = reallocarray(m->lists, m->nlists + 1, sizeof(*v))) == NULL)
		return -1;
	m->lists = v;
	m->lists[m->nlists++] = *e;
	memset(e, 0, sizeof(*e));
	return 0;
}

static int
publish_all(const struct pub_ctx *p, const struct gen_opts *o,
    const struct collect *c, const struct lf_manifest *old,
    struct lf_manifest *now, FILE *rep, int *held, int *crypto, int *io,
    unsigned *written)
{
	struct strlist		 names;
	struct pub_result	 res;
	const struct mlist	*l;
	const struct lf_mlist	*ol;
	size_t			 i;

	if (visit_names(o, c, old, &names) == -1)
		return -1;
	if (names.n > 1 && o->only.n == 0)
		qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (i = 0; i < names.n; i++) {
		l = collect_find(c, names.v[i]);
		ol = manifest_find(old, names.v[i]);
		publish_list(p, names.v[i], l, ol,
		    strlist_has(&o->force, names.v[i]), &res);
		*written += res.written;
		if (res.status != PUB_ABSENT)
			fprintf(rep, "%s %lu +%lu -%lu %s%s%s%s%s%s\n",
			    names.v[i], l != NULL ? (unsigned long)l->n : 0UL,
			    res.status == PUB_CHANGED ? res.entry.added : 0UL,
			    res.status == PUB_CHANGED ? res.entry.removed : 0UL,
			    status_word[res.status], res.why[0] ? ": " : "",
			    res.why, res.status == PUB_HELD ?
			    "; " GUARD_RELEASE " " : "", res.status ==
			    PUB_HELD ? names.v[i] : "", res.status == PUB_HELD ?
			    " publishes it" : "");
		switch (res.status) {
		case PUB_HELD:
			(*held)++;
			log_warnx("list %s: held: %s; " GUARD_RELEASE " %s "
			    "publishes it", names.v[i], res.why, names.v[i]);
			if (strlist_add(&now->held, names.v[i]) == -1)
				log_warnx("list %s: cannot note it as held",
				    names.v[i]);
			break;
		case PUB_ERR_CRYPTO:
			(*crypto)++;
			log_warnx("list %s: %s", names.v[i], res.why);
			break;
		case PUB_ERR_IO:
			(*io)++;
			log_warnx("list %s: %s", names.v[i], res.why);
			break;
		default:
			break;
		}
		if ((!res.has_entry && ol != NULL) ||
		    (res.has_entry && add_entry(now, &res.entry) == -1)) {
			mlist_free(&res.entry);
			if (o->only.n == 0)
				free(names.v);
			return -1;
		}
	}
	if (o->only.n == 0)
		free(names.v);
	/*
	 * Lists this run did not visit keep their entries: only a --list run
	 * leaves some (visit_names()).  One sort at the end: sorting after
	 * each copy cost a one-list run 14 ms at 1,000 lists.
	 */
	for (i = 0; o->only.n > 0 && i < old->nlists; i++) {
		struct lf_mlist e;

		if (strlist_has(&o->only, old->lists[i].name))
			continue;
		if (mlist_copy(&e, &old->lists[i]) == -1 ||
		    add_entry(now, &e) == -1)
			return -1;
	}
	manifest_sort(now);
	return 0;
}

static int
finish(const struct lf_config *cfg, const struct gen_opts *o,
    struct lf_run *run, int code, const char *result, const char *msg)
{
	run->finished_ms = now_ms();
	run->exit = code;
	(void)snprintf(run->result, sizeof(run->result), "%s", result);
	(void)snprintf(run->message, sizeof(run->message), "%s", msg);
	record_run(cfg, run, o->dry_run);
	return code;
}

/* 1 if now names exactly the files old does (nothing to add or drop). */
static int
same_files(const struct lf_manifest *old, const struct lf_manifest *now)
{
	const struct lf_mlist	*o;
	size_t			 i, j;

	if (old->nlists != now->nlists)
		return 0;
	for (i = 0; i < now->nlists; i++) {
		if ((o = manifest_find(old, now->lists[i].name)) == NULL ||
		    o->nfiles != now->lists[i].nfiles)
			return 0;
		for (j = 0; j < now->lists[i].nfiles; j++)
			if (mlist_file(o, now->lists[i].files[j].kind,
			    now->lists[i].files[j].format) == NULL)
				return 0;
	}
	return 1;
}

/* Makes the next generation live, or updates the live manifest only
 * when no file changed. */
static int
commit(struct feed *f, const struct lf_manifest *old,
    const struct lf_manifest *now, unsigned written)
{
	size_t	 i, j;

	if (written == 0 && feed_live(f) != NULL && same_files(old, now))
		return feed_commit_manifest(f, now);
	for (i = 0; i < now->nlists; i++)
		for (j = 0; j < now->lists[i].nfiles; j++)
			if (feed_carry(f, now->lists[i].files[j].path,
			    now->lists[i].files[j].written) == -1) {
				feed_abort(f);
				return -1;
			}
	return feed_commit(f, now);
}

int
generate(const struct lf_config *cfg, struct crypt **crypt,
    const struct gen_opts *o, FILE *rep)
{
	struct lazy_crypt	 lc = { *crypt, 0 };
	struct lf_manifest	 old, now;
	struct collect		 c;
	struct formats		 formats;
	struct delta		 delta;
	struct feed		 feed;
	struct pub_ctx		 p;
	struct lf_run		 run;
	enum db_status		 ds;
	char			 statedir[PATH_MAX], path[PATH_MAX], ts[32];
	char			 msg[256];
	int			 lock = -1, rc, held = 0, crypto = 0, io = 0;
	unsigned		 written = 0;
	long long		 t;

	memset(&run, 0, sizeof(run));
	memset(&now, 0, sizeof(now));
	memset(&old, 0, sizeof(old));
	memset(&delta, 0, sizeof(delta));
	memset(&formats, 0, sizeof(formats));
	collect_init(&c);
	run.started_ms = now_ms();
	run.sign_key = o->sign_key;
	(void)snprintf(run.result, sizeof(run.result), "running");

	if (xsnprintf(statedir, sizeof(statedir), "%s/.state", cfg->feed_dir)
	    == -1 || xsnprintf(path, sizeof(path), "%s/" MANIFEST_NAME,
	    cfg->feed_dir) == -1) {
		log_warnx("%s: path too long", cfg->feed_dir);
		return EXIT_CONFIG;
	}
	if (mkdir_p(cfg->feed_dir, 0755) == -1 ||
	    mkdir_p(statedir, 0700) == -1 ||
	    (lock = take_lock(statedir)) == -1)
		return EXIT_CONFIG;
	rc = EXIT_CONFIG;
	if (feed_open(&feed, cfg->feed_dir) == -1 ||
	    delta_open(&delta, statedir) == -1)
		goto out;
	if (manifest_read(path, &old) == -1) {
		log_warnx("%s: unreadable; move it away to start afresh", path);
		goto out;
	}
	record_run(cfg, &run, o->dry_run);
	if (formats_load(cfg, &formats) == -1) {
		rc = finish(cfg, o, &run, EXIT_CONFIG, "error",
		    "cannot load the formats");
		goto out;
	}
	t = now_ms();
	ds = db_read(cfg, (const char *const *)o->only.v, o->only.n,
	    collect_row, &c);
	log_debug("read %lu rows in %lld ms", c.rows, now_ms() - t);
	t = now_ms();
	if (ds != DB_OK || collect_finish(&c) == -1) {
		(void)snprintf(msg, sizeof(msg), "database: %s; nothing "
		    "published", ds != DB_OK ? db_strerror(ds) :
		    "out of memory");
		log_warnx("%s", msg);
		fprintf(rep, "%s\n", msg);
		/* An unusable option file is the operator's to fix. */
		rc = finish(cfg, o, &run, ds == DB_ERR_CONFIG ? EXIT_CONFIG :
		    EXIT_DATABASE, "database", msg);
		goto out;
	}

	log_debug("sorted %zu lists in %lld ms", c.nlists, now_ms() - t);
	now.generation = old.generation + 1;
	/* A lost manifest must not reuse a generation's number. */
	if (feed.live_name[0] != '\0' &&
	    strtoll(feed.live_name, NULL, 10) >= now.generation)
		now.generation = strtoll(feed.live_name, NULL, 10) + 1;
	now.started_ms = run.started_ms;
	if (rfc3339(run.started_ms, ts, sizeof(ts)) == -1)
		ts[0] = '\0';
	if (!o->dry_run && feed_begin(&feed, now.generation) == -1) {
		rc = finish(cfg, o, &run, EXIT_CONFIG, "error",
		    "cannot start a generation in the feed directory");
		goto out;
	}
	p.cfg = cfg;
	p.crypt = &lc;
	p.formats = &formats;
	p.delta = &delta;
	p.live = feed_live(&feed);
	p.next = feed.next;
	p.generation = now.generation;
	p.now = ts;
	p.dry_run = o->dry_run;
	t = now_ms();
	if (publish_all(&p, o, &c, &old, &now, rep, &held, &crypto, &io,
	    &written) == -1) {
		feed_abort(&feed);
		rc = finish(cfg, o, &run, EXIT_CONFIG, "error",
		    "out of memory");
		goto out;
	}
	log_debug("published in %lld ms", now_ms() - t);
	report_rejects(rep, &c, &now);

	rc = crypto ? EXIT_CRYPTO : io ? EXIT_CONFIG : held ? EXIT_HELD : 0;
	now.result = strdup(crypto ? "crypto" : io ? "error" : held ? "held" :
	    "ok");
	now.generated_ms = now_ms();
	if (o->dry_run) {
		fprintf(rep, "dry run: nothing written\n");
		goto out;
	}
	if (commit(&feed, &old, &now, written) == -1) {
		rc = finish(cfg, o, &run, EXIT_CONFIG, "error",
		    "cannot make the new generation live");
		goto out;
	}
	run.generation = now.generation;
	(void)snprintf(msg, sizeof(msg), "generation %lld: %zu lists, "
	    "%u files written, %d held, %d key errors, %d write errors",
	    now.generation, now.nlists, written, held, crypto, io);
	fprintf(rep, "%s\n", msg);
	(void)finish(cfg, o, &run, rc, now.result != NULL ? now.result :
	    "ok", msg);
	feed_prune(&feed);
out:
	*crypt = lc.c;
	fflush(rep);
	feed_abort(&feed);
	formats_free(&formats);
	manifest_free(&old);
	manifest_free(&now);
	collect_free(&c);
	delta_close(&delta);
	if (lock != -1)
		(void)close(lock);
	return rc;
}
