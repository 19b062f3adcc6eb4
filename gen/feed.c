/* feed: see feed.h. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feed.h"
#include "fsutil.h"
#include "kind.h"
#include "log.h"

/* The fixed links in FEED. */
static const struct {
	const char	*name, *target;
} links[] = {
	{ "lists", "current/lists" }, { "plain", "current/plain" },
	{ MANIFEST_NAME, "current/" MANIFEST_NAME },
};

static int
is_gen_name(const char *s)
{
	if (*s == '\0' || strlen(s) > 20)
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Removes FEED/g/NAME, which holds only the known sub-directories. */
static void
remove_gen(const char *dir, const char *name)
{
	char		 path[PATH_MAX], sub[PATH_MAX];
	DIR		*d;
	struct dirent	*de;
	int		 i;

	if (xsnprintf(path, sizeof(path), "%s/g/%s", dir, name) == -1)
		return;
	for (i = (int)kind_ndirs - 1; i >= -1; i--) {
		if (xsnprintf(sub, sizeof(sub), "%s%s%s", path, i >= 0 ? "/" :
		    "", i >= 0 ? kind_dirs[i].name : "") == -1 ||
		    (d = opendir(sub)) == NULL)
			continue;
		while ((de = readdir(d)) != NULL)
			if (de->d_type != DT_DIR)
				(void)unlinkat(dirfd(d), de->d_name, 0);
		(void)closedir(d);
		if (rmdir(sub) == -1 && errno != ENOENT)
			log_warn("rmdir %s", sub);
	}
}

/* Keeps the live generation and the one before it (named in .state). */
void
feed_prune(const struct feed *f)
{
	char		 path[PATH_MAX], *prev = NULL;
	size_t		 len;
	DIR		*d;
	struct dirent	*de;

	if (xsnprintf(path, sizeof(path), "%s/.state/previous", f->dir) != -1)
		(void)read_file(path, 64, &prev, &len);
	if (xsnprintf(path, sizeof(path), "%s/g", f->dir) == -1 ||
	    (d = opendir(path)) == NULL) {
		free(prev);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_gen_name(de->d_name) ||
		    strcmp(de->d_name, f->live_name) == 0 ||
		    (prev != NULL && strcmp(de->d_name, prev) == 0))
			continue;
		remove_gen(f->dir, de->d_name);
	}
	(void)closedir(d);
	free(prev);
}

static int
ensure_link(const char *dir, const char *name, const char *target)
{
	char		 path[PATH_MAX], buf[PATH_MAX];
	struct stat	 st;
	ssize_t		 n;

	if (xsnprintf(path, sizeof(path), "%s/%s", dir, name) == -1)
		return -1;
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode) && (n = readlink(path, buf,
		    sizeof(buf) - 1)) > 0 && (buf[n] = '\0', strcmp(buf,
		    target) == 0))
			return 0;
		log_warnx("%s: in the way of the feed's layout (a link to "
		    "%s); move it away", path, target);
		return -1;
	}
	if (symlink(target, path) == -1) {
		log_warn("symlink %s", path);
		return -1;
	}
	return fsync_dir(dir);
}

int
feed_open(struct feed *f, const char *dir)
{
	char	 path[PATH_MAX], buf[32];
	ssize_t	 n;
	size_t	 i;

	memset(f, 0, sizeof(*f));
	if (xsnprintf(f->dir, sizeof(f->dir), "%s", dir) == -1 ||
	    xsnprintf(path, sizeof(path), "%s/g", dir) == -1) {
		log_warnx("%s: path too long", dir);
		return -1;
	}
	if (mkdir_p(path, 0755) == -1)
		return -1;
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (ensure_link(dir, links[i].name, links[i].target) == -1)
			return -1;
	(void)clean_tmp(dir);
	if (xsnprintf(path, sizeof(path), "%s/.state", dir) == -1)
		return -1;
	(void)clean_tmp(path);	/* change counts and notes (delta.h) */
	if (xsnprintf(path, sizeof(path), "%s/current", dir) == -1)
		return -1;
	if ((n = readlink(path, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		if (strncmp(buf, "g/", 2) != 0 || !is_gen_name(buf + 2)) {
			log_warnx("%s: points to %s, not to a generation",
			    path, buf);
			return -1;
		}
		memcpy(f->live_name, buf + 2, (size_t)n - 1);
		if (xsnprintf(f->live, sizeof(f->live), "%s/%s", dir, buf)
		    == -1)
			return -1;
		/* A run killed while replacing the live manifest. */
		(void)clean_tmp(f->live);
	} else if (errno != ENOENT) {
		log_warn("%s", path);
		return -1;
	}
	feed_prune(f);
	return 0;
}

const char *
feed_live(const struct feed *f)
{
	return f->live[0] != '\0' ? f->live : NULL;
}

int
feed_begin(struct feed *f, long long generation)
{
	char	 name[32], path[PATH_MAX];
	size_t	 i;

	(void)snprintf(name, sizeof(name), "%lld", generation);
	if (strcmp(name, f->live_name) == 0) {
		log_warnx("generation %s is already live", name);
		return -1;
	}
	remove_gen(f->dir, name);	/* a crash's left-over */
	/* Synced into FEED/g at once: current never points at nothing. */
	if (xsnprintf(f->next, sizeof(f->next), "%s/g/%s", f->dir, name)
	    == -1 || mkdir_sync(f->next, 0755) == -1) {
		log_warnx("cannot make %s", f->next);
		(void)rmdir(f->next);
		f->next[0] = '\0';
		return -1;
	}
	for (i = 0; i < kind_ndirs; i++)
		if (xsnprintf(path, sizeof(path), "%s/%s", f->next,
		    kind_dirs[i].name) == -1 ||
		    mkdir(path, kind_dirs[i].mode) == -1 ||
		    chmod(path, kind_dirs[i].mode) == -1) {
			log_warn("mkdir %s", path);
			feed_abort(f);
			return -1;
		}
	return 0;
}

int
feed_carry(struct feed *f, const char *rel, int written)
{
	char	 from[PATH_MAX], to[PATH_MAX];

	if (xsnprintf(to, sizeof(to), "%s/%s", f->next, rel) == -1)
		return -1;
	if (written) {
		if (access(to, F_OK) == 0)
			return 0;
		log_warn("%s: written, but not in the next generation", rel);
		return -1;
	}
	/* EEXIST: a file the manifest does not describe; never mix. */
	if (f->live[0] != '\0' && xsnprintf(from, sizeof(from), "%s/%s",
	    f->live, rel) != -1 && link(from, to) == 0)
		return 0;
	log_warn("cannot carry %s into the next generation", rel);
	return -1;
}

static int
sync_gen(const char *gen)
{
	char	 path[PATH_MAX];
	size_t	 i;

	for (i = 0; i < kind_ndirs; i++)
		if (xsnprintf(path, sizeof(path), "%s/%s", gen,
		    kind_dirs[i].name) == -1 || fsync_dir(path) == -1)
			return -1;
	return fsync_dir(gen);
}

int
feed_commit(struct feed *f, const struct lf_manifest *m)
{
	char	 tmp[PATH_MAX], cur[PATH_MAX], state[PATH_MAX], target[64];
	char	*slash;

	if (manifest_write(f->next, m) == -1 || sync_gen(f->next) == -1)
		goto bad;
	slash = strrchr(f->next, '/');
	if (xsnprintf(target, sizeof(target), "g/%s", slash + 1) == -1 ||
	    xsnprintf(tmp, sizeof(tmp), "%s/" FS_TMP_PREFIX "current",
	    f->dir) == -1 ||
	    xsnprintf(cur, sizeof(cur), "%s/current", f->dir) == -1 ||
	    xsnprintf(state, sizeof(state), "%s/.state", f->dir) == -1)
		goto bad;
	/* The one before stays for readers still on it (feed_prune()). */
	if (f->live_name[0] != '\0' && atomic_write(state, "previous",
	    f->live_name, strlen(f->live_name), 0600) == -1)
		log_warnx("cannot note the previous generation");
	(void)unlink(tmp);
	if (symlink(target, tmp) == -1 || rename(tmp, cur) == -1) {
		log_warn("%s: cannot switch to %s", cur, target);
		(void)unlink(tmp);
		goto bad;
	}
	if (fsync_dir(f->dir) == -1)
		log_warnx("%s: not synced; the switch may not survive a "
		    "power loss", f->dir);
	(void)snprintf(f->live_name, sizeof(f->live_name), "%s", slash + 1);
	(void)snprintf(f->live, sizeof(f->live), "%s", f->next);
	f->next[0] = '\0';
	return 0;
bad:
	feed_abort(f);
	return -1;
}

int
feed_commit_manifest(struct feed *f, const struct lf_manifest *m)
{
	feed_abort(f);
	if (f->live[0] == '\0') {
		log_warnx("no live generation to update");
		return -1;
	}
	return manifest_write(f->live, m);
}

void
feed_abort(struct feed *f)
{
	const char	*slash;

	if (f->next[0] == '\0')
		return;
	slash = strrchr(f->next, '/');
	remove_gen(f->dir, slash + 1);
	f->next[0] = '\0';
}
