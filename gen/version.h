/*
 * version: the steps on one version of a list in the feed directory
 * (layout in feed.h), shared by feed.h's runs and by the conversion of
 * an old feed (migrate.h): made, finished (entry.json), synced, removed,
 * switched live, and the fixed links to it.  dir is FEED throughout.
 */
#ifndef LF_VERSION_H
#define LF_VERSION_H

#include "manifest.h"

/* Makes dir/v/NAME/G with the directories of kind.h (a left-over of
 * that name removed first), not synced: the caller syncs dir/v/NAME
 * after feed_vfinish() (a bulk run: feed_commit() syncs).  0 or -1. */
int	feed_vmake(const char *dir, const char *name, long long gen);
/* Removes dir/v/NAME/G (never the live version). */
void	feed_vremove(const char *dir, const char *name, long long gen);
/* l/NAME -> ../v/NAME/G by one rename(2) (not synced).  0 or -1. */
int	feed_switch(const char *dir, const char *name, long long gen);
/* The fixed links FEED/REL -> ../l/NAME/REL of e's files.  0 or -1. */
int	feed_fixed_links(const char *dir, const struct lf_entry *e);
/* Syncs the version's directories that hold e's files (each file
 * itself synced when written: write_new(), fsutil.h), then writes
 * entry.json; with FS_NOSYNC in flags, nothing synced and entry.json
 * written under its own name (a bulk run's feed_commit() syncs).
 * 0 or -1. */
int	feed_vfinish(const char *dir, const struct lf_entry *e,
	    long long gen, int flags);

#endif
