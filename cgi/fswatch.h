/*
 * fswatch: what changed under the responder, told by inotify, so that a
 * request makes no path lookup when nothing did.
 *
 * One inotify descriptor (made before the sandbox) watches:
 *   FEED/l       a link made or switched (entcache_stale(NAME)) or
 *                removed (entcache_gone(NAME))
 *   FEED         l made, replaced or removed; FEED itself moved or removed
 *   the directory of the configuration file and the templates directory:
 *                anything in them makes the configuration due for its
 *                check (state.h)
 *   each file a request was answered with (fswatch_file()): written,
 *                truncated, linked, unlinked, moved or removed:
 *                entcache_files_stale()
 * fswatch_check(), at the start of every request, costs one poll(2) when
 * nothing happened; otherwise it reads and applies every event before the
 * request goes on, so a change made before a request starts is seen by
 * it, as a path lookup would see it.  A queue overflow (IN_Q_OVERFLOW)
 * forgets everything.  A watch that cannot be made or is lost (a
 * directory replaced, a link where a directory was, no inotify) leaves
 * that part to the checks made without inotify: the link read at every
 * request (entcache.h), the configuration and template compared at most
 * once a millisecond (state.h); it is tried again at most once a second,
 * after a reload and at SIGHUP (fswatch_rearm()).  A feed directory
 * replaced from above (a parent renamed) is seen at SIGHUP.
 * Thread-safe.
 */
#ifndef LF_FSWATCH_H
#define LF_FSWATCH_H

/* The inotify descriptor, before the sandbox; without it (logged) every
 * part is checked by path. */
void	fswatch_init(void);
/* Watches the feed, the configuration file's directory and the templates
 * of a configuration just put in force. */
void	fswatch_set(const char *feed, const char *conffile,
	    const char *templates);
/* Makes every watch again (SIGHUP). */
void	fswatch_rearm(void);
/* Applies what happened since the last call (see above). */
void	fswatch_check(void);
/* 1 when the configuration file or the template may have changed since
 * the last fswatch_conf_take(), or are not watched. */
int	fswatch_conf_due(void);
/* 1 when they are watched (else state.h checks them by time). */
int	fswatch_conf_watched(void);
/* Called before the configuration is compared with what is loaded. */
void	fswatch_conf_take(void);
/* Watches the file at path (not following a link): 0, then what a
 * request learnt of it may be kept until entcache_files_stale(); -1 if
 * it cannot be watched. */
int	fswatch_file(const char *path);

#endif
