/*
 * migrate: converts a feed of the layout before per-list versions
 * (FEED/current -> g/N, FEED/g/N/ holding every list's files and
 * manifest.json; FEED/lists, FEED/plain and FEED/manifest.json links
 * through current/) into the one of feed.h, once, at the first run of a
 * listfeed-gen that knows both.
 *
 * Each list of generation N's manifest gets FEED/v/NAME/N (its files
 * hard-linked from g/N, then entry.json) and FEED/l/NAME; then
 * .state/generation, the summary FEED/manifest.json, the directories
 * lists/ and plain/ with their fixed links replace the old links;
 * current and g/ go last.  A run killed half-way converts again (a list
 * already live at N is kept); one killed after current was gone leaves a
 * g/ that the next run removes (migrate_leftovers()).  Between the removal of the old lists and
 * plain links and the new fixed links a reader of those paths may get a
 * 404 (a few milliseconds, once); listfeed.fcgi serves through l/.
 */
#ifndef LF_MIGRATE_H
#define LF_MIGRATE_H

/* 1 if dir is in the old layout (FEED/current is a link). */
int	migrate_needed(const char *dir);
/* Converts it; 0 or -1 (the old layout kept, nothing lost). */
int	migrate_feed(const char *dir);
/* Removes FEED/g, cleartext included, unless dir is in the old layout
 * (a conversion killed while removing it left it). */
void	migrate_leftovers(const char *dir);

#endif
