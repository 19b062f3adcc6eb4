/* fswatch: see fswatch.h. */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "entcache.h"
#include "fsutil.h"
#include "fswatch.h"
#include "index.h"
#include "layout.h"
#include "log.h"

#define RETRY_MS	1000LL	/* a lost watch, tried again */

/* A directory's children made, removed, renamed; the directory itself. */
#define DIR_EVENTS	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | \
			IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF)
#define CONF_EVENTS	(DIR_EVENTS | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB)
#define FILE_EVENTS	(IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | \
			IN_DELETE_SELF)
#define GONE_EVENTS	(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)
/* One inode may hold two roles (the same wd): masks are added. */
#define ADD_FLAGS	(IN_DONT_FOLLOW | IN_MASK_ADD)

enum role { W_FEED, W_LIVE, W_CONF, W_TMPL, W_N };

/* The paths watched and their descriptors: under mtx. */
static pthread_mutex_t	 mtx = PTHREAD_MUTEX_INITIALIZER;
static char		*paths[W_N], *conffile, *tmplfile;
static int		 wds[W_N] = { -1, -1, -1, -1 };
static int		 degraded = -1;	/* last said: 1 degraded, 0 not */
static int		 ifd = -1;	/* set before any thread */
static atomic_int	 draining, lost, conf_watched, conf_pending = 1;
static atomic_llong	 retry_at;

void
fswatch_init(void)
{
	if ((ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		log_warn("inotify: every request checks the files it needs "
		    "by path instead");
}

static int
add(enum role r, uint32_t mask)
{
	if (paths[r] == NULL)
		return 0;
	wds[r] = inotify_add_watch(ifd, paths[r], mask | ADD_FLAGS |
	    IN_ONLYDIR);
	if (wds[r] == -1)
		log_debug("inotify %s: %s", paths[r], strerror(errno));
	return wds[r] != -1;
}

static int
is_link(const char *path)
{
	struct stat	 st;

	return path != NULL && lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* Makes every watch again; what was learnt before is forgotten. */
static void
arm(void)
{
	int	 i, lists, conf;

	for (i = 0; i < W_N; i++) {
		if (wds[i] != -1)
			(void)inotify_rm_watch(ifd, wds[i]);
		wds[i] = -1;
	}
	lists = add(W_FEED, DIR_EVENTS) && add(W_LIVE, DIR_EVENTS);
	conf = add(W_CONF, CONF_EVENTS) && add(W_TMPL, CONF_EVENTS) &&
	    !is_link(conffile) && !is_link(tmplfile);
	if (lists)
		entcache_trust(paths[W_FEED]);
	else
		entcache_untrust();
	entcache_files_stale();
	atomic_store(&conf_watched, conf);
	atomic_store(&conf_pending, 1);
	atomic_store(&lost, !lists || !conf);
	atomic_store(&retry_at, now_ms() + RETRY_MS);
	if (degraded != (!lists || !conf)) {
		degraded = !lists || !conf;
		if (degraded)
			log_info("inotify: %s%s%s not watched: looked at by "
			    "path until it can be",
			    lists ? "" : "FEED/l", !lists && !conf ? " and " :
			    "", conf ? "" : "the configuration");
	}
}

static void
set_path(char **p, const char *s)
{
	free(*p);
	if (s != NULL && (*p = strdup(s)) == NULL)
		log_warn("strdup");
	else if (s == NULL)
		*p = NULL;
}

void
fswatch_set(const char *feed, const char *conf, const char *templates)
{
	char	 buf[PATH_MAX];

	if (ifd == -1)
		return;
	pthread_mutex_lock(&mtx);
	set_path(&paths[W_FEED], feed);
	set_path(&paths[W_LIVE], xsnprintf(buf, sizeof(buf), "%s/"
	    LAYOUT_LIVE, feed) < 0 ? NULL : buf);
	set_path(&conffile, conf);
	(void)xsnprintf(buf, sizeof(buf), "%s", conf);
	set_path(&paths[W_CONF], dirname(buf));
	set_path(&paths[W_TMPL], templates);
	set_path(&tmplfile, xsnprintf(buf, sizeof(buf), "%s/" INDEX_FILE,
	    templates) < 0 ? NULL : buf);
	arm();
	pthread_mutex_unlock(&mtx);
}

void
fswatch_rearm(void)
{
	if (ifd == -1)
		return;
	pthread_mutex_lock(&mtx);
	arm();
	pthread_mutex_unlock(&mtx);
}

/* One event, under mtx: 1 when the watches must be made again. */
static int
event(const struct inotify_event *ev)
{
	const char	*name = ev->len > 0 ? ev->name : "";
	int		 known = 0, rearm = 0;

	if (ev->mask & IN_Q_OVERFLOW) {
		log_info("inotify queue overflowed: every link, file and "
		    "the configuration are looked at again");
		return 1;
	}
	if (ev->wd == wds[W_LIVE]) {
		known = 1;
		if (ev->mask & GONE_EVENTS)
			rearm = 1;
		else if (ev->mask & (IN_DELETE | IN_MOVED_FROM))
			entcache_gone(name);
		else
			entcache_stale(name);
	}
	if (ev->wd == wds[W_FEED]) {
		known = 1;
		if ((ev->mask & GONE_EVENTS) || strcmp(name, LAYOUT_LIVE) == 0)
			rearm = 1;
	}
	if (ev->wd == wds[W_CONF] || ev->wd == wds[W_TMPL]) {
		known = 1;
		atomic_store(&conf_pending, 1);
		if (ev->mask & GONE_EVENTS)
			rearm = 1;
	}
	if (!known)
		entcache_files_stale();
	return rearm;
}

/* Reads and applies every queued event, under mtx. */
static void
drain(void)
{
	char	 buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t	 n, off;
	int	 rearm = 0;

	for (;;) {
		if ((n = read(ifd, buf, sizeof(buf))) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (off = 0; off + (ssize_t)sizeof(*ev) <= n;
		    off += (ssize_t)(sizeof(*ev) + ev->len)) {
			ev = (const struct inotify_event *)(void *)(buf + off);
			rearm |= event(ev);
		}
	}
	if (rearm)
		arm();
}

void
fswatch_check(void)
{
	struct pollfd	 p;

	if (ifd == -1)
		return;
	if (atomic_load(&lost) && now_ms() >= atomic_load(&retry_at) &&
	    pthread_mutex_trylock(&mtx) == 0) {
		if (atomic_load(&lost))
			arm();
		pthread_mutex_unlock(&mtx);
	}
	/*
	 * An empty queue means nothing happened, or a drain has read it:
	 * draining is set before that read and cleared once all is applied.
	 */
	p.fd = ifd;
	p.events = POLLIN;
	p.revents = 0;
	if (poll(&p, 1, 0) == 0 && atomic_load(&draining) == 0)
		return;
	pthread_mutex_lock(&mtx);
	atomic_store(&draining, 1);
	drain();
	atomic_store(&draining, 0);
	pthread_mutex_unlock(&mtx);
}

int
fswatch_conf_due(void)
{
	return !atomic_load(&conf_watched) || atomic_load(&conf_pending);
}

int
fswatch_conf_watched(void)
{
	return atomic_load(&conf_watched);
}

void
fswatch_conf_take(void)
{
	atomic_store(&conf_pending, 0);
}

int
fswatch_file(const char *path)
{
	int	 wd;

	if (ifd == -1)
		return -1;
	/* Not while arm() removes and makes the watches again. */
	pthread_mutex_lock(&mtx);
	wd = inotify_add_watch(ifd, path, FILE_EVENTS | ADD_FLAGS);
	pthread_mutex_unlock(&mtx);
	return wd == -1 ? -1 : 0;
}
