/*
 * runview: the lists a finished run names in run.json (lib/manifest.h:
 * the lists it made live and those it held), each one's live entry read
 * through the entry cache (entcache.h), for the change report of a
 * trigger wait (report.h).  It reads those lists only: what it costs
 * grows with what the run changed, not with the lists in the feed.
 */
#ifndef LF_RUNVIEW_H
#define LF_RUNVIEW_H

#include "manifest.h"

/*
 * Into m (to be freed with manifest_free()): generation = run's, and the
 * live entries of the lists run names, sorted by name, a list without an
 * entry left out.  run->lists_known must be set.  0, or -1 (logged).
 */
int	runview_build(const char *feed, const struct lf_run *run,
	    struct lf_manifest *m);

#endif
