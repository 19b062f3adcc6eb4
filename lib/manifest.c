/* manifest: see manifest.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "fsutil.h"
#include "log.h"
#include "manifest.h"
#include "valid.h"

#define MANIFEST_MAX	(64UL * 1024 * 1024)

static char *
jstrdup(json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return strdup(s != NULL ? s : "");
}

static unsigned long
jul(json_t *o, const char *key)
{
	json_int_t	 n = json_integer_value(json_object_get(o, key));

	return n > 0 ? (unsigned long)n : 0;
}

static long long
jll(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

void
manifest_entry_free(struct lf_entry *l)
{
	size_t	 i;

	free(l->name);
	free(l->changed_at);
	free(l->keys);
	free(l->held);
	for (i = 0; i < l->nfiles; i++) {
		free(l->files[i].format);
		free(l->files[i].path);
		free(l->files[i].sha256);
		free(l->files[i].changed_at);
	}
	free(l->files);
	memset(l, 0, sizeof(*l));
}

void
manifest_free(struct lf_manifest *m)
{
	size_t	 i;

	free(m->result);
	strlist_free(&m->held);
	for (i = 0; i < m->nrejects; i++)
		free(m->rejects[i].reason);
	free(m->rejects);
	for (i = 0; i < m->nlists; i++)
		manifest_entry_free(&m->lists[i]);
	free(m->lists);
	memset(m, 0, sizeof(*m));
}

int
manifest_file_set(struct lf_entry_file *f, const char *format, const char *path,
    const char *sha256, const char *changed_at)
{
	f->format = format != NULL ? strdup(format) : NULL;
	f->path = strdup(path);
	f->sha256 = strdup(sha256);
	f->changed_at = strdup(changed_at != NULL ? changed_at : "");
	return (format != NULL && f->format == NULL) || f->path == NULL ||
	    f->sha256 == NULL || f->changed_at == NULL ? -1 : 0;
}

/*
 * One file of list: a key kind.h knows, at the path kind.h gives it
 * (which also keeps every path inside the feed).
 */
static int
parse_file(const char *list, const char *key, json_t *o,
    struct lf_entry_file *f)
{
	const char	*path = json_string_value(json_object_get(o, "path"));
	char		 want[VALID_REL_PATH_MAX + 1];
	char		*at;
	int		 rc;

	if (!json_is_object(o) || path == NULL ||
	    kind_parse(key, &f->kind) == -1 ||
	    kind_path(f->kind, key, list, want, sizeof(want)) == -1 ||
	    strcmp(path, want) != 0 || !valid_rel_path(path))
		return -1;
	f->changed = jll(o, "changed");
	if ((at = jstrdup(o, "changed_at")) == NULL)
		return -1;
	rc = manifest_file_set(f, f->kind == KIND_FORMAT ? key : NULL, path,
	    json_string_value(json_object_get(o, "sha256")) != NULL ?
	    json_string_value(json_object_get(o, "sha256")) : "", at);
	free(at);
	return rc;
}

static int
parse_list(const char *name, json_t *o, struct lf_entry *l)
{
	json_t		*files, *f, *rec;
	const char	*key;
	size_t		 i = 0;

	if (!json_is_object(o) || !valid_list_name(name))
		return -1;
	rec = json_object_get(o, "reception");
	l->name = strdup(name);
	l->count = jul(o, "count");
	l->mail = jul(rec, "mail");
	l->digest = jul(rec, "digest");
	l->added = jul(o, "added");
	l->removed = jul(o, "removed");
	l->changed = jll(o, "changed");
	l->changed_at = jstrdup(o, "changed_at");
	l->keys = jstrdup(o, "keys");
	if (l->name == NULL || l->changed_at == NULL || l->keys == NULL)
		return -1;
	if ((f = json_object_get(o, "held")) != NULL &&
	    (!json_is_string(f) || json_string_length(f) > ENTRY_HELD_MAX ||
	    (l->held = strdup(json_string_value(f))) == NULL))
		return -1;
	files = json_object_get(o, "files");
	if (files == NULL)
		return 0;
	if (!json_is_object(files))
		return -1;
	if ((l->files = calloc(json_object_size(files) + 1,
	    sizeof(*l->files))) == NULL)
		return -1;
	json_object_foreach(files, key, f) {
		l->nfiles = ++i;
		if (parse_file(name, key, f, &l->files[i - 1]) == -1)
			return -1;
	}
	return 0;
}

static int
cmp_list(const void *a, const void *b)
{
	return strcmp(((const struct lf_entry *)a)->name,
	    ((const struct lf_entry *)b)->name);
}

void
manifest_sort(struct lf_manifest *m)
{
	if (m->nlists > 1)
		qsort(m->lists, m->nlists, sizeof(*m->lists), cmp_list);
}

int
manifest_parse(const char *data, size_t len, struct lf_manifest *m)
{
	json_error_t	 err;
	json_t		*root, *lists, *o, *held, *rej;
	const char	*name;
	size_t		 i;

	memset(m, 0, sizeof(*m));
	if ((root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err))
	    == NULL) {
		log_warnx("manifest: line %d: %s", err.line, err.text);
		return -1;
	}
	if (!json_is_object(root) || jll(root, "version") != 1)
		goto bad;
	m->generation = jll(root, "generation");
	m->started_ms = jll(root, "started_ms");
	m->generated_ms = jll(root, "generated_ms");
	if ((m->result = jstrdup(root, "result")) == NULL)
		goto bad;
	held = json_object_get(root, "held");
	for (i = 0; i < json_array_size(held); i++) {
		const char *s = json_string_value(json_array_get(held, i));

		if (s == NULL || strlist_add(&m->held, s) == -1)
			goto bad;
	}
	rej = json_object_get(root, "rejects");
	if (json_is_object(rej)) {
		if ((m->rejects = calloc(json_object_size(rej) + 1,
		    sizeof(*m->rejects))) == NULL)
			goto bad;
		json_object_foreach(rej, name, o) {
			m->rejects[m->nrejects].reason = strdup(name);
			m->rejects[m->nrejects].n = json_is_integer(o) ?
			    (unsigned long)json_integer_value(o) : 0;
			if (m->rejects[m->nrejects++].reason == NULL)
				goto bad;
		}
	}
	/* Only the old layout's manifest (migrate.h) has lists. */
	if ((lists = json_object_get(root, "lists")) == NULL)
		goto done;
	if (!json_is_object(lists))
		goto bad;
	if ((m->lists = calloc(json_object_size(lists) + 1,
	    sizeof(*m->lists))) == NULL)
		goto bad;
	json_object_foreach(lists, name, o) {
		m->nlists++;
		if (parse_list(name, o, &m->lists[m->nlists - 1]) == -1)
			goto bad;
	}
	manifest_sort(m);
done:
	json_decref(root);
	return 0;
bad:
	log_warnx("manifest: not a listfeed manifest (version 1)");
	json_decref(root);
	manifest_free(m);
	return -1;
}

int
manifest_read(const char *path, struct lf_manifest *m)
{
	char	*data;
	size_t	 len;
	int	 rc;

	memset(m, 0, sizeof(*m));
	if (read_file(path, MANIFEST_MAX, &data, &len) == -1) {
		if (errno == ENOENT)
			return 1;
		log_warn("%s", path);
		return -1;
	}
	rc = manifest_parse(data, len, m);
	free(data);
	return rc;
}

static json_t *
dump_list(const struct lf_entry *l)
{
	json_t	*o, *files;
	size_t	 i;

	files = json_object();
	for (i = 0; files != NULL && i < l->nfiles; i++)
		if (json_object_set_new(files, kind_key(l->files[i].kind,
		    l->files[i].format), json_pack("{s:s, s:s, s:I, s:s}",
		    "path", l->files[i].path, "sha256", l->files[i].sha256,
		    "changed", (json_int_t)l->files[i].changed,
		    "changed_at", l->files[i].changed_at != NULL ?
		    l->files[i].changed_at : "")) == -1) {
			json_decref(files);
			return NULL;
		}
	if (files == NULL)
		return NULL;
	o = json_pack("{s:I, s:{s:I, s:I}, s:I, s:I, s:I, s:s, s:s, s:o}",
	    "count", (json_int_t)l->count,
	    "reception", "mail", (json_int_t)l->mail,
	    "digest", (json_int_t)l->digest,
	    "added", (json_int_t)l->added,
	    "removed", (json_int_t)l->removed,
	    "changed", (json_int_t)l->changed,
	    "changed_at", l->changed_at != NULL ? l->changed_at : "",
	    "keys", l->keys != NULL ? l->keys : "",
	    "files", files);
	if (o != NULL && l->held != NULL && json_object_set_new(o, "held",
	    json_string(l->held)) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

char *
manifest_dump(const struct lf_manifest *m)
{
	json_t	*root, *held, *rej;
	char	 started[32], generated[32];
	char	*s = NULL;
	size_t	 i;

	if (rfc3339(m->started_ms, started, sizeof(started)) == -1 ||
	    rfc3339(m->generated_ms, generated, sizeof(generated)) == -1)
		return NULL;
	held = json_array();
	rej = json_object();
	if (held == NULL || rej == NULL)
		goto out;
	for (i = 0; i < m->held.n; i++)
		if (json_array_append_new(held, json_string(m->held.v[i])))
			goto out;
	for (i = 0; i < m->nrejects; i++)
		if (json_object_set_new(rej, m->rejects[i].reason,
		    json_integer((json_int_t)m->rejects[i].n)) == -1)
			goto out;
	root = json_pack("{s:i, s:I, s:s, s:I, s:s, s:I, s:s, s:O, s:O}",
	    "version", 1, "generation", (json_int_t)m->generation,
	    "started_at", started, "started_ms", (json_int_t)m->started_ms,
	    "generated_at", generated,
	    "generated_ms", (json_int_t)m->generated_ms,
	    "result", m->result != NULL ? m->result : "ok",
	    "held", held, "rejects", rej);
	if (root != NULL) {
		s = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS);
		json_decref(root);
	}
out:
	json_decref(held);
	json_decref(rej);
	return s;
}

/* Writes s (taken; NULL: it could not be serialised) as dir/name:
 * atomic_write(), or with FS_NOSYNC write_new() unsynced. */
static int
write_json(const char *dir, const char *name, char *s, int flags)
{
	int	 rc;

	if (s == NULL) {
		log_warnx("%s/%s: cannot serialise", dir, name);
		return -1;
	}
	rc = (flags & FS_NOSYNC) ?
	    write_new(dir, name, s, strlen(s), 0644, FS_NOSYNC) :
	    atomic_write(dir, name, s, strlen(s), 0644);
	free(s);
	return rc;
}

int
manifest_write(const char *dir, const struct lf_manifest *m)
{
	return write_json(dir, MANIFEST_NAME, manifest_dump(m), 0);
}

/* entry.json: the list's object of the manifest, with its name. */
int
manifest_entry_parse(const char *name, const char *data, size_t len,
    struct lf_entry *e)
{
	json_error_t	 err;
	json_t		*root;
	const char	*n;
	int		 rc = -1;

	memset(e, 0, sizeof(*e));
	if ((root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err))
	    == NULL) {
		log_warnx("%s: line %d: %s", ENTRY_NAME, err.line, err.text);
		return -1;
	}
	n = json_string_value(json_object_get(root, "name"));
	if (json_is_object(root) && n != NULL && strcmp(n, name) == 0 &&
	    parse_list(name, root, e) == 0)
		rc = 0;
	else {
		log_warnx("%s of %s: not a listfeed entry", ENTRY_NAME, name);
		manifest_entry_free(e);
	}
	json_decref(root);
	return rc;
}

static char *
entry_dump(const struct lf_entry *e)
{
	json_t	*o;
	char	*s = NULL;

	if ((o = dump_list(e)) == NULL)
		return NULL;
	if (json_object_set_new(o, "name", json_string(e->name)) == 0)
		s = json_dumps(o, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

int
manifest_entry_write(const char *dir, const struct lf_entry *e, int flags)
{
	return write_json(dir, ENTRY_NAME, entry_dump(e), flags);
}

int
manifest_entry_same(const struct lf_entry *a, const struct lf_entry *b)
{
	char	*x, *y;
	int	 same;

	x = entry_dump(a);
	y = entry_dump(b);
	same = x != NULL && y != NULL && strcmp(x, y) == 0;
	free(x);
	free(y);
	return same;
}

const struct lf_entry *
manifest_find(const struct lf_manifest *m, const char *name)
{
	struct lf_entry	 key;

	if (m->nlists == 0)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.name = (char *)(uintptr_t)name;
	return bsearch(&key, m->lists, m->nlists, sizeof(*m->lists),
	    cmp_list);
}

const struct lf_entry_file *
manifest_entry_file(const struct lf_entry *l, enum lf_kind k,
    const char *format)
{
	size_t	 i;

	for (i = 0; i < l->nfiles; i++)
		if (l->files[i].kind == k && (k != KIND_FORMAT ||
		    (format != NULL && strcmp(l->files[i].format, format) == 0)))
			return &l->files[i];
	return NULL;
}

int
manifest_entry_copy(struct lf_entry *dst, const struct lf_entry *src)
{
	size_t	 i;

	*dst = *src;
	dst->files = NULL;	/* nothing of src's is freed on failure */
	dst->nfiles = 0;
	dst->held = NULL;
	dst->name = strdup(src->name);
	dst->changed_at = strdup(src->changed_at ? src->changed_at : "");
	dst->keys = strdup(src->keys ? src->keys : "");
	if (src->held != NULL && (dst->held = strdup(src->held)) == NULL)
		goto bad;
	dst->files = calloc(src->nfiles + 1, sizeof(*dst->files));
	if (dst->name == NULL || dst->changed_at == NULL ||
	    dst->keys == NULL || dst->files == NULL)
		goto bad;
	for (i = 0; i < src->nfiles; i++) {
		dst->files[i].kind = src->files[i].kind;
		dst->files[i].changed = src->files[i].changed;
		dst->nfiles++;
		if (manifest_file_set(&dst->files[i], src->files[i].format,
		    src->files[i].path, src->files[i].sha256,
		    src->files[i].changed_at) == -1)
			goto bad;
	}
	return 0;
bad:
	manifest_entry_free(dst);
	return -1;
}
