/*
 * readpipe: the rows read in a thread of their own, handed over list by
 * list, so that the database read and the publishing of the lists
 * already read run side by side.
 *
 * The reader passes every row to collect_row() (collect.h: validated,
 * rejects counted by reason) in a collector of its current list.  When a
 * row of another list arrives, or the rows end, the current list is
 * complete: it is finished (collect_finish(): sorted, de-duplicated) and
 * queued.  At most READPIPE_QUEUE lists wait in the queue; the reader
 * waits while it is full, so memory holds a few lists, never the whole
 * result.
 *
 * The query must return each list's rows together (ORDER BY list, in any
 * collation; the recommended view does so).  A list whose rows start
 * again after another list's stops the read with DB_ERR_ORDER: it is
 * never handed over as two halves.  Rows with an invalid list name are
 * counted wherever they fall.  Lists come in the order read.
 *
 * Any status but DB_OK means the lists handed over are not the data: the
 * caller must publish none of them.
 */
#ifndef LF_READPIPE_H
#define LF_READPIPE_H

#include <stddef.h>

#include "collect.h"
#include "conf.h"
#include "db.h"

#define READPIPE_QUEUE	4

struct readpipe;

/*
 * Starts the read of cfg's query (db.h; only_lists as for db_read()) on
 * db, or on a connection of its own if db is NULL.  0, or -1 (logged).
 */
int	readpipe_start(struct readpipe **, const struct lf_config *cfg,
	    const char *const *only_lists, size_t nonly, struct db *db);
/*
 * Waits for the next complete list: 1 and *out, a finished collector that
 * holds that one list (nlists == 1), the caller's to collect_free() and
 * free(); 0 when no list will come (the read ended or failed).
 */
int	readpipe_next(struct readpipe *, struct collect **out);
/*
 * Stops the read if it still runs, waits for the reader, adds its row and
 * reject counts to totals, frees everything and returns the read's
 * status.
 */
enum db_status readpipe_end(struct readpipe *, struct collect *totals);

#endif
