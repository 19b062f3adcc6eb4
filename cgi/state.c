/* state: see state.h. */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "fsutil.h"
#include "index.h"
#include "log.h"
#include "manifest.h"
#include "state.h"

#define CONF_CHECK_NS	1000000LL	/* config and template: 1 ms */
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
	char			 path[PATH_MAX];
	struct file_id		 id;
};

static pthread_mutex_t	 snap_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t	 reload_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct cfg_obj	*cur_c;
static struct man_obj	*cur_m;
/* Versions that failed to load: not retried until they change. */
static struct file_id	 bad_conf, bad_tmpl, bad_man;
/* CLOCK_MONOTONIC ns before which the config is not looked at again. */
static atomic_llong	 conf_due;
/* Wall clock ms since the config fails to reload, 0 if it does not
 * (under snap_mtx); when that was last logged (the reload thread's). */
static long long	 failed_ms, reminded_ms;
static atomic_int	 stopping;

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

/* Reads the manifest of cfg; NULL when it cannot be read. */
static struct man_obj *
man_load(const struct lf_config *cfg, const struct file_id *id)
{
	struct man_obj *m;
	int	 rc;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		log_warn("calloc");
		return NULL;
	}
	m->refs = 1;
	m->id = *id;
	if (docroot_path(cfg, MANIFEST_NAME, m->path, sizeof(m->path)) == -1) {
		free(m);
		return NULL;
	}
	rc = manifest_read(m->path, &m->m);
	if (rc == -1) {
		log_warnx("%s: unreadable or invalid; keeping the last one",
		    m->path);
		free(m);
		return NULL;
	}
	m->present = rc == 0;
	return m;
}

int
state_init(struct lf_config *cfg, struct index_tmpl *idx)
{
	struct cfg_obj *c;
	struct man_obj *m;
	struct file_id	 mid;
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
	if (docroot_path(&c->cfg, MANIFEST_NAME, path, sizeof(path)) == -1)
		goto fail;
	file_id_get(path, &mid);
	if ((m = man_load(&c->cfg, &mid)) == NULL) {
		/* Serve with no manifest (every list 404) until it is valid. */
		if ((m = calloc(1, sizeof(*m))) == NULL)
			goto fail;
		m->refs = 1;
		(void)docroot_path(&c->cfg, MANIFEST_NAME, m->path,
		    sizeof(m->path));
		bad_man = mid;
	}
	cur_c = c;
	cur_m = m;
	memset(cfg, 0, sizeof(*cfg));
	return 0;
fail:
	free(c);
	return -1;
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
	memset(&bad_conf, 0, sizeof(bad_conf));
	memset(&bad_tmpl, 0, sizeof(bad_tmpl));
	log_info("%s: the configuration in force is back in place", path);
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
	/* path belonged to the old configuration. */
	log_info("%s: configuration reloaded", c->cfg.path);
}

static void
reload_manifest(void)
{
	struct man_obj *m, *old;
	struct file_id	 id;
	char		 path[PATH_MAX];

	if (docroot_path(&cur_c->cfg, MANIFEST_NAME, path, sizeof(path)) == -1)
		return;
	file_id_get(path, &id);
	if (strcmp(path, cur_m->path) == 0 && file_id_eq(&id, &cur_m->id))
		return;
	if (strcmp(path, cur_m->path) == 0 && file_id_eq(&id, &bad_man))
		return;
	if ((m = man_load(&cur_c->cfg, &id)) == NULL) {
		bad_man = id;
		return;
	}
	memset(&bad_man, 0, sizeof(bad_man));
	pthread_mutex_lock(&snap_mtx);
	old = cur_m;
	cur_m = m;
	man_put(old);
	pthread_mutex_unlock(&snap_mtx);
	log_debug("%s: generation %lld", path, m->m.generation);
}

static long long
mono_ns(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void
state_refresh(void)
{
	long long now;

	/* Only this thread replaces cur_c/cur_m while it holds reload_mtx. */
	if (pthread_mutex_trylock(&reload_mtx) != 0)
		return;
	if (cur_c != NULL) {
		now = mono_ns();
		if (now >= atomic_load(&conf_due)) {
			reload_config();
			atomic_store(&conf_due, now + CONF_CHECK_NS);
		}
		reload_manifest();
	}
	pthread_mutex_unlock(&reload_mtx);
}

void
state_refresh_all(void)
{
	atomic_store(&conf_due, 0);
	state_refresh();
}

void
state_acquire(struct snapshot *s)
{
	pthread_mutex_lock(&snap_mtx);
	s->c_ = cur_c;
	s->m_ = cur_m;
	cur_c->refs++;
	cur_m->refs++;
	s->conf_failed_ms = failed_ms;
	pthread_mutex_unlock(&snap_mtx);
	s->conf_loaded_ms = s->c_->loaded_ms;
	s->cfg = &s->c_->cfg;
	s->index = s->c_->index;
	s->man = &s->m_->m;
	s->man_present = s->m_->present;
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
}
