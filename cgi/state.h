/*
 * state: the configuration, the index template and the view of every
 * list that requests read, as immutable reference-counted snapshots.
 *
 * state_refresh(), at the start of every request, applies what
 * fswatch.h saw change; when the directory of the config file or the
 * templates changed, and at most once a second while they are watched
 * (an edit through a hard link or a bind-mounted file gives no event),
 * or, where they are not watched, at most once a millisecond, and while
 * a changed file fails to load, it compares the
 * config file and the index template with what is loaded (device,
 * inode, size, mtime) and reloads what changed.  state_refresh_all()
 * makes the watches again and compares them now (SIGHUP), or has the
 * next state_refresh() do so.  A file request reads
 * no view: it resolves its list alone (entcache.h), so a new version is
 * served from the first request after it is switched.  A config or template that fails
 * to load keeps the old one, ACL included: the failure is logged at
 * error level once per version of the file and again every ten minutes
 * (at a request), and snapshots carry since when it fails.  Reloads run
 * in one thread at a time; other threads go on with the snapshot they
 * have.
 *
 * state_view() adds to a snapshot the view the index, /-/status and
 * /-/metrics need: every list's live entry (FEED/l, read through the
 * entry cache, after what fswatch.h saw change since the request began), held = the lists whose entry is held, the last run's
 * figures and rejects from the summary FEED/manifest.json, and the
 * generation from run.json when it is newer.  It is made again only when
 * FEED/l, run.json or manifest.json changed (device, inode, size,
 * mtime), never for a file request.
 *
 * state_acquire() hands out the current snapshot; it stays valid, however
 * often the files change, until state_release().
 */
#ifndef LF_STATE_H
#define LF_STATE_H

#include "conf.h"
#include "index.h"
#include "manifest.h"

struct cfg_obj;
struct man_obj;

struct snapshot {
	const struct lf_config	 *cfg;
	const struct index_tmpl	 *index;
	const struct lf_manifest *man;	/* state_view(); else NULL */
	int			  man_present;	/* a feed was published */
	long long		  conf_loaded_ms;	/* cfg, wall clock */
	long long		  conf_failed_ms;	/* reloading fails
							 * since; 0: not */
	struct cfg_obj		 *c_;
	struct man_obj		 *m_;
};

/*
 * Loads and checks everything the responder needs from the config at
 * path: [feed] dir (absolute), accel_prefix, the index template.
 * 0, or -1 with the reasons logged (nothing to free then).
 */
int	state_load(const char *path, struct lf_config *, struct index_tmpl **);

/* Takes ownership of a loaded config and template.  0 or -1. */
int	state_init(struct lf_config *, struct index_tmpl *);
void	state_refresh(void);
void	state_refresh_all(void);
void	state_acquire(struct snapshot *);
/* Adds the view of every list to s (s->man).  0, or -1 (logged). */
int	state_view(struct snapshot *s);
void	state_release(struct snapshot *);
void	state_shutdown(void);

/* Path of a file inside the feed directory into out; 0 or -1. */
int	docroot_path(const struct lf_config *, const char *rel, char *out,
	    size_t outsz);

/*
 * The responder's stop flag: set once by the signal thread; workers stop
 * accepting and every wait for the generator ends (trigger.h).
 */
void	state_stop(void);
int	state_stopping(void);

#endif
