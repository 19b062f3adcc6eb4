/*
 * report: the machine-readable answers, built in memory (pure: no I/O).
 *
 *  report_status()      GET /-/status, JSON
 *  report_metrics()     GET /-/metrics, Prometheus text format 0.0.4
 *  report_regenerate()  POST /-/regenerate?wait=S, JSON
 *
 * Only the lists the client sees appear, and never a subscriber.
 * The request counters (per HTTP status) live here too.
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

/* run may be NULL (no run.json yet).  0, or -1 (out of memory). */
int	report_status(struct buf *, const struct lf_client *,
	    const struct lf_manifest *, const struct lf_run *run);
int	report_metrics(struct buf *, const struct lf_client *,
	    const struct lf_manifest *, const struct lf_run *run);

/*
 * The change report of a finished run: generation, result, exit, updates
 * (added + removed summed over the lists changed in that generation) and
 * those lists (only list, if not NULL or "").  Sets *failed when the run's
 * exit status is neither 0 nor 3.
 */
int	report_regenerate(struct buf *, const struct lf_client *,
	    const struct lf_manifest *, const struct lf_run *run,
	    const char *list, int *failed);

/* Counts one answered request. */
void	report_count(int status);

#endif
