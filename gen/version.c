/* version: see version.h. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "kind.h"
#include "layout.h"
#include "log.h"
#include "version.h"

/* Removes the files of dir (not its sub-directories), then dir. */
static void
remove_flat(const char *dir)
{
	DIR		*d;
	struct dirent	*de;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (de->d_type != DT_DIR)
			(void)unlinkat(dirfd(d), de->d_name, 0);
	(void)closedir(d);
	if (rmdir(dir) == -1 && errno != ENOENT)
		log_warn("rmdir %s", dir);
}

/* Removes path, which holds only the directories of kind.h and files. */
static void
remove_tree(const char *path)
{
	char	 sub[PATH_MAX];
	int	 i;

	for (i = (int)kind_ndirs - 1; i >= 0; i--)
		if (xsnprintf(sub, sizeof(sub), "%s/%s", path,
		    kind_dirs[i].name) != -1)
			remove_flat(sub);
	remove_flat(path);
}

void
feed_vremove(const char *dir, const char *name, long long gen)
{
	char	 path[PATH_MAX];
	long long live;

	if (layout_live(dir, name, &live) == 1 && live == gen)
		return;
	if (layout_vdir(dir, name, gen, path, sizeof(path)) == 0)
		remove_tree(path);
}

int
feed_vmake(const char *dir, const char *name, long long gen)
{
	char	 path[PATH_MAX], sub[PATH_MAX];
	long long live;
	size_t	 i;

	if (layout_live(dir, name, &live) == 1 && live == gen) {
		log_warnx("list %s: generation %lld is already live", name,
		    gen);
		return -1;
	}
	feed_vremove(dir, name, gen);	/* a crash's left-over */
	/* v/NAME/G is synced into v/NAME after feed_vfinish() (a bulk
	 * run's: by feed_commit()). */
	if (layout_vdir(dir, name, 0, path, sizeof(path)) == -1 ||
	    mkdir_p(path, 0755) == -1 ||
	    layout_vdir(dir, name, gen, path, sizeof(path)) == -1) {
		log_warnx("list %s: cannot make its version %lld", name, gen);
		return -1;
	}
	if (mkdir(path, 0755) == -1) {
		log_warn("list %s: cannot make its version: mkdir %s", name,
		    path);
		return -1;
	}
	for (i = 0; i < kind_ndirs; i++)
		if (xsnprintf(sub, sizeof(sub), "%s/%s", path,
		    kind_dirs[i].name) == -1 ||
		    mkdir(sub, kind_dirs[i].mode) == -1 ||
		    chmod(sub, kind_dirs[i].mode) == -1) {
			log_warn("mkdir %s", sub);
			remove_tree(path);
			return -1;
		}
	return 0;
}

/* Whether a file of e lies below the directory kd (of kind.h). */
static int
holds_file(const struct lf_entry *e, const char *kd)
{
	size_t	 i, n = strlen(kd);

	for (i = 0; i < e->nfiles; i++)
		if (strncmp(e->files[i].path, kd, n) == 0 &&
		    e->files[i].path[n] == '/')
			return 1;
	return 0;
}

/* Syncs the directories of the version path that hold a file of e (the
 * others are empty).  0 or -1. */
static int
kind_dirs_sync(const char *path, const struct lf_entry *e)
{
	char	 sub[PATH_MAX];
	size_t	 i;

	for (i = 0; i < kind_ndirs; i++)
		if (holds_file(e, kind_dirs[i].name) &&
		    (xsnprintf(sub, sizeof(sub), "%s/%s", path,
		    kind_dirs[i].name) == -1 || fsync_dir(sub) == -1))
			return -1;
	return 0;
}

int
feed_vfinish(const char *dir, const struct lf_entry *e, long long gen,
    int flags)
{
	char	 path[PATH_MAX];

	if (layout_vdir(dir, e->name, gen, path, sizeof(path)) == -1 ||
	    (!(flags & FS_NOSYNC) && kind_dirs_sync(path, e) == -1))
		return -1;
	/* Written last: a version with entry.json is whole (a bulk run's
	 * once feed_commit() synced it; only live versions are read). */
	return manifest_entry_write(path, e, flags);
}

int
feed_switch(const char *dir, const char *name, long long gen)
{
	char	 tmp[PATH_MAX], link[PATH_MAX], target[PATH_MAX];

	if (layout_target(name, gen, target, sizeof(target)) == -1 ||
	    xsnprintf(tmp, sizeof(tmp), "%s/" LAYOUT_LIVE "/" FS_TMP_PREFIX
	    "%s", dir, name) == -1 ||
	    xsnprintf(link, sizeof(link), "%s/" LAYOUT_LIVE "/%s", dir, name)
	    == -1)
		return -1;
	(void)unlink(tmp);
	if (symlink(target, tmp) == -1 || rename(tmp, link) == -1) {
		log_warn("%s: cannot switch to %s", link, target);
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

int
feed_fixed_links(const char *dir, const struct lf_entry *e)
{
	static const char up[] = "../../../../";
	char		 path[PATH_MAX], target[PATH_MAX];
	struct stat	 st;
	const char	*p;
	size_t		 i, n;
	int		 rc = 0;

	for (i = 0; i < e->nfiles; i++) {
		if (xsnprintf(path, sizeof(path), "%s/%s", dir,
		    e->files[i].path) == -1) {
			rc = -1;
			continue;
		}
		if (lstat(path, &st) == 0)
			continue;
		/* One "../" per directory of the path: relative to the link. */
		for (n = 0, p = e->files[i].path; (p = strchr(p, '/')) != NULL;
		    p++)
			n += 3;
		if (n >= sizeof(up) || xsnprintf(target, sizeof(target),
		    "%.*s" LAYOUT_LIVE "/%s/%s", (int)n, up, e->name,
		    e->files[i].path) == -1 ||
		    symlink(target, path) == -1) {
			log_warn("symlink %s", path);
			rc = -1;
			continue;
		}
		*strrchr(path, '/') = '\0';
		if (fsync_dir(path) == -1)
			rc = -1;
	}
	return rc;
}
