/*
 * feed: the feed directory, and how one generation replaces the last.
 *
 *   FEED/g/N/                 generation N, complete: the directories of
 *                             kind.h (lists/, lists/mail/, lists/digest/,
 *                             plain/, plain/mail/, plain/digest/) and
 *                             manifest.json, naming exactly its files
 *   FEED/current -> g/N       the live generation, switched by one rename(2)
 *                             once everything in g/N is written and synced
 *   FEED/lists -> current/lists, FEED/plain -> current/plain,
 *   FEED/manifest.json -> current/manifest.json
 *                             fixed links: readers (listfeed.fcgi, nginx)
 *                             use the paths of kind.h and always see one
 *                             whole generation, never a mix of two
 *   FEED/run.json             the last run (manifest.h)
 *   FEED/.state/              listfeed-gen's own (mode 0700)
 *
 * A file that did not change is hard-linked from the live generation into
 * the next: same inode, bytes and mtime, so the same ETag.  A generation
 * that changes no file only replaces the live manifest.  The generation
 * before the live one is kept for readers still on it; older ones, and
 * any a crash left half-made, are removed.
 */
#ifndef LF_FEED_H
#define LF_FEED_H

#include <limits.h>

#include "manifest.h"

struct feed {
	char	 dir[PATH_MAX];		/* FEED */
	char	 live[PATH_MAX];	/* FEED/g/K, or "" before the first */
	char	 next[PATH_MAX];	/* FEED/g/N while one is being made */
	char	 live_name[32];		/* "K" */
};

/* Makes the directories and fixed links, finds the live generation,
 * removes left-overs.  Call with the lock held.  0 or -1. */
int	feed_open(struct feed *, const char *dir);
/* The live generation's directory, or NULL before the first. */
const char *feed_live(const struct feed *);
/* Starts generation N in FEED/g/N.  0 or -1. */
int	feed_begin(struct feed *, long long generation);
/*
 * Puts rel into the next generation: written (by this run) it must be
 * there already; otherwise it is hard-linked from the live generation,
 * and must not be there yet.  0, or -1 (the generation would not match
 * its manifest).
 */
int	feed_carry(struct feed *, const char *rel, int written);
/* Writes m into the next generation, syncs it and makes it live. */
int	feed_commit(struct feed *, const struct lf_manifest *m);
/*
 * Removes the generations before the one before the live one: after the
 * run is recorded, since a client waiting for the run need not wait for
 * this.  Call with the lock held.
 */
void	feed_prune(const struct feed *);
/* Drops the next generation and replaces the live manifest only. */
int	feed_commit_manifest(struct feed *, const struct lf_manifest *m);
/* Removes the next generation (after an error). */
void	feed_abort(struct feed *);

#endif
