/*
 * sources: every source the relay serves (each configured list, with
 * each reception: all, mail, digest), its last verified copy in memory
 * (secbuf.h) and what happened to it.
 *
 * sources_refresh() fetches every source in turn (fetch.h), decrypts and
 * verifies what changed (pgp.h), decides (accept.h) against the state
 * file read under its lock, records the source in it (rstate.h), and
 * only then swaps the served copy: a copy whose generation could not be
 * recorded is not served (a restart would forget it and accept an older
 * file).  Any failure leaves the last good copy served and says why in
 * the log and the status.  The reception files are fetched with the
 * whole list, every time: each is a source Sympa may read, and each is
 * guarded and checked on its own.
 *
 * The lookups below may run in other threads at the same time as a
 * refresh (one mutex; fetching and gpg run outside it).
 */
#ifndef LF_SOURCES_H
#define LF_SOURCES_H

#include <stdio.h>

#include <jansson.h>

#include "rconf.h"
#include "rstate.h"
#include "secbuf.h"
#include "sympafile.h"

/* Exit statuses of --once, worst first: also what a refresh returns. */
#define SOURCES_OK		0
#define SOURCES_NETWORK		2	/* network, TLS or HTTP */
#define SOURCES_HELD		3	/* the guard held a source */
#define SOURCES_REFUSED		4	/* crypto, identity, replay, content */
#define SOURCES_STATE		5	/* the state file: not read or written */

struct sources;

/*
 * cfg is kept by reference; st is taken over.  force: a list whose
 * guard is lifted for this run (--force), or NULL.  NULL (logged) on
 * failure (gpg or curl cannot start).
 */
struct sources *sources_new(const struct rconf *cfg, struct rstate *st,
	    const char *force);
void	sources_free(struct sources *);

/*
 * Refreshes every source; report (may be NULL) gets one line per source.
 * Returns the worst SOURCES_* of this round.
 */
int	sources_refresh(struct sources *, FILE *report);

/*
 * The copy Sympa gets for list and reception.  1: *copy holds a
 * reference (secbuf_unref() it); 0: a configured source without a copy
 * yet (why says the last error); -1: not a configured list.
 */
int	sources_copy(struct sources *, const char *list,
	    enum sympafile_reception, struct secbuf **copy, char *why,
	    size_t whysz);

/* GET /-/status: a new JSON object (see listfeed-relay(8)), or NULL. */
json_t	*sources_status(struct sources *);

#endif
