/* runview: see runview.h. */
#include <stdlib.h>
#include <string.h>

#include "entcache.h"
#include "log.h"
#include "runview.h"

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Adds name's live entry to m, if it has one.  0 or -1. */
static int
add_entry(const char *feed, const char *name, struct lf_manifest *m)
{
	struct centry	*ce;
	int		 rc;

	if ((rc = entcache_get(feed, name, &ce)) != 1)
		return rc;
	rc = manifest_entry_copy(&m->lists[m->nlists], &ce->e);
	entcache_put(ce);
	if (rc == -1) {
		log_warnx("list %s: out of memory", name);
		return -1;
	}
	m->nlists++;
	return 0;
}

int
runview_build(const char *feed, const struct lf_run *run,
    struct lf_manifest *m)
{
	size_t	 i, n = run->nlive + run->nheld;

	memset(m, 0, sizeof(*m));
	m->generation = run->generation;
	if ((m->lists = calloc(n + 1, sizeof(*m->lists))) == NULL) {
		log_warn("calloc");
		return -1;
	}
	for (i = 0; i < n; i++) {
		/* A list both live and held is read once. */
		if (i >= run->nlive && bsearch(run->lists[i], run->lists,
		    run->nlive, sizeof(run->lists[0]), cmp_name) != NULL)
			continue;
		if (add_entry(feed, run->lists[i], m) == -1) {
			manifest_free(m);
			return -1;
		}
	}
	manifest_sort(m);
	return 0;
}
