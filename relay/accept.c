/* accept: see accept.h. */
#include <stdio.h>
#include <string.h>

#include "accept.h"
#include "guard.h"

static enum accept_verdict
refuse(char *why, size_t whysz, const char *what, const char *detail)
{
	(void)snprintf(why, whysz, "%s%s", what, detail);
	return ACCEPT_REFUSED;
}

enum accept_verdict
accept_check(const char *list, enum sympafile_reception rec,
    const struct rstate_entry *last, const struct accept_rules *r,
    const char *data, size_t len, struct sympafile_hdr *h, char *why,
    size_t whysz)
{
	enum guard_verdict	 g;
	char			 msg[200];

	if (sympafile_parse(data, len, h, NULL, NULL, msg, sizeof(msg)) == -1)
		return refuse(why, whysz, "content: ", msg);
	if (strcmp(h->list, list) != 0 || h->reception != rec) {
		(void)snprintf(msg, sizeof(msg), "the file is list %s, "
		    "reception %s", h->list,
		    sympafile_reception_name(h->reception));
		return refuse(why, whysz, msg, "");
	}
	if (last != NULL && h->generation < last->generation) {
		(void)snprintf(msg, sizeof(msg), "generation %lld is older "
		    "than %lld, accepted before (replay)", h->generation,
		    last->generation);
		return refuse(why, whysz, msg, "");
	}
	if (last != NULL && h->generation == last->generation &&
	    (h->count != last->count || strcmp(h->time, last->time) != 0)) {
		(void)snprintf(msg, sizeof(msg), "generation %lld again, but "
		    "with count %lu time %s (accepted: %lu %s)",
		    h->generation, h->count, h->time, last->count, last->time);
		return refuse(why, whysz, msg, "");
	}
	if (r->force != NULL && strcmp(r->force, list) == 0)
		return ACCEPT_OK;
	/*
	 * No earlier copy to guard against: an empty whole list may be an
	 * old signed file replayed, and Sympa would drop every member.
	 */
	if (last == NULL && h->count == 0 && rec == SF_RECEPTION_ALL) {
		(void)snprintf(why, whysz, "empty, with no earlier copy to "
		    "compare with (--once --force %s serves it)", list);
		return ACCEPT_HELD;
	}
	if (last == NULL)
		return ACCEPT_OK;
	g = guard_check(last->count, h->count, r->max_shrink, r->min_shrink);
	if (g != GUARD_PASS) {
		(void)guard_describe(g, last->count, h->count, r->max_shrink,
		    r->min_shrink, why, whysz);
		return ACCEPT_HELD;
	}
	return ACCEPT_OK;
}
