/* state: see state.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "entcache.h"
#include "fsutil.h"
#include "fswatch.h"
#include "index.h"
#include "layout.h"
#include "log.h"
#include "manifest.h"
#include "state.h"

#define CONF_CHECK_NS	1000000LL	/* config and template: 1 ms */
#define CONF_WATCHED_NS	1000000000LL	/* the same, while watched: 1 s */
#define REMIND_MS	(600 * 1000LL)	/* a failing reload, logged again */


struct cfg_obj {
	int			 refs;
	struct lf_config	 cfg;
	struct index_tmpl	*index;
	struct file_id		 conf_id, tmpl_id;
	long long		 loaded_ms;	/* wall clock */
};

struct man_obj {
	int			 refs;
	struct lf_manifest	 m;
	int			 present;
	char			 path[PATH_MAX];	/* FEED */
	struct file_id		 ids[3];		/* view_ids() */
};

static pthread_mutex_t	 snap_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t	 reload_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct cfg_obj	*cur_c;
static struct man_obj	*cur_m;
/* Versions that failed to load: not retried until they change. */
static struct file_id	 bad_conf, bad_tmpl;
/* CLOCK_MONOTONIC ns when the config was last compared, 0: never. */
static atomic_llong	 conf_checked;
/* Wall clock ms since the config fails to reload, 0 if it does not
 * (under snap_mtx); when that was last logged (the reload thread's). */
static long long	 failed_ms, reminded_ms;
static atomic_int	 stopping;
/* A changed file fails to load: checked by time, to remind of it. */
static atomic_int	 failing;

void
state_stop(void)
{
	atomic_store(&stopping, 1);
}

int
state_stopping(void)
{
	return atomic_load(&stopping);
}

int
docroot_path(const struct lf_config *cfg, const char *rel, char *out,
    size_t outsz)
{
	return xsnprintf(out, outsz, "%s/%s", cfg->feed_dir, rel) < 0 ?
	    -1 : 0;
}

static int
tmpl_dir_path(const struct lf_config *cfg, char *out, size_t outsz)
{
	return xsnprintf(out, outsz, "%s/%s", cfg->templates, INDEX_FILE) < 0 ?
	    -1 : 0;
}

int
state_load(const char *path, struct lf_config *cfg, struct index_tmpl **ip)
{
	*ip = NULL;
	if (conf_load(path, cfg) == -1)
		return -1;
	if (strlen(cfg->feed_dir) > PATH_MAX - 300) {
		log_warnx("%s: [feed] dir too long", path);
		goto bad;
	}
	if (strlen(cfg->trigger_socket) >= 108) {
		log_warnx("%s: [feed] trigger_socket too long", path);
		goto bad;
	}
	if ((*ip = index_load(cfg->templates)) == NULL)
		goto bad;
	return 0;
bad:
	conf_free(cfg);
	return -1;
}

static void
cfg_put(struct cfg_obj *c)
{
	if (c == NULL || --c->refs > 0)
		return;
	index_free(c->index);
	conf_free(&c->cfg);
	free(c);
}

static void
man_put(struct man_obj *m)
{
	if (m == NULL || --m->refs > 0)
		return;
	manifest_free(&m->m);
	free(m);
}

/* Moves the run-level figures of the summary sum into m. */
static void
take_summary(struct lf_manifest *m, struct lf_manifest *sum)
{
	m->generation = sum->generation;
	m->started_ms = sum->started_ms;
	m->generated_ms = sum->generated_ms;
	m->result = sum->result;
	m->rejects = sum->rejects;
	m->nrejects = sum->nrejects;
	sum->result = NULL;
	sum->rejects = NULL;
	sum->nrejects = 0;
}

/* Every list's live entry (FEED/l, through the entry cache) into m. */
static int
view_lists(const char *feed, struct lf_manifest *m)
{
	struct strlist	 names;
	struct centry	*c;
	size_t		 i;
	int		 rc = 0;

	if (layout_names(feed, &names) == -1)
		return -1;
	if ((m->lists = calloc(names.n + 1, sizeof(*m->lists))) == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < names.n; i++) {
		if (entcache_get(feed, names.v[i], &c) != 1)
			continue;
		if (manifest_entry_copy(&m->lists[m->nlists], &c->e) == 0) {
			m->nlists++;
			if (c->e.held != NULL)
				rc = strlist_add(&m->held, c->e.name);
		} else
			rc = -1;
		entcache_put(c);
	}
	entcache_sweep(feed, &names);
	strlist_free(&names);
	return rc;
}

/*
 * The view of every list that the index, status and metrics show: the
 * lists from FEED/l, the run's figures from the summary, the generation
 * from run.json when it is newer.  NULL when it cannot be made.
 */
static struct man_obj *
view_build(const char *feed, const struct file_id ids[3])
{
	struct man_obj		*m;
	struct lf_manifest	 sum;
	struct lf_run		 run;
	char			 path[PATH_MAX];
	int			 rc;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		log_warn("calloc");
		return NULL;
	}
	m->refs = 1;
	memcpy(m->ids, ids, sizeof(m->ids));
	(void)snprintf(m->path, sizeof(m->path), "%s", feed);
	if (xsnprintf(path, sizeof(path), "%s/" MANIFEST_NAME, feed) == -1 ||
	    (rc = manifest_read(path, &sum)) == -1)
		log_warnx("%s: unreadable or invalid; the lists are shown "
		    "without the last run's figures", path);
	else {
		m->present = rc == 0;
		take_summary(&m->m, &sum);
		manifest_free(&sum);
	}
	if (xsnprintf(path, sizeof(path), "%s/" RUN_NAME, feed) != -1 &&
	    run_read(path, &run) == 0 && run.generation > m->m.generation)
		m->m.generation = run.generation;
	if (view_lists(feed, &m->m) == -1) {
		man_put(m);
		return NULL;
	}
	m->present = m->present || m->m.nlists > 0;
	return m;
}

/* What tells one view from the next: FEED/l, run.json, manifest.json. */
static void
view_ids(const char *feed, struct file_id ids[3])
{
	static const char *const names[3] = {
		LAYOUT_LIVE, RUN_NAME, MANIFEST_NAME
	};
	char	 path[PATH_MAX];
	size_t	 i;

	for (i = 0; i < 3; i++)
		if (xsnprintf(path, sizeof(path), "%s/%s", feed, names[i])
		    == -1)
			memset(&ids[i], 0, sizeof(ids[i]));
		else
			file_id_get(path, &ids[i]);
}

static int
view_same(const struct man_obj *m, const char *feed,
    const struct file_id ids[3])
{
	size_t	 i;

	if (m == NULL || strcmp(m->path, feed) != 0)
		return 0;
	for (i = 0; i < 3; i++)
		if (!file_id_eq(&m->ids[i], &ids[i]))
			return 0;
	return 1;
}

int
state_view(struct snapshot *s)
{
	struct man_obj	*m, *old;
	struct file_id	 ids[3];
	const char	*feed = s->cfg->feed_dir;

	if (s->m_ != NULL)
		return 0;
	/* A request that waited (a trigger) sees what changed meanwhile. */
	fswatch_check();
	view_ids(feed, ids);
	pthread_mutex_lock(&snap_mtx);
	if (view_same(cur_m, feed, ids)) {
		m = cur_m;
		m->refs++;
		pthread_mutex_unlock(&snap_mtx);
	} else {
		pthread_mutex_unlock(&snap_mtx);
		if ((m = view_build(feed, ids)) == NULL)
			return -1;
		pthread_mutex_lock(&snap_mtx);
		old = cur_m;
		cur_m = m;
		m->refs++;
		man_put(old);
		pthread_mutex_unlock(&snap_mtx);
	}
	s->m_ = m;
	s->man = &m->m;
	s->man_present = m->present;
	return 0;
}

int
state_init(struct lf_config *cfg, struct index_tmpl *idx)
{
	struct cfg_obj *c;
	char		 path[PATH_MAX];

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("calloc");
		return -1;
	}
	c->refs = 1;
	c->cfg = *cfg;
	c->index = idx;
	c->loaded_ms = now_ms();
	file_id_get(c->cfg.path, &c->conf_id);
	if (tmpl_dir_path(&c->cfg, path, sizeof(path)) == 0)
		file_id_get(path, &c->tmpl_id);
	cur_c = c;
	cur_m = NULL;		/* the first state_view() makes it */
	fswatch_set(c->cfg.feed_dir, c->cfg.path, c->cfg.templates);
	memset(cfg, 0, sizeof(*cfg));
	return 0;
}

/*
 * The config (or its template) at path does not load: the running one
 * stays, which may keep a client the operator just removed.  Said at
 * error level, again every REMIND_MS, and shown by status and metrics.
 */
static void
reload_failed(const char *path, int first)
{
	char	 at[40], since[40];
	long long now = now_ms();

	if (!first && now - reminded_ms < REMIND_MS)
		return;
	pthread_mutex_lock(&snap_mtx);
	if (failed_ms == 0)
		failed_ms = now;
	pthread_mutex_unlock(&snap_mtx);
	atomic_store(&failing, 1);
	reminded_ms = now;
	if (rfc3339(cur_c->loaded_ms, at, sizeof(at)) == -1 ||
	    rfc3339(failed_ms, since, sizeof(since)) == -1)
		return;
	log_warnx("%s: reload failed (since %s): the configuration loaded "
	    "at %s stays in force, clients and lists included, until the "
	    "file loads; listfeed.fcgi -n -c %s names the error", path,
	    since, at, path);
}

/* The files in force are in place again (moved back): no failure. */
static void
reload_back(const char *path)
{
	pthread_mutex_lock(&snap_mtx);
	failed_ms = 0;
	pthread_mutex_unlock(&snap_mtx);
	atomic_store(&failing, 0);
	memset(&bad_conf, 0, sizeof(bad_conf));
	memset(&bad_tmpl, 0, sizeof(bad_tmpl));
	log_info("%s: the configuration in force is back in place", path);
}

/* Says at once when the feed named by cfg cannot be read (a sandbox
 * rule, a mode), rather than at the first request that needs it. */
static void
feed_probe(const struct lf_config *cfg)
{
	char	 path[PATH_MAX];
	int	 fd;

	if (docroot_path(cfg, MANIFEST_NAME, path, sizeof(path)) == -1)
		return;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1)
		(void)close(fd);
	else if (errno != ENOENT)
		log_warn("%s", path);
}

static void
reload_config(void)
{
	struct lf_config cfg;
	struct index_tmpl *idx;
	struct cfg_obj *c, *old;
	struct file_id	 cid, tid;
	char		 tpath[PATH_MAX];
	const char	*path = cur_c->cfg.path;

	file_id_get(path, &cid);
	if (tmpl_dir_path(&cur_c->cfg, tpath, sizeof(tpath)) == -1)
		return;
	file_id_get(tpath, &tid);
	if (file_id_eq(&cid, &cur_c->conf_id) &&
	    file_id_eq(&tid, &cur_c->tmpl_id)) {
		if (failed_ms != 0)
			reload_back(path);
		return;
	}
	if (file_id_eq(&cid, &bad_conf) && file_id_eq(&tid, &bad_tmpl)) {
		reload_failed(path, 0);
		return;
	}
	if (state_load(path, &cfg, &idx) == -1) {
		bad_conf = cid;
		bad_tmpl = tid;
		reload_failed(path, 1);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("calloc");
		index_free(idx);
		conf_free(&cfg);
		return;
	}
	c->refs = 1;
	c->cfg = cfg;
	c->index = idx;
	c->conf_id = cid;
	c->loaded_ms = now_ms();
	/* The new config may name another template directory. */
	if (tmpl_dir_path(&c->cfg, tpath, sizeof(tpath)) == 0)
		file_id_get(tpath, &c->tmpl_id);
	memset(&bad_conf, 0, sizeof(bad_conf));
	memset(&bad_tmpl, 0, sizeof(bad_tmpl));
	pthread_mutex_lock(&snap_mtx);
	old = cur_c;
	cur_c = c;
	cfg_put(old);
	failed_ms = 0;
	pthread_mutex_unlock(&snap_mtx);
	atomic_store(&failing, 0);
	entcache_flush();	/* [feed] dir may have changed */
	fswatch_set(c->cfg.feed_dir, c->cfg.path, c->cfg.templates);
	feed_probe(&c->cfg);
	/* path belonged to the old configuration. */
	log_info("%s: configuration reloaded", c->cfg.path);
}

void
state_refresh(void)
{
	long long now;
	int	 watched;

	fswatch_check();
	watched = fswatch_conf_watched() && !atomic_load(&failing);
	now = mono_ns();
	/*
	 * Watched, an edit that gives no event (through a hard link, a
	 * bind-mounted file) is still seen by the check by path, made at
	 * most once a second.
	 */
	if (now < atomic_load(&conf_checked) + (watched ? CONF_WATCHED_NS :
	    CONF_CHECK_NS) && !(watched && fswatch_conf_due()))
		return;
	/* Only this thread replaces cur_c while it holds reload_mtx. */
	if (pthread_mutex_trylock(&reload_mtx) != 0)
		return;
	if (cur_c != NULL) {
		fswatch_conf_take();
		reload_config();
		atomic_store(&conf_checked, now);
	}
	pthread_mutex_unlock(&reload_mtx);
}

void
state_refresh_all(void)
{
	fswatch_rearm();
	atomic_store(&conf_checked, 0);
	state_refresh();
}

void
state_acquire(struct snapshot *s)
{
	pthread_mutex_lock(&snap_mtx);
	s->c_ = cur_c;
	s->m_ = NULL;
	cur_c->refs++;
	s->conf_failed_ms = failed_ms;
	pthread_mutex_unlock(&snap_mtx);
	s->conf_loaded_ms = s->c_->loaded_ms;
	s->cfg = &s->c_->cfg;
	s->index = s->c_->index;
	s->man = NULL;
	s->man_present = 0;
}

void
state_release(struct snapshot *s)
{
	pthread_mutex_lock(&snap_mtx);
	cfg_put(s->c_);
	man_put(s->m_);
	pthread_mutex_unlock(&snap_mtx);
	memset(s, 0, sizeof(*s));
}

void
state_shutdown(void)
{
	pthread_mutex_lock(&snap_mtx);
	cfg_put(cur_c);
	man_put(cur_m);
	cur_c = NULL;
	cur_m = NULL;
	pthread_mutex_unlock(&snap_mtx);
	entcache_flush();
}
