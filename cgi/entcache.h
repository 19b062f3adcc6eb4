/*
 * entcache: the live entry of each list (lib/layout.h), for requests.
 *
 * entcache_get() hands out the entry of (FEED, NAME, G), G the version
 * FEED/l/NAME names, read from v/NAME/G/entry.json on a miss and kept; a
 * version is immutable, so a kept entry stays true.  It resolves
 * FEED/l/NAME (one readlink) unless FEED is trusted (fswatch.h watches
 * FEED/l), nothing was said of NAME since its link was last read and
 * that was at most a second ago: then it makes no system call.  The
 * read once a second sees a switch that gives no event (NFS, a bind
 * mount written from outside).  An entry is kept per feed: a
 * configuration that names another feed never gets the entry of the
 * same name and version of the one before.  The entry of a list whose
 * link is gone is dropped (entcache_gone(), a read that finds no link,
 * entcache_sweep()): memory follows the lists of the feed.
 * Nothing here reads anything proportional to the number of lists.
 * Entries are reference-counted: one handed out stays valid until
 * entcache_put(), whatever replaces it.  Thread-safe.
 *
 * An entry also keeps what a request learnt of each of its files
 * (entcache_file_size()), while the file is watched and until
 * entcache_files_stale().
 */
#ifndef LF_ENTCACHE_H
#define LF_ENTCACHE_H

#include "manifest.h"
#include "strlist.h"

/* What a request learnt of one file of a version. */
struct cfile {
	long long	 size;
	unsigned long	 era;		/* valid while it is files_era */
};

struct centry {
	int		 refs;		/* under the cache's lock */
	unsigned long	 live;		/* the link was read in this trust
					   era; 0: say nothing */
	long long	 read_ms;	/* when (monotonic), if live */
	long long	 gen;		/* e.version */
	char		*feed;
	struct lf_entry	 e;
	struct cfile	*files;		/* one per e.files[] */
	struct centry	*next;		/* in its bucket */
};

/* 1 with *out (the list's live entry), 0 if the list has none, -1 on
 * an error (logged). */
int	entcache_get(const char *feed, const char *name, struct centry **out);
void	entcache_put(struct centry *);
/* Forgets every entry (the feed directory changed). */
void	entcache_flush(void);
/* Drops the entries of the lists of feed not in names (sorted, as
 * layout_names() gives them) and of every other feed. */
void	entcache_sweep(const char *feed, const struct strlist *names);

/* FEED/l of feed is watched from now on; not watched (any feed). */
void	entcache_trust(const char *feed);
void	entcache_untrust(void);
/* The link of NAME was made or switched; removed. */
void	entcache_stale(const char *name);
void	entcache_gone(const char *name);

/*
 * File i of c (c->e.files[i]): 1 with *size if known, else 0 with *era
 * for entcache_file_keep(), which keeps size if nothing was said of the
 * files since.  Every file known is forgotten by entcache_files_stale().
 */
int	entcache_file_size(struct centry *c, size_t i, long long *size,
	    unsigned long *era);
void	entcache_file_keep(struct centry *c, size_t i, long long size,
	    unsigned long era);
void	entcache_files_stale(void);

#endif
