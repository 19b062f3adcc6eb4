/* feed: see feed.h. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feed.h"
#include "fsutil.h"
#include "kind.h"
#include "layout.h"
#include "log.h"
#include "migrate.h"
#include "version.h"
#include "valid.h"

#define GEN_NAME	"generation"	/* in .state */

/* The versions of name in v/NAME but keep and keep2 removed. */
static void
prune_list(const char *dir, const char *name, long long keep, long long keep2)
{
	char		 path[PATH_MAX];
	DIR		*d;
	struct dirent	*de;
	long long	 g;
	struct strlist	 gone;
	size_t		 i;

	if (layout_vdir(dir, name, 0, path, sizeof(path)) == -1 ||
	    (d = opendir(path)) == NULL)
		return;
	memset(&gone, 0, sizeof(gone));
	while ((de = readdir(d)) != NULL)
		if (layout_gen_name(de->d_name, &g) && g != keep &&
		    g != keep2 && strlist_add(&gone, de->d_name) == -1)
			break;
	(void)closedir(d);
	for (i = 0; i < gone.n; i++)
		if (layout_gen_name(gone.v[i], &g))
			feed_vremove(dir, name, g);
	strlist_free(&gone);
}

/*
 * The newest version of name below live: the one live before it, kept for
 * readers, as feed_commit() removes every other version of the list just
 * before it switches.
 */
static long long
previous(const char *dir, const char *name, long long live)
{
	char		 path[PATH_MAX];
	DIR		*d;
	struct dirent	*de;
	long long	 g, best = 0;

	if (layout_vdir(dir, name, 0, path, sizeof(path)) == -1 ||
	    (d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (layout_gen_name(de->d_name, &g) && g < live && g > best)
			best = g;
	(void)closedir(d);
	return best;
}

/* A full run's start: the versions that no l/NAME holds or keeps. */
static void
clean_leftovers(const char *dir)
{
	char		 path[PATH_MAX];
	DIR		*d;
	struct dirent	*de;
	long long	 live;
	struct strlist	 names;
	size_t		 i;

	if (xsnprintf(path, sizeof(path), "%s/" LAYOUT_VERSIONS, dir) == -1 ||
	    (d = opendir(path)) == NULL)
		return;
	memset(&names, 0, sizeof(names));
	while ((de = readdir(d)) != NULL)
		if (valid_list_name(de->d_name) &&
		    strlist_add(&names, de->d_name) == -1)
			break;
	(void)closedir(d);
	for (i = 0; i < names.n; i++) {
		if (layout_live(dir, names.v[i], &live) != 1)
			live = 0;
		prune_list(dir, names.v[i], live, live > 0 ?
		    previous(dir, names.v[i], live) : 0);
		if (live == 0 && layout_vdir(dir, names.v[i], 0, path,
		    sizeof(path)) == 0)
			(void)rmdir(path);
	}
	strlist_free(&names);
}

/* FEED/v, FEED/l and the fixed directories of kind.h. */
static int
make_dirs(const char *dir)
{
	char	 path[PATH_MAX];
	size_t	 i;

	if (xsnprintf(path, sizeof(path), "%s/" LAYOUT_VERSIONS, dir) == -1 ||
	    mkdir_p(path, 0755) == -1 ||
	    xsnprintf(path, sizeof(path), "%s/" LAYOUT_LIVE, dir) == -1 ||
	    mkdir_p(path, 0755) == -1)
		return -1;
	for (i = 0; i < kind_ndirs; i++)
		if (xsnprintf(path, sizeof(path), "%s/%s", dir,
		    kind_dirs[i].name) == -1 ||
		    (mkdir_sync(path, kind_dirs[i].mode) == -1 &&
		    errno != EEXIST)) {
			log_warn("%s: cannot make it (is it in the way of the "
			    "feed's layout?)", path);
			return -1;
		}
	return 0;
}

int
feed_open(struct feed *f, const char *dir, int full)
{
	char	 path[PATH_MAX];

	memset(f, 0, sizeof(*f));
	f->vfd = -1;
	if (xsnprintf(f->dir, sizeof(f->dir), "%s", dir) == -1) {
		log_warnx("%s: path too long", dir);
		return -1;
	}
	if (migrate_needed(dir) && migrate_feed(dir) == -1)
		return -1;
	migrate_leftovers(dir);
	if (make_dirs(dir) == -1)
		return -1;
	(void)clean_tmp(dir);
	/* l/ and .state/ hold one entry per list: a full run's to clean
	 * (a one-list run replaces l/.tmp-NAME itself, feed_switch()). */
	if (full) {
		if (xsnprintf(path, sizeof(path), "%s/" LAYOUT_LIVE, dir) == -1)
			return -1;
		(void)clean_tmp(path);
		if (xsnprintf(path, sizeof(path), "%s/.state", dir) == -1)
			return -1;
		(void)clean_tmp(path);	/* change counts and notes */
		clean_leftovers(dir);
	}
	/* Open before the run's first write, so that its syncfs reports
	 * the run's own write errors (fs_sync()). */
	if (full && fs_sync_reports()) {
		if (xsnprintf(path, sizeof(path), "%s/" LAYOUT_VERSIONS,
		    dir) == -1 || (f->vfd = open(path, O_RDONLY |
		    O_DIRECTORY | O_CLOEXEC)) == -1) {
			log_warn("%s", path);
			return -1;
		}
		f->bulk = 1;
	}
	return 0;
}

/* Adds name's live entry to m (none if it has no version or lost it). */
static int
add_live(const struct feed *f, const char *name, struct lf_manifest *m)
{
	struct lf_entry	*v;
	long long	 gen;
	int		 rc;

	if ((rc = layout_live(f->dir, name, &gen)) != 1)
		return rc;
	if ((v = reallocarray(m->lists, m->nlists + 1, sizeof(*v))) == NULL)
		return -1;
	m->lists = v;
	if ((rc = layout_entry(f->dir, name, gen, &m->lists[m->nlists])) == 1)
		log_warnx("list %s: its version %lld has no " ENTRY_NAME "; "
		    "the guard falls back on .state", name, gen);
	else if (rc == 0)
		m->nlists++;
	return rc == -1 ? -1 : 0;
}

int
feed_entries(const struct feed *f, const struct strlist *names,
    struct lf_manifest *m)
{
	struct strlist	 all;
	size_t		 i;
	int		 rc = 0;

	memset(m, 0, sizeof(*m));
	memset(&all, 0, sizeof(all));
	if (names == NULL) {
		if (layout_names(f->dir, &all) == -1)
			return -1;
		names = &all;
	}
	for (i = 0; rc == 0 && i < names->n; i++)
		rc = add_live(f, names->v[i], m);
	strlist_free(&all);
	manifest_sort(m);
	return rc;
}

/*
 * The last generation number given out: the larger of .state's (a
 * generation's name, layout_gen_name(), and a newline) and run.json's,
 * 0 if neither has one; -1 if .state's is anything else or the next
 * number would not be a generation's name (logged).
 */
static long long
last_gen(const char *dir)
{
	char		 path[PATH_MAX], *data;
	size_t		 len;
	long long	 g = 0, next;
	struct lf_run	 run;
	int		 ok;

	if (xsnprintf(path, sizeof(path), "%s/.state/" GEN_NAME, dir) == -1)
		return -1;
	if (read_file(path, 64, &data, &len) == 0) {
		if (len > 0 && data[len - 1] == '\n')
			data[--len] = '\0';
		ok = memchr(data, '\0', len) == NULL &&
		    layout_gen_name(data, &g);
		free(data);
		if (!ok) {
			log_warnx("%s: not a generation number (1 to 18 "
			    "digits, no leading zero, one newline at most); "
			    "no generation is numbered until it holds the "
			    "last one given out", path);
			return -1;
		}
	} else if (errno != ENOENT) {
		log_warn("%s", path);
		return -1;
	}
	if (xsnprintf(path, sizeof(path), "%s/" RUN_NAME, dir) != -1 &&
	    run_read(path, &run) == 0 && run.generation > g)
		g = run.generation;
	ok = g >= 0 && g < LLONG_MAX;
	if (ok) {
		(void)snprintf(path, sizeof(path), "%lld", g + 1);
		ok = layout_gen_name(path, &next);
	}
	if (!ok) {
		log_warnx("%s: generation %lld: the generation numbers are "
		    "used up", dir, g);
		return -1;
	}
	return g;
}

int
feed_begin(struct feed *f, int dry_run)
{
	char		 state[PATH_MAX], buf[32];
	long long	 last;

	if ((last = last_gen(f->dir)) == -1)
		return -1;
	f->gen = last + 1;
	if (dry_run)
		return 0;
	/* Saved first: a crash never gives one number out twice. */
	(void)snprintf(buf, sizeof(buf), "%lld\n", f->gen);
	if (xsnprintf(state, sizeof(state), "%s/.state", f->dir) == -1 ||
	    atomic_write(state, GEN_NAME, buf, strlen(buf), 0600) == -1) {
		log_warnx("cannot save the generation number");
		return -1;
	}
	return 0;
}

int
feed_mkversion(struct feed *f, const char *name, char *out, size_t outsz)
{
	if (layout_vdir(f->dir, name, f->gen, out, outsz) == -1)
		return -1;
	if (strlist_has(&f->made, name))
		return 0;
	if (feed_vmake(f->dir, name, f->gen) == -1)
		return -1;
	return strlist_add(&f->made, name);
}

int
feed_olddir(const struct feed *f, const struct lf_entry *old, char *out,
    size_t outsz)
{
	if (old == NULL || old->version <= 0)
		return -1;
	return layout_vdir(f->dir, old->name, old->version, out, outsz);
}

int
feed_stage(struct feed *f, const struct lf_entry *e, const struct lf_entry *old)
{
	char	 vdir[PATH_MAX], odir[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
	size_t	 i;

	if (feed_mkversion(f, e->name, vdir, sizeof(vdir)) == -1)
		return -1;
	for (i = 0; i < e->nfiles; i++) {
		if (e->files[i].written)
			continue;
		/* EEXIST: a file the entry does not describe; never mix. */
		if (feed_olddir(f, old, odir, sizeof(odir)) == -1 ||
		    xsnprintf(from, sizeof(from), "%s/%s", odir,
		    e->files[i].path) == -1 ||
		    xsnprintf(to, sizeof(to), "%s/%s", vdir, e->files[i].path)
		    == -1 || link(from, to) == -1) {
			log_warn("list %s: cannot carry %s into its new "
			    "version", e->name, e->files[i].path);
			return -1;
		}
	}
	if (feed_vfinish(f->dir, e, f->gen, f->bulk ? FS_NOSYNC : 0) == -1 ||
	    layout_vdir(f->dir, e->name, 0, vdir, sizeof(vdir)) == -1 ||
	    (!f->bulk && fsync_dir(vdir) == -1))
		return -1;
	return strlist_add(&f->staged, e->name);
}

int
feed_commit(struct feed *f, const struct lf_manifest *now)
{
	const struct lf_entry	*e;
	char			 path[PATH_MAX];
	long long		 old;
	size_t			 i;
	int			 rc = 0;

	/* A bulk run's versions, written unsynced, durable before any
	 * switch (feed.h); none switched if that fails. */
	if (f->bulk && f->staged.n > 0 && (xsnprintf(path, sizeof(path),
	    "%s/" LAYOUT_VERSIONS, f->dir) == -1 ||
	    fs_sync(f->vfd, path) == -1))
		rc = -1;
	for (i = 0; rc == 0 && i < f->staged.n; i++) {
		if (layout_live(f->dir, f->staged.v[i], &old) != 1)
			old = 0;
		if ((e = manifest_find(now, f->staged.v[i])) == NULL) {
			rc = -1;
			break;
		}
		/* Before the switch: a crash after it leaves no version below
		 * the new live one but the one live before (previous()). */
		prune_list(f->dir, e->name, f->gen, old);
		if (feed_switch(f->dir, e->name, f->gen) == -1) {
			rc = -1;
			break;
		}
		if (strlist_add(&f->live, e->name) == -1)
			rc = -1;
		if (feed_fixed_links(f->dir, e) == -1)
			log_warnx("list %s: some paths of lists/ or plain/ "
			    "are missing (see above)", e->name);
	}
	if (xsnprintf(path, sizeof(path), "%s/" LAYOUT_LIVE, f->dir) == -1 ||
	    fsync_dir(path) == -1)
		log_warnx("%s: not synced; a switch may not survive a power "
		    "loss", path);
	feed_abort(f);		/* versions made but not staged */
	return rc;
}

void
feed_abort(struct feed *f)
{
	size_t	 i;

	for (i = 0; i < f->made.n; i++)
		feed_vremove(f->dir, f->made.v[i], f->gen);
	strlist_free(&f->made);
	strlist_free(&f->staged);
}

void
feed_close(struct feed *f)
{
	feed_abort(f);
	strlist_free(&f->live);
	if (f->bulk)
		(void)close(f->vfd);
	f->bulk = 0;
}
