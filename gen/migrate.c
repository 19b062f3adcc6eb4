/* migrate: see migrate.h. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
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
#include "manifest.h"
#include "migrate.h"
#include "version.h"

int
migrate_needed(const char *dir)
{
	char		 path[PATH_MAX];
	struct stat	 st;

	return xsnprintf(path, sizeof(path), "%s/current", dir) != -1 &&
	    lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* One list of generation gen into v/NAME/gen and l/NAME. */
static int
carry_list(const char *dir, const char *gdir, struct lf_entry *e,
    long long gen)
{
	char		 from[PATH_MAX], to[PATH_MAX], vdir[PATH_MAX];
	long long	 live;
	size_t		 i;

	if (layout_live(dir, e->name, &live) == 1 && live == gen)
		return 0;	/* converted by a run killed later */
	if (feed_vmake(dir, e->name, gen) == -1 ||
	    layout_vdir(dir, e->name, gen, vdir, sizeof(vdir)) == -1)
		return -1;
	for (i = 0; i < e->nfiles; i++)
		if (xsnprintf(from, sizeof(from), "%s/%s", gdir,
		    e->files[i].path) == -1 || xsnprintf(to, sizeof(to),
		    "%s/%s", vdir, e->files[i].path) == -1 ||
		    link(from, to) == -1) {
			log_warn("%s: cannot carry it into the new layout",
			    from);
			return -1;
		}
	e->version = gen;
	if (feed_vfinish(dir, e, gen, 0) == -1 ||
	    layout_vdir(dir, e->name, 0, to, sizeof(to)) == -1 ||
	    fsync_dir(to) == -1)
		return -1;
	return feed_switch(dir, e->name, gen);
}

/* Replaces the link FEED/name by the directory of the new layout. */
static int
unlink_old(const char *dir, const char *name)
{
	char		 path[PATH_MAX];
	struct stat	 st;

	if (xsnprintf(path, sizeof(path), "%s/%s", dir, name) == -1)
		return -1;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
	    unlink(path) == -1) {
		log_warn("unlink %s", path);
		return -1;
	}
	return 0;
}

/* The fixed directories and links of every list of m. */
static int
fixed_paths(const char *dir, const struct lf_manifest *m)
{
	char	 path[PATH_MAX];
	size_t	 i;

	if (unlink_old(dir, "lists") == -1 || unlink_old(dir, "plain") == -1)
		return -1;
	for (i = 0; i < kind_ndirs; i++)
		if (xsnprintf(path, sizeof(path), "%s/%s", dir,
		    kind_dirs[i].name) == -1 ||
		    (mkdir_sync(path, kind_dirs[i].mode) == -1 &&
		    errno != EEXIST))
			return -1;
	for (i = 0; i < m->nlists; i++)
		if (feed_fixed_links(dir, &m->lists[i]) == -1)
			return -1;
	return 0;
}

/* Removes FEED/g and everything in it. */
static void
remove_generations(const char *dir)
{
	char		 path[PATH_MAX], sub[PATH_MAX];
	DIR		*d;
	struct dirent	*de;
	int		 i;

	if (xsnprintf(path, sizeof(path), "%s/g", dir) == -1 ||
	    (d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		for (i = (int)kind_ndirs - 1; i >= -1; i--) {
			DIR		*s;
			struct dirent	*f;

			if (xsnprintf(sub, sizeof(sub), "%s/%s%s%s", path,
			    de->d_name, i >= 0 ? "/" : "", i >= 0 ?
			    kind_dirs[i].name : "") == -1 ||
			    (s = opendir(sub)) == NULL)
				continue;
			while ((f = readdir(s)) != NULL)
				if (f->d_type != DT_DIR)
					(void)unlinkat(dirfd(s), f->d_name, 0);
			(void)closedir(s);
			(void)rmdir(sub);
		}
	}
	(void)closedir(d);
	if (rmdir(path) == -1)
		log_warn("rmdir %s", path);
}

void
migrate_leftovers(const char *dir)
{
	if (!migrate_needed(dir))
		remove_generations(dir);
}

int
migrate_feed(const char *dir)
{
	char			 path[PATH_MAX], gdir[PATH_MAX], buf[64];
	struct lf_manifest	 m;
	long long		 gen;
	ssize_t			 n;
	size_t			 i;

	if (xsnprintf(path, sizeof(path), "%s/current", dir) == -1 ||
	    (n = readlink(path, buf, sizeof(buf) - 1)) <= 0)
		return -1;
	buf[n] = '\0';
	if (strncmp(buf, "g/", 2) != 0 || !layout_gen_name(buf + 2, &gen) ||
	    xsnprintf(gdir, sizeof(gdir), "%s/%s", dir, buf) == -1 ||
	    xsnprintf(path, sizeof(path), "%s/" MANIFEST_NAME, gdir) == -1) {
		log_warnx("%s/current: points to %s, not to a generation",
		    dir, buf);
		return -1;
	}
	log_info("%s: converting generation %lld to one version per list",
	    dir, gen);
	if (manifest_read(path, &m) == -1) {
		log_warnx("%s: unreadable; cannot convert the feed", path);
		return -1;
	}
	/* Converting none would remove the old files with their lists. */
	if (m.lists == NULL) {
		log_warnx("%s: no \"lists\", not a generation's manifest; "
		    "cannot convert the feed", path);
		manifest_free(&m);
		return -1;
	}
	if (xsnprintf(path, sizeof(path), "%s/" LAYOUT_VERSIONS, dir) == -1 ||
	    mkdir_p(path, 0755) == -1 ||
	    xsnprintf(path, sizeof(path), "%s/" LAYOUT_LIVE, dir) == -1 ||
	    mkdir_p(path, 0755) == -1)
		goto bad;
	for (i = 0; i < m.nlists; i++)
		if (carry_list(dir, gdir, &m.lists[i], gen) == -1)
			goto bad;
	(void)snprintf(buf, sizeof(buf), "%lld\n", gen);
	if (fsync_dir(path) == -1 ||
	    xsnprintf(path, sizeof(path), "%s/.state", dir) == -1 ||
	    mkdir_p(path, 0700) == -1 ||
	    atomic_write(path, "generation", buf, strlen(buf), 0600) == -1 ||
	    unlink_old(dir, MANIFEST_NAME) == -1 ||
	    manifest_write(dir, &m) == -1 || fixed_paths(dir, &m) == -1 ||
	    xsnprintf(path, sizeof(path), "%s/current", dir) == -1 ||
	    unlink(path) == -1 || fsync_dir(dir) == -1)
		goto bad;
	remove_generations(dir);
	manifest_free(&m);
	log_info("%s: converted", dir);
	return 0;
bad:
	log_warnx("%s: conversion to one version per list failed; the next "
	    "run tries again", dir);
	manifest_free(&m);
	return -1;
}
