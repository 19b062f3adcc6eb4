/* publish: see publish.h. */
#include <sys/stat.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "guard.h"
#include "hash.h"
#include "keysid.h"
#include "log.h"
#include "publish.h"
#include "render.h"
#include "valid.h"

#define MAX_KINDS	32

/* One file of a list, rendered. */
struct kind {
	char			 kind[VALID_FORMAT_MAX + 16];
	char			 dir[16];	/* "lists", "plain", ... */
	char			 file[128];	/* name inside dir */
	int			 encrypt;
	struct buf		 clear;
	struct buf		 out;		/* what is written */
	char			 sha[HASH_HEX_LEN + 1];
	int			 keep;		/* unchanged on disk */
};

static const struct lf_format *
find_format(const struct formats *f, const char *name)
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
	if (find_format(f, "sympa") == NULL) {
		if (format_load(cfg->templates, "sympa", &f->v[f->n]) == -1)
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

static int
add_kind(struct kind *k, size_t *n, const char *kind, const char *dir,
    const char *file, int encrypt)
{
	struct kind	*p;

	if (*n >= MAX_KINDS)
		return -1;
	p = &k[*n];
	memset(p, 0, sizeof(*p));
	if (xsnprintf(p->kind, sizeof(p->kind), "%s", kind) == -1 ||
	    xsnprintf(p->dir, sizeof(p->dir), "%s", dir) == -1 ||
	    xsnprintf(p->file, sizeof(p->file), "%s", file) == -1)
		return -1;
	p->encrypt = encrypt;
	(*n)++;
	return 0;
}

/* The kinds of file a list has, rendered, with their hashes. */
static int
render_kinds(const struct pub_ctx *p, const char *name, const struct mlist *l,
    struct kind *k, size_t *nk, char *why, size_t whysz)
{
	static const struct {
		const char		*kind, *dir;
		enum render_which	 which;
	} plain[] = {
		{ "plain", "plain", RENDER_ALL },
		{ "plain-mail", "plain/mail", RENDER_MAIL },
		{ "plain-digest", "plain/digest", RENDER_DIGEST },
	};
	const struct strlist	*fl = conf_list_formats(p->cfg, name);
	const struct lf_format	*f;
	enum names_mode		 names = conf_list_names(p->cfg, name);
	char			 file[128];
	size_t			 i;

	*nk = 0;
	for (i = 0; i < fl->n; i++) {
		if ((f = find_format(p->formats, fl->v[i])) == NULL ||
		    xsnprintf(file, sizeof(file), "%s.%s.asc", name,
		    fl->v[i]) == -1 ||
		    add_kind(k, nk, fl->v[i], "lists", file, 1) == -1 ||
		    render_list(&k[*nk - 1].clear, f, l, names, RENDER_ALL)
		    == -1)
			goto bad;
	}
	if (conf_list_plain(p->cfg, name)) {
		f = find_format(p->formats, "sympa");
		for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
			if (f == NULL || xsnprintf(file, sizeof(file),
			    "%s.sympa", name) == -1 ||
			    add_kind(k, nk, plain[i].kind, plain[i].dir, file,
			    0) == -1 ||
			    render_list(&k[*nk - 1].clear, f, l, names,
			    plain[i].which) == -1)
				goto bad;
	}
	for (i = 0; i < *nk; i++)
		if (hash_sha256_hex(buf_str(&k[i].clear), k[i].clear.len,
		    k[i].sha) == -1)
			goto bad;
	return 0;
bad:
	(void)snprintf(why, whysz, "cannot render its files");
	return -1;
}

static int
file_exists(const char *gen, const char *rel)
{
	char		 path[PATH_MAX];
	struct stat	 st;

	return gen != NULL &&
	    xsnprintf(path, sizeof(path), "%s/%s", gen, rel) != -1 &&
	    stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Marks the kinds whose file on disk is still right; 1 if all are. */
static int
mark_kept(const struct pub_ctx *p, const struct lf_mlist *old,
    const char *keys, struct kind *k, size_t nk)
{
	const struct lf_mfile	*mf;
	char			 rel[PATH_MAX];
	size_t			 i, kept = 0;

	for (i = 0; old != NULL && i < nk; i++) {
		if ((mf = mlist_file(old, k[i].kind)) == NULL ||
		    strcmp(mf->sha256, k[i].sha) != 0 ||
		    (k[i].encrypt && strcmp(old->keys, keys) != 0) ||
		    xsnprintf(rel, sizeof(rel), "%s/%s", k[i].dir, k[i].file)
		    == -1 || strcmp(mf->path, rel) != 0 ||
		    !file_exists(p->live, rel))
			continue;
		k[i].keep = 1;
		kept++;
	}
	return old != NULL && kept == nk && old->nfiles == nk;
}

/*
 * The shrink guard (guard.h) on each file a client can fetch, by the
 * members in that file: the whole list (every format and the Sympa file),
 * and, where Sympa fetches the list, its mail and its digest members
 * (two sources to Sympa, each emptied by a 200 without members).  The
 * counts before are those of the last manifest entry, else what .state
 * remembers: a lost manifest must not make a list new.  1 if the list is
 * held (why says why, *before has the counts it had), else 0.
 */
static int
guard_holds(const struct pub_ctx *p, const char *name, const struct mlist *l,
    const struct lf_mlist *old, struct delta_counts *before, char *why,
    size_t whysz)
{
	struct {
		const char	*what;
		unsigned long	 before, after;
	} f[3];
	unsigned	 max = conf_list_max_shrink(p->cfg, name);
	unsigned	 min = conf_list_min_shrink(p->cfg, name);
	size_t		 nf = 1, i, n;
	enum guard_verdict v;

	memset(before, 0, sizeof(*before));
	if (old != NULL) {
		before->count = old->count;
		before->mail = old->mail;
		before->digest = old->digest;
		before->reception = 1;
	} else {
		switch (delta_last(p->delta, name, before)) {
		case 0:
			return 0;	/* never published */
		case -1:
			(void)snprintf(why, whysz, "what it last published is "
			    "unreadable (see above)");
			return 1;
		default:
			break;
		}
	}
	f[0].what = "";
	f[0].before = before->count;
	f[0].after = l->n;
	if (before->reception && conf_list_plain(p->cfg, name)) {
		f[1].what = "its mail members ";
		f[1].before = before->mail;
		f[1].after = l->mail;
		f[2].what = "its digest members ";
		f[2].before = before->digest;
		f[2].after = l->digest;
		nf = 3;
	}
	for (i = 0; i < nf; i++) {
		if ((v = guard_check(f[i].before, f[i].after, max, min)) ==
		    GUARD_PASS)
			continue;
		n = strlen(f[i].what);
		(void)snprintf(why, whysz, "%s", f[i].what);
		if (n < whysz)
			(void)guard_describe(v, f[i].before, f[i].after, max,
			    min, why + n, whysz - n);
		return 1;
	}
	return 0;
}

/*
 * The entry of a held list: its last one, or, when the manifest lost it,
 * one without files with the counts .state remembers.
 */
static void
keep_held(const struct pub_ctx *p, const char *name,
    const struct lf_mlist *old, const struct delta_counts *before,
    struct pub_result *res)
{
	struct lf_mlist	*e = &res->entry;

	if (old != NULL) {
		if (mlist_copy(e, old) == -1)
			return;
	} else {
		memset(e, 0, sizeof(*e));
		e->count = before->count;
		e->mail = before->mail;
		e->digest = before->digest;
		if ((e->name = strdup(name)) == NULL ||
		    (e->changed_at = strdup(p->now)) == NULL ||
		    (e->keys = strdup("")) == NULL) {
			mlist_free(e);
			return;
		}
	}
	free(e->held);
	if ((e->held = strdup(res->why)) == NULL) {
		mlist_free(e);
		return;
	}
	res->has_entry = 1;
}

static int
encrypt_all(const struct pub_ctx *p, const char *name, struct kind *k,
    size_t nk, char *why, size_t whysz)
{
	const struct strlist	*r = conf_list_recipients(p->cfg, name);
	char			 e[400];
	size_t			 i;

	if (r->n == 0) {
		(void)snprintf(why, whysz, "no recipients configured "
		    "([gpg] recipients or [list %s] recipients)", name);
		return -1;
	}
	for (i = 0; i < nk; i++) {
		if (k[i].keep)
			continue;
		if (!k[i].encrypt) {
			if (buf_add(&k[i].out, buf_str(&k[i].clear),
			    k[i].clear.len) == -1)
				return -1;
			continue;
		}
		if (p->crypt->c == NULL && !p->crypt->failed &&
		    (p->crypt->c = crypt_open(p->cfg->gpg_home,
		    p->cfg->sign_key)) == NULL)
			p->crypt->failed = 1;
		if (p->crypt->c == NULL) {
			(void)snprintf(why, whysz, "signing key %s unusable "
			    "(see above)", p->cfg->sign_key);
			return -1;
		}
		if (crypt_encrypt_sign(p->crypt->c, (const char *const *)r->v,
		    r->n, buf_str(&k[i].clear), k[i].clear.len, &k[i].out, e,
		    sizeof(e)) == -1) {
			(void)snprintf(why, whysz, "%s", e);
			return -1;
		}
	}
	return 0;
}

static int
write_all(const struct pub_ctx *p, struct kind *k, size_t nk,
    unsigned *written)
{
	char	 dir[PATH_MAX];
	size_t	 i;

	for (i = 0; i < nk; i++) {
		if (k[i].keep)
			continue;
		if (xsnprintf(dir, sizeof(dir), "%s/%s", p->next, k[i].dir)
		    == -1 || atomic_write(dir, k[i].file, buf_str(&k[i].out),
		    k[i].out.len, k[i].encrypt ? 0644 : 0640) == -1)
			return -1;
		(*written)++;
	}
	return 0;
}

static int
fill_entry(const struct pub_ctx *p, const char *name, const struct mlist *l,
    const char *keys, const struct kind *k, size_t nk, struct lf_mlist *e)
{
	char	 rel[PATH_MAX];
	size_t	 i;

	memset(e, 0, sizeof(*e));
	e->count = l->n;
	e->mail = l->mail;
	e->digest = l->digest;
	e->changed = p->generation;
	if ((e->name = strdup(name)) == NULL ||
	    (e->changed_at = strdup(p->now)) == NULL ||
	    (e->keys = strdup(keys)) == NULL ||
	    (e->files = calloc(nk + 1, sizeof(*e->files))) == NULL)
		return -1;
	for (i = 0; i < nk; i++) {
		if (xsnprintf(rel, sizeof(rel), "%s/%s", k[i].dir, k[i].file)
		    == -1)
			return -1;
		e->files[i].kind = strdup(k[i].kind);
		e->files[i].path = strdup(rel);
		e->files[i].sha256 = strdup(k[i].sha);
		e->nfiles++;
		if (e->files[i].kind == NULL || e->files[i].path == NULL ||
		    e->files[i].sha256 == NULL)
			return -1;
	}
	return 0;
}

/* The last entry, no longer held: this run did not hold it. */
static void
keep_old(struct pub_result *res, const struct lf_mlist *old)
{
	if (old != NULL && mlist_copy(&res->entry, old) == 0) {
		free(res->entry.held);
		res->entry.held = NULL;
		res->has_entry = 1;
	}
}

void
publish_list(const struct pub_ctx *p, const char *name, const struct mlist *l,
    const struct lf_mlist *old, int force, struct pub_result *res)
{
	static const struct mlist	 empty;
	const struct strlist		*r;
	struct kind			 k[MAX_KINDS];
	struct mlist			 none;
	struct delta_counts		 before;
	struct buf			 next = BUF_INIT;
	char				 keys[HASH_HEX_LEN + 1];
	size_t				 nk = 0, i;

	memset(res, 0, sizeof(*res));
	if (l == NULL) {
		if (old == NULL || (old->count == 0 && !force)) {
			res->status = PUB_ABSENT;
			keep_old(res, old);
			return;
		}
		none = empty;
		(void)snprintf(none.name, sizeof(none.name), "%s", name);
		l = &none;
	}
	if (!force && guard_holds(p, name, l, old, &before, res->why,
	    sizeof(res->why))) {
		res->status = PUB_HELD;
		keep_held(p, name, old, &before, res);
		return;
	}
	r = conf_list_recipients(p->cfg, name);
	if (keys_id(p->cfg->sign_key, (const char *const *)r->v, r->n,
	    keys) == -1) {
		(void)snprintf(res->why, sizeof(res->why), "bad key "
		    "fingerprints");
		res->status = PUB_ERR_CRYPTO;
		keep_old(res, old);
		return;
	}
	res->status = PUB_ERR_IO;
	if (render_kinds(p, name, l, k, &nk, res->why, sizeof(res->why))
	    == -1)
		goto fail;
	if (mark_kept(p, old, keys, k, nk)) {
		res->status = PUB_UNCHANGED;
		keep_old(res, old);
		goto out;
	}
	if (fill_entry(p, name, l, keys, k, nk, &res->entry) == -1) {
		mlist_free(&res->entry);
		(void)snprintf(res->why, sizeof(res->why), "out of memory");
		goto out;
	}
	res->has_entry = 1;
	if (delta_diff(p->delta, l, &res->entry.added, &res->entry.removed,
	    &next) == -1) {
		(void)snprintf(res->why, sizeof(res->why), "cannot count "
		    "changes");
		goto fail;
	}
	if (p->dry_run) {
		res->status = PUB_CHANGED;
		goto out;
	}
	if (encrypt_all(p, name, k, nk, res->why, sizeof(res->why)) == -1) {
		res->status = PUB_ERR_CRYPTO;
		goto fail;
	}
	if (write_all(p, k, nk, &res->written) == -1) {
		(void)snprintf(res->why, sizeof(res->why), "cannot write its "
		    "files (see above)");
		goto fail;
	}
	/* The state follows the files: a lost update only miscounts. */
	if (delta_save(p->delta, l, &next) == -1)
		log_warnx("list %s: cannot save its state; the next change "
		    "report may be off", name);
	res->status = PUB_CHANGED;
	goto out;
fail:
	mlist_free(&res->entry);
	res->has_entry = 0;
	keep_old(res, old);
out:
	for (i = 0; i < nk; i++) {
		buf_free(&k[i].clear);
		buf_free(&k[i].out);
	}
	buf_free(&next);
}
