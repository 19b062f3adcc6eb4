/* publish: see publish.h. */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "guard.h"
#include "hash.h"
#include "keysid.h"
#include "kind.h"
#include "log.h"
#include "publish.h"
#include "render.h"
#include "sympafile.h"
#include "valid.h"

#define MAX_FILES	48

/* A list's encrypted files go to the helper in one request. */
_Static_assert(MAX_FILES <= PGP_BATCH_MAX, "a list's files in one batch");

/* One file of a list (kind.h), rendered. */
struct pfile {
	struct buf		 body;		/* rendered, without header */
	struct buf		 out;		/* what is written */
	const char		*format;	/* KIND_FORMAT: its format */
	const char		*changed_at;
	long long		 changed;	/* generation of its body */
	unsigned long		 count;		/* members in it */
	enum lf_kind		 kind;
	int			 keep;		/* unchanged on disk */
	int			 written;	/* into the next generation */
	char			 rel[VALID_REL_PATH_MAX + 1];
	char			 sha[HASH_HEX_LEN + 1];	/* of body */
};

/* Renders the file of kind k (and format) of list l into f[*n]. */
static int
add_file(const struct pub_ctx *p, const char *name, const struct members *l,
    enum lf_kind k, const char *format, struct pfile *f, size_t *n)
{
	const struct kind_info	*ki = kind_info(k);
	const struct lf_format	*fmt;
	struct pfile		*x;

	if (*n >= MAX_FILES)
		return -1;
	x = &f[(*n)++];
	memset(x, 0, sizeof(*x));
	x->kind = k;
	x->format = format;
	x->count = ki->reception == SF_RECEPTION_MAIL ? l->mail :
	    ki->reception == SF_RECEPTION_DIGEST ? l->digest : l->n;
	if ((fmt = formats_find(p->formats, kind_format(k, format))) == NULL ||
	    kind_path(k, format, name, x->rel, sizeof(x->rel)) == -1 ||
	    render_list(&x->body, fmt, l, conf_list_names(p->cfg, name),
	    ki->reception) == -1 ||
	    hash_sha256_hex(buf_str(&x->body), x->body.len, x->sha) == -1)
		return -1;
	return 0;
}

/* The files the list has (kind.h), rendered, with their hashes. */
static int
render_files(const struct pub_ctx *p, const char *name, const struct members *l,
    struct pfile *f, size_t *n, char *why, size_t whysz)
{
	const struct strlist	*fl = conf_list_formats(p->cfg, name);
	int			 k, plain = conf_list_plain(p->cfg, name);
	size_t			 i;

	*n = 0;
	for (k = 0; k < KIND_N; k++)
		switch (kind_info((enum lf_kind)k)->when) {
		case KIND_EACH_FORMAT:
			for (i = 0; i < fl->n; i++)
				if (add_file(p, name, l, (enum lf_kind)k,
				    fl->v[i], f, n) == -1)
					goto bad;
			break;
		case KIND_IF_SYMPA:
			if (strlist_has(fl, KIND_SYMPA_FORMAT) &&
			    add_file(p, name, l, (enum lf_kind)k, NULL, f, n)
			    == -1)
				goto bad;
			break;
		case KIND_IF_PLAIN:
			if (plain && add_file(p, name, l, (enum lf_kind)k,
			    NULL, f, n) == -1)
				goto bad;
			break;
		}
	return 0;
bad:
	(void)snprintf(why, whysz, "cannot render its files");
	return -1;
}

/* 1 if rel is a file of old's version (feed.h). */
static int
file_exists(const struct pub_ctx *p, const struct lf_entry *old,
    const char *rel)
{
	char		 dir[PATH_MAX], path[PATH_MAX];
	struct stat	 st;

	return feed_olddir(p->feed, old, dir, sizeof(dir)) != -1 &&
	    xsnprintf(path, sizeof(path), "%s/%s", dir, rel) != -1 &&
	    stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Dates each file's body: the generation that last changed it, kept from
 * the old entry when its member lines are the same.  Marks the files
 * whose file on disk is still right; 1 if all are.
 */
static int
mark_kept(const struct pub_ctx *p, const struct lf_entry *old,
    const char *keys, struct pfile *f, size_t n)
{
	const struct lf_entry_file	*mf;
	size_t			 i, kept = 0;

	for (i = 0; i < n; i++) {
		f[i].changed = p->generation;
		f[i].changed_at = p->now;
		if (old == NULL || (mf = manifest_entry_file(old, f[i].kind,
		    f[i].format)) == NULL || mf->changed < 1 ||
		    strlen(mf->changed_at) != strlen(p->now) ||
		    strcmp(mf->sha256, f[i].sha) != 0)
			continue;
		f[i].changed = mf->changed;
		f[i].changed_at = mf->changed_at;
		if ((kind_info(f[i].kind)->encrypted &&
		    strcmp(old->keys, keys) != 0) ||
		    !file_exists(p, old, f[i].rel))
			continue;
		f[i].keep = 1;
		kept++;
	}
	return old != NULL && kept == n && old->nfiles == n;
}

/*
 * The counts the guard compares with: those of the old entry if it has
 * files, else those .state remembers, else the old entry's whole count
 * (with mail and digest unknown).  1, 0 if the
 * list was never published, -1 when .state is unreadable.
 */
static int
guard_before(const struct pub_ctx *p, const char *name,
    const struct lf_entry *old, struct delta_counts *before)
{
	memset(before, 0, sizeof(*before));
	if (old == NULL || old->nfiles == 0)
		switch (delta_last(p->delta, name, before)) {
		case 1:
			return 1;
		case -1:
			return -1;
		default:
			break;
		}
	if (old == NULL)
		return 0;
	before->count = old->count;
	before->mail = old->mail;
	before->digest = old->digest;
	/* A held entry without files (keep_held()) knows the whole count
	 * only: its mail and digest are unknown, not 0. */
	before->reception = old->nfiles > 0;
	return 1;
}

/*
 * The shrink guard (guard.h) on each file a client can fetch, by the
 * members in that file: the whole list (every format and the Sympa file),
 * and, where the list has per-reception files (clear or in the sympa
 * format), its mail and its digest members (two sources to Sympa, each
 * emptied by a 200 without members).  The counts before are those of
 * the last manifest entry with files, else what .state remembers: a lost
 * manifest must not make a list new.  When .state knows only the whole
 * count (no NAME.counts), a list with per-reception files is held: its
 * mail and digest sources cannot be guarded.  1 if the list is held (why
 * says why, *before has the counts it had), else 0.
 */
static int
guard_holds(const struct pub_ctx *p, const char *name, const struct members *l,
    const struct lf_entry *old, struct delta_counts *before, char *why,
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

	switch (guard_before(p, name, old, before)) {
	case 0:
		return 0;	/* never published */
	case -1:
		(void)snprintf(why, whysz, "what it last published is "
		    "unreadable (see above)");
		return 1;
	default:
		break;
	}
	f[0].what = "";
	f[0].before = before->count;
	f[0].after = l->n;
	if (conf_list_plain(p->cfg, name) ||
	    strlist_has(conf_list_formats(p->cfg, name), KIND_SYMPA_FORMAT)) {
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
		    GUARD_PASS) {
			if (i == 0 && nf > 1 && !before->reception) {
				(void)snprintf(why, whysz, "its mail and "
				    "digest members before are unknown "
				    "(no .state/%s.counts)", name);
				return 1;
			}
			continue;
		}
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
    const struct lf_entry *old, const struct delta_counts *before,
    struct pub_result *res)
{
	struct lf_entry	*e = &res->entry;

	if (old != NULL) {
		if (manifest_entry_copy(e, old) == -1)
			return;
	} else {
		memset(e, 0, sizeof(*e));
		e->count = before->count;
		e->mail = before->mail;
		e->digest = before->digest;
		if ((e->name = strdup(name)) == NULL ||
		    (e->changed_at = strdup(p->now)) == NULL ||
		    (e->keys = strdup("")) == NULL) {
			manifest_entry_free(e);
			return;
		}
	}
	free(e->held);
	if ((e->held = strdup(res->why)) == NULL) {
		manifest_entry_free(e);
		return;
	}
	res->has_entry = 1;
}

/* The file's cleartext: the signed header (kind.h) and the body. */
static int
compose(const char *name, const struct pfile *f, struct buf *clear)
{
	struct sympafile_hdr	 h;

	if (kind_has_header(f->kind, f->format)) {
		memset(&h, 0, sizeof(h));
		if (xsnprintf(h.list, sizeof(h.list), "%s", name) == -1 ||
		    xsnprintf(h.time, sizeof(h.time), "%s", f->changed_at)
		    == -1)
			return -1;
		h.reception = kind_info(f->kind)->reception;
		h.generation = f->changed;
		h.count = f->count;
		if (sympafile_header(clear, &h) == -1)
			return -1;
	}
	return buf_add(clear, buf_str(&f->body), f->body.len);
}

/* The crypt context, made on first use.  0, or -1 with why. */
static int
crypt_ready(const struct pub_ctx *p, char *why, size_t whysz)
{
	if (p->crypt->c == NULL && !p->crypt->failed &&
	    (p->crypt->c = crypt_open(p->cfg->gpg_home,
	    p->cfg->sign_key)) == NULL)
		p->crypt->failed = 1;
	if (p->crypt->c != NULL)
		return 0;
	(void)snprintf(why, whysz, "signing key %s unusable (see above)",
	    p->cfg->sign_key);
	return -1;
}

/*
 * Encrypts the n inputs into out, all or none, the first failing in
 * order naming why: together, side by side (crypt_encrypt_sign_many()),
 * or, for p->one_by_one, one request each.
 */
static int
encrypt_files(const struct pub_ctx *p, const struct strlist *r,
    const struct pgp_bytes *in, size_t n, struct buf *out, char *why,
    size_t whysz)
{
	size_t	 i;

	if (!p->one_by_one)
		return crypt_encrypt_sign_many(p->crypt->c,
		    (const char *const *)r->v, r->n, in, n, out, why, whysz);
	for (i = 0; i < n; i++)
		if (crypt_encrypt_sign(p->crypt->c, (const char *const *)r->v,
		    r->n, in[i].data, in[i].len, &out[i], why, whysz) == -1)
			return -1;
	return 0;
}

/*
 * Composes each file that must change, then encrypts the encrypted ones
 * (encrypt_files()), all or none.
 */
static int
encrypt_all(const struct pub_ctx *p, const char *name, struct pfile *f,
    size_t n, char *why, size_t whysz)
{
	const struct strlist	*r = conf_list_recipients(p->cfg, name);
	struct buf		 clear[MAX_FILES], out[MAX_FILES];
	struct pgp_bytes	 in[MAX_FILES];
	size_t			 i, ne = 0, idx[MAX_FILES];
	int			 enc, rc = -1;

	if (r->n == 0) {
		(void)snprintf(why, whysz, "no recipients configured "
		    "([gpg] recipients or [list %s] recipients)", name);
		return -1;
	}
	memset(clear, 0, sizeof(clear));
	memset(out, 0, sizeof(out));
	for (i = 0; i < n; i++) {
		if (f[i].keep)
			continue;
		enc = kind_info(f[i].kind)->encrypted;
		if (compose(name, &f[i], enc ? &clear[ne] : &f[i].out) == -1) {
			(void)snprintf(why, whysz, "cannot render %s",
			    f[i].rel);
			goto out;
		}
		if (!enc)
			continue;
		in[ne].data = clear[ne].data;
		in[ne].len = clear[ne].len;
		idx[ne++] = i;
	}
	if (ne > 0 && (crypt_ready(p, why, whysz) == -1 ||
	    encrypt_files(p, r, in, ne, out, why, whysz) == -1))
		goto out;
	for (i = 0; i < ne; i++) {
		f[idx[i]].out = out[i];
		memset(&out[i], 0, sizeof(out[i]));
	}
	rc = 0;
out:
	for (i = 0; i < MAX_FILES; i++) {
		buf_free(&clear[i]);
		buf_free(&out[i]);
	}
	return rc;
}

/* Removes the files written into the list's new version: the list keeps
 * its old entry and version (the run removes the new one, feed.h). */
static void
unwrite_all(const char *vdir, struct pfile *f, size_t n)
{
	char	 path[PATH_MAX];
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (!f[i].written)
			continue;
		if (xsnprintf(path, sizeof(path), "%s/%s", vdir, f[i].rel)
		    == -1 || (unlink(path) == -1 && errno != ENOENT))
			log_warn("cannot remove %s", path);
		f[i].written = 0;
	}
}

/* All or nothing: the files that must change, or none of them. */
static int
write_all(const struct pub_ctx *p, const char *name, struct pfile *f,
    size_t n, unsigned *written)
{
	char	 vdir[PATH_MAX], dir[PATH_MAX], *slash;
	size_t	 i;

	if (feed_mkversion(p->feed, name, vdir, sizeof(vdir)) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (f[i].keep)
			continue;
		if (xsnprintf(dir, sizeof(dir), "%s/%s", vdir, f[i].rel)
		    == -1 || (slash = strrchr(dir, '/')) == NULL)
			goto undo;
		*slash = '\0';
		if (write_new(dir, slash + 1, buf_str(&f[i].out),
		    f[i].out.len, kind_mode(f[i].kind), p->feed->bulk ?
		    FS_NOSYNC : 0) == -1)
			goto undo;
		f[i].written = 1;
	}
	for (i = 0; i < n; i++)
		*written += (unsigned)f[i].written;
	return 0;
undo:
	unwrite_all(vdir, f, n);
	return -1;
}

static int
fill_entry(const struct pub_ctx *p, const char *name, const struct members *l,
    const char *keys, const struct pfile *f, size_t n, struct lf_entry *e)
{
	size_t	 i;

	memset(e, 0, sizeof(*e));
	e->count = l->n;
	e->mail = l->mail;
	e->digest = l->digest;
	e->changed = p->generation;
	if ((e->name = strdup(name)) == NULL ||
	    (e->changed_at = strdup(p->now)) == NULL ||
	    (e->keys = strdup(keys)) == NULL ||
	    (e->files = calloc(n + 1, sizeof(*e->files))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		e->files[i].kind = f[i].kind;
		e->files[i].changed = f[i].changed;
		e->files[i].written = !f[i].keep;
		e->nfiles++;
		if (manifest_file_set(&e->files[i], f[i].kind == KIND_FORMAT ?
		    f[i].format : NULL, f[i].rel, f[i].sha,
		    f[i].changed_at) == -1)
			return -1;
	}
	return 0;
}

/* The last entry, no longer held: this run did not hold it. */
static void
keep_old(struct pub_result *res, const struct lf_entry *old)
{
	if (old != NULL && manifest_entry_copy(&res->entry, old) == 0) {
		free(res->entry.held);
		res->entry.held = NULL;
		res->has_entry = 1;
	}
}

/* Renders, encrypts and writes the list's files; res as publish_list(). */
static void
publish_files(const struct pub_ctx *p, const char *name,
    const struct members *l, const struct lf_entry *old, const char *keys,
    struct pub_result *res)
{
	struct pfile	 f[MAX_FILES];
	size_t		 nf = 0, i;

	res->status = PUB_ERR_IO;
	if (render_files(p, name, l, f, &nf, res->why, sizeof(res->why))
	    == -1)
		goto fail;
	if (mark_kept(p, old, keys, f, nf)) {
		res->status = PUB_UNCHANGED;
		keep_old(res, old);
		goto out;
	}
	if (fill_entry(p, name, l, keys, f, nf, &res->entry) == -1) {
		(void)snprintf(res->why, sizeof(res->why), "out of memory");
		goto fail;
	}
	res->has_entry = 1;
	if (delta_diff(p->delta, l, &res->entry.added, &res->entry.removed,
	    &res->update) == -1) {
		(void)snprintf(res->why, sizeof(res->why), "cannot count "
		    "changes");
		goto fail;
	}
	if (!p->dry_run &&
	    encrypt_all(p, name, f, nf, res->why, sizeof(res->why)) == -1) {
		res->status = PUB_ERR_CRYPTO;
		goto fail;
	}
	if (!p->dry_run && write_all(p, name, f, nf, &res->written) == -1) {
		(void)snprintf(res->why, sizeof(res->why), "cannot write its "
		    "files (see above)");
		goto fail;
	}
	res->status = PUB_CHANGED;
	goto out;
fail:
	manifest_entry_free(&res->entry);
	res->has_entry = 0;
	delta_update_free(&res->update);
	keep_old(res, old);
out:
	for (i = 0; i < nf; i++) {
		buf_free(&f[i].body);
		buf_free(&f[i].out);
	}
}

void
publish_list(const struct pub_ctx *p, const char *name,
    const struct members *l, const struct lf_entry *old, int force,
    struct pub_result *res)
{
	static const struct members	 empty;
	const struct strlist		*r;
	struct members			 none;
	struct delta_counts		 before;
	char				 keys[HASH_HEX_LEN + 1];

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
	publish_files(p, name, l, old, keys, res);
}
