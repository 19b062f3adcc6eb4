/*
 * rstate: what listfeed-relay remembers across restarts, per source (a
 * list and a reception): the generation, member count and time of the
 * last file it accepted, so that an older generation is refused as a
 * replay after a restart too, and the guard compares with the last
 * accepted count.  No member data.
 *
 * The file STATE/relay.state (mode 0600, replaced atomically: fsutil.h):
 *
 *   # listfeed-relay state 1
 *   NAME RECEPTION GENERATION COUNT TIME
 *   ...
 *
 * one line per source, fields separated by one space, values as in the
 * signed header (sympafile.h), each ending in "\n".  The parser is
 * strict: anything else, or a source named twice, is an error (the relay
 * then refuses to start rather than forget what it accepted).  Entries of
 * sources no longer configured are kept.
 */
#ifndef LF_RSTATE_H
#define LF_RSTATE_H

#include <stddef.h>

#include "buf.h"
#include "sympafile.h"

#define RSTATE_FILE	"relay.state"
#define RSTATE_MAX	(4 * 1024 * 1024)	/* bytes */

struct rstate_entry {
	char			 list[VALID_LIST_MAX + 1];
	enum sympafile_reception rec;
	long long		 generation;
	unsigned long		 count;
	char			 time[21];
};

struct rstate {
	struct rstate_entry	*v;
	size_t			 n;
};

/* 0, or -1 with "line N: reason" in why; *st is empty on failure. */
int	rstate_parse(const char *data, size_t len, struct rstate *st,
	    char *why, size_t whysz);
/* The file's text for st (appended to out); 0 or -1. */
int	rstate_format(const struct rstate *, struct buf *out);

/* dir/relay.state: a missing file is an empty state.  0 or -1 (logged). */
int	rstate_load(const char *dir, struct rstate *);
int	rstate_save(const char *dir, const struct rstate *);

/*
 * Every decision on a source reads the state file and writes it back
 * under one lock, the daemon's and --once's alike, so that neither
 * undoes what the other recorded (--once --force while the daemon runs):
 * rstate_lock() takes an exclusive flock(2) on dir itself, waiting for
 * the other holder; rstate_unlock() releases it.  A fd, or -1 (logged).
 */
int	rstate_lock(const char *dir);
void	rstate_unlock(int fd);

/*
 * Records e (rstate_set()) and writes the file.  If the file cannot be
 * written, st is left as it was.  0, or -1 (logged).
 */
int	rstate_commit(const char *dir, struct rstate *, const struct
	    rstate_entry *e);

struct rstate_entry *rstate_find(struct rstate *, const char *list,
	    enum sympafile_reception);
/* Replaces or adds the entry of e's source.  0 or -1 (no memory). */
int	rstate_set(struct rstate *, const struct rstate_entry *e);
void	rstate_free(struct rstate *);

#endif
