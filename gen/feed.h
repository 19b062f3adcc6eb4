/*
 * feed: the feed directory, and how one version of a list replaces the
 * last (lib/layout.h).
 *
 *   FEED/v/NAME/G/            list NAME as generation G published it:
 *                             the directories of kind.h that it uses,
 *                             its files, and entry.json (manifest.h),
 *                             naming exactly its files, written last
 *   FEED/l/NAME -> ../v/NAME/G
 *                             the live version of NAME, switched by one
 *                             rename(2) once the version is synced
 *   FEED/lists/..., FEED/plain/...
 *                             one fixed relative link per published
 *                             path of kind.h, into ../l/NAME/...: made
 *                             once, when the path first appears; the
 *                             chain resolves at open, to one version
 *   FEED/manifest.json        the last run's summary (manifest.h),
 *                             nothing per list: l/NAME/entry.json is
 *                             each list's, written by generate.h
 *   FEED/run.json             the last run (manifest.h)
 *   FEED/.state/              listfeed-gen's own (mode 0700);
 *                             .state/generation: the last generation
 *                             number given out, saved before any write
 *
 * Atomicity is per list: every file of a list a reader gets comes from
 * one version of that list.  A run writes each changed list's new
 * version (feed_mkversion(), publish.h), stages it (feed_stage(): the
 * unchanged files hard-linked from its live version, then entry.json),
 * and, once the whole run succeeded, switches the lists one after the
 * other (feed_commit()).  A version is durable before its switch: in a
 * run naming lists each file and directory is synced as it is written;
 * a run of every list (bulk) writes them unsynced and makes them all
 * durable by one syncfs of FEED/v (fs_sync(), fsutil.h) before its first
 * switch, so that a run that writes thousands of files waits for one
 * flush, not for thousands.  Should that syncfs report a write error on
 * the file system (maybe another program's), no list is switched: the
 * next run's syncfs reports only newer errors.  A list whose entry did
 * not change gets no new
 * version: a run costs what changed.  The version live before the live
 * one is kept for readers still on it; every other version of that list
 * is removed just before it is switched, so no version below the live one
 * is ever another one.  Left-overs of crashed runs (versions never made live,
 * temporary files) are removed at start by a run of every list only.
 */
#ifndef LF_FEED_H
#define LF_FEED_H

#include <limits.h>

#include "manifest.h"
#include "strlist.h"

struct feed {
	char		 dir[PATH_MAX];	/* FEED */
	long long	 gen;		/* this run's generation */
	struct strlist	 made;		/* lists with a version dir of gen */
	struct strlist	 staged;	/* of those, ready to switch */
	struct strlist	 live;		/* of those, switched (in the order
					   staged) */
	int		 bulk;		/* a run of every list: versions
					   synced at once, feed_commit() */
	int		 vfd;		/* bulk: FEED/v, opened before the
					   run's first write */
};

/*
 * Makes the directories, converts a feed of the old layout (FEED/current
 * -> g/N), and, in a run of every list (full), removes left-overs, and
 * where syncfs(2) reports errors (fs_sync_reports()) sets bulk and opens
 * vfd.
 * Call with the lock held.  0 or -1.
 */
int	feed_open(struct feed *, const char *dir, int full);
/*
 * The live entries of names (NULL: of every list in FEED/l) into m,
 * each with its version.  A list without an entry (lost) has none.
 * 0, or -1 if an entry is unreadable.
 */
int	feed_entries(const struct feed *, const struct strlist *names,
	    struct lf_manifest *m);
/* Gives this run its generation number (saved unless dry_run).  0/-1. */
int	feed_begin(struct feed *, int dry_run);
/* The directory of the run's version of name, made (with the
 * directories of kind.h) the first time.  0 or -1. */
int	feed_mkversion(struct feed *, const char *name, char *out,
	    size_t outsz);
/* The directory of the version of name that old was read from. */
int	feed_olddir(const struct feed *, const struct lf_entry *old,
	    char *out, size_t outsz);
/*
 * Completes e's new version: the files not written by this run (e's
 * files with written 0) hard-linked from old's version, then entry.json.
 * Nothing is live yet.  0 or -1.
 */
int	feed_stage(struct feed *, const struct lf_entry *e,
	    const struct lf_entry *old);
/* Switches every staged list, one after the other (each one switched
 * into live), a bulk run's once its versions are synced; removes the
 * versions made but not switched.  0, or -1 (the rest removed; the lists
 * in live stay live; none if a version could not be synced). */
int	feed_commit(struct feed *, const struct lf_manifest *now);
/* Removes every version made by this run and not live. */
void	feed_abort(struct feed *);
void	feed_close(struct feed *);

#endif
