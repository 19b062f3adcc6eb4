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
 */
#ifndef LF_REPORT_H
#define LF_REPORT_H

#include "buf.h"
#include "conf.h"
#include "manifest.h"

/* What the responder knows about itself, for status and metrics. */
struct report_self {
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
 * client with trigger = yes.  Sets *failed when the run's
 * exit status is neither 0 nor 3.
 */
int	report_regenerate(struct buf *, const struct lf_client *,
	    const struct lf_manifest *, const struct lf_run *run,
	    const char *list, int *failed);

/* Counts one answered request. */
void	report_count(int status);

#endif
