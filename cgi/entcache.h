/*
 * entcache: the live entry of each list (lib/layout.h), for requests.
 *
 * entcache_get() resolves FEED/l/NAME (one readlink) to its version G
 * and hands out the entry of (NAME, G), read from v/NAME/G/entry.json on
 * a miss and kept; a version is immutable, so a kept entry stays true.
 * Nothing here reads anything proportional to the number of lists.
 * Entries are reference-counted: one handed out stays valid until
 * entcache_put(), whatever replaces it.  Thread-safe.
 */
#ifndef LF_ENTCACHE_H
#define LF_ENTCACHE_H

#include "manifest.h"

struct centry {
	int		 refs;		/* under the cache's lock */
	long long	 gen;		/* e.version */
	struct lf_entry	 e;
	struct centry	*next;		/* in its bucket */
};

/* 1 with *out (the list's live entry), 0 if the list has none, -1 on
 * an error (logged). */
int	entcache_get(const char *feed, const char *name, struct centry **out);
void	entcache_put(struct centry *);
/* Forgets every entry (the feed directory changed). */
void	entcache_flush(void);

#endif
