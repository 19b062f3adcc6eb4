/* render: see render.h. */
#include <string.h>

#include "render.h"

struct row_ctx {
	const struct member	*m;
	const char		*name;
};

static int
lookup(void *ctx, const char *key, const char **val, size_t *len)
{
	const struct row_ctx	*r = ctx;

	if (r == NULL)		/* a header has no member */
		return -1;
	if (strcmp(key, "email") == 0)
		*val = r->m->email;
	else if (strcmp(key, "name") == 0)
		*val = r->name;
	else if (strcmp(key, "reception") == 0)
		*val = r->m->digest ? "digest" : "mail";
	else if (strcmp(key, "owner") == 0)
		*val = r->m->owner ? "1" : "0";
	else if (strcmp(key, "moderator") == 0)
		*val = r->m->moderator ? "1" : "0";
	else
		return -1;
	*len = strlen(*val);
	return 0;
}

int
render_list(struct buf *out, const struct lf_format *f, const struct members *l,
    enum names_mode names, enum sympafile_reception which)
{
	/* An addr-spec is not a display name: never quote it as one. */
	static const char *const	 raw_mailbox[] = { "email", NULL };
	const char *const		*raw = NULL;
	const char			*row;
	struct row_ctx			 r;
	size_t				 i;

	if (f->escape == ESC_MAILBOX)
		raw = raw_mailbox;
	if (f->header != NULL && (tmpl_expand(out, f->header,
	    strlen(f->header), lookup, NULL, f->escape) == -1 ||
	    buf_puts(out, f->newline) == -1))
		return -1;
	for (i = 0; i < l->n; i++) {
		r.m = &l->m[i];
		if ((which == SF_RECEPTION_MAIL && r.m->digest) ||
		    (which == SF_RECEPTION_DIGEST && !r.m->digest))
			continue;
		switch (names) {
		case NAMES_FIRST:
			r.name = r.m->first;
			break;
		case NAMES_NONE:
			r.name = "";
			break;
		case NAMES_FULL:
		default:
			r.name = r.m->name;
			break;
		}
		row = (r.name[0] == '\0' && f->row_noname != NULL) ?
		    f->row_noname : f->row;
		if (tmpl_expand_raw(out, row, strlen(row), lookup, &r,
		    f->escape, raw) == -1 || buf_puts(out, f->newline) == -1)
			return -1;
	}
	return buf_failed(out) ? -1 : 0;
}
