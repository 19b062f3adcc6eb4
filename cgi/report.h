/*
 * report: the machine-readable answers, built in memory (pure: no I/O).
 *
 *  report_status()      GET /-/status, JSON
 *  report_metrics()     GET /-/metrics, Prometheus text format 0.0.4
 *  report_regenerate()  POST /-/regenerate?wait=S, JSON
 *
 * Only the lists the client sees appear (in the change report, every
 * list to a client with trigger = yes: the CRM is where the data comes
 * from), with names and counts, never a subscriber.  The request
 * counters (per HTTP status) live here too.
 *
 * The lists the shrink guard held are in the status and in the change
 * report as "held": { NAME: { "reason": "...", "release": "listfeed-gen
 * --force NAME" } }, and in the metrics as listfeed_list_held{list} 1.
 *
 * The last successful fetch of a list file per client (report_fetch()),
 * kept in memory since this process started (report_start()), is in the
 * status as "fetches": { CLIENT: { "last_ms", "last_at", "generation" }
 * or null }, in the metrics as listfeed_client_last_fetch_timestamp_seconds
 * and listfeed_client_last_fetch_generation{client} (0: none since
 * start), and on the index page.  A client is told about itself, and
 * about each client whose every list it sees (report_sees_client()).
 *
 * The signing key's expiry (run.json) is in the status as "signing_key":
 * { "expires": SECONDS (0: never), "expires_at" } or null when not known,
 * and in the metrics as listfeed_signing_key_expiry_timestamp_seconds
 * (0: never, -1: not known).
 */
#ifndef LF_REPORT_H
#define LF_REPORT_H

#include "buf.h"
#include "conf.h"
#include "manifest.h"

/* What the responder knows about itself, for status and metrics. */
struct report_self {
	const struct lf_config *cfg;		/* its clients */
	long long	 conf_loaded_ms;	/* the running configuration */
	long long	 conf_failed_ms;	/* reloading fails since; 0: not */
	unsigned	 waiting;		/* trigger waits in progress */
	unsigned	 waiting_max;		/* and their bound */
};

/* run may be NULL (no run.json yet).  0, or -1 (out of memory). */
int	report_status(struct buf *, const struct lf_client *,
	    const struct lf_manifest *, const struct lf_run *run,
	    const struct report_self *);
int	report_metrics(struct buf *, const struct lf_client *,
	    const struct lf_manifest *, const struct lf_run *run,
	    const struct report_self *);

/*
 * The change report of a finished run: generation, result, exit, updates
 * (added + removed summed over the lists changed in that generation) and
 * those lists (only list, if not NULL or ""), every one of them for a
 * client with trigger = yes.  m is every list's view (state.h) or only
 * the lists the run names (runview.h): both hold every list changed or
 * held in it.  Sets *failed when the run's exit status is neither 0
 * nor 3.
 */
int	report_regenerate(struct buf *, const struct lf_client *,
	    const struct lf_manifest *, const struct lf_run *run,
	    const char *list, int *failed);

/* Counts one answered request. */
void	report_count(int status);

/* Notes when this process started; call once, before any request.
 * report_free() forgets the fetches, once no request runs. */
void	report_start(void);
void	report_free(void);

/* The last list file a client fetched: when, and from which generation. */
struct report_fetch {
	long long	 ms;		/* 0: none since start */
	long long	 generation;
};

/* Notes that client fetched a list file of generation gen now. */
void	report_fetch(const char *client, long long gen);
/* The last fetch by client since start (zeroes: none). */
void	report_fetch_get(const char *client, struct report_fetch *);
/* 1 if what is known of client o's fetches may be shown to c: o is c,
 * or c sees every list o may fetch (c has lists = *, or o has lists
 * and c sees each of them). */
int	report_sees_client(const struct lf_client *c,
	    const struct lf_client *o);

#endif
