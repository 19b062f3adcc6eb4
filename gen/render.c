/* render: see render.h. */
#include <stdlib.h>
#include <string.h>

#include "kind.h"
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

const struct lf_format *
formats_find(const struct formats *f, const char *name)
{
	size_t	 i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].name, name) == 0)
			return &f->v[i];
	return NULL;
}

int
formats_load(const struct lf_config *cfg, struct formats *f)
{
	struct strlist	 all = { NULL, 0 };
	const struct strlist *l;
	size_t		 i, j;
	int		 rc = -1;

	memset(f, 0, sizeof(*f));
	/* sympa is needed for the cleartext files whatever is configured. */
	for (i = 0; i <= cfg->nlists; i++) {
		l = i < cfg->nlists ? &cfg->lists[i].formats : &cfg->formats;
		for (j = 0; j < l->n; j++)
			if (!strlist_has(&all, l->v[j])) {
				char **p = reallocarray(all.v, all.n + 1,
				    sizeof(*p));
				if (p == NULL)
					goto out;
				all.v = p;
				all.v[all.n++] = l->v[j];
			}
	}
	if ((f->v = calloc(all.n + 1, sizeof(*f->v))) == NULL)
		goto out;
	for (i = 0; i < all.n; i++) {
		if (format_load(cfg->templates, all.v[i], &f->v[f->n]) == -1)
			goto out;
		f->n++;
	}
	if (!strlist_has(&all, KIND_SYMPA_FORMAT)) {
		if (format_load(cfg->templates, KIND_SYMPA_FORMAT,
		    &f->v[f->n]) == -1)
			goto out;
		f->n++;
	}
	rc = 0;
out:
	free(all.v);	/* the strings belong to cfg */
	if (rc == -1)
		formats_free(f);
	return rc;
}

void
formats_free(struct formats *f)
{
	size_t	 i;

	for (i = 0; i < f->n; i++)
		format_free(&f->v[i]);
	free(f->v);
	memset(f, 0, sizeof(*f));
}
