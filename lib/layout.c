/* layout: see layout.h. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "layout.h"
#include "log.h"
#include "valid.h"

#define ENTRY_MAX	(4UL * 1024 * 1024)

int
layout_gen_name(const char *s, long long *gen)
{
	const char	*p;
	char		*end;

	if (*s == '\0' || *s == '0' || strlen(s) > 18)
		return 0;
	for (p = s; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return 0;
	*gen = strtoll(s, &end, 10);
	return *end == '\0';
}

int
layout_target(const char *name, long long gen, char *out, size_t sz)
{
	return xsnprintf(out, sz, "../" LAYOUT_VERSIONS "/%s/%lld", name,
	    gen) == -1 ? -1 : 0;
}

int
layout_vdir(const char *feed, const char *name, long long gen, char *out,
    size_t sz)
{
	if (gen > 0)
		return xsnprintf(out, sz, "%s/" LAYOUT_VERSIONS "/%s/%lld",
		    feed, name, gen) == -1 ? -1 : 0;
	return xsnprintf(out, sz, "%s/" LAYOUT_VERSIONS "/%s", feed, name) ==
	    -1 ? -1 : 0;
}

int
layout_live(const char *feed, const char *name, long long *gen)
{
	char	 path[PATH_MAX], buf[PATH_MAX], want[PATH_MAX];
	size_t	 n;
	ssize_t	 len;

	*gen = 0;
	if (xsnprintf(path, sizeof(path), "%s/" LAYOUT_LIVE "/%s", feed,
	    name) == -1)
		return -1;
	if ((len = readlink(path, buf, sizeof(buf) - 1)) == -1) {
		if (errno == ENOENT)
			return 0;
		log_warn("%s", path);
		return -1;
	}
	buf[len] = '\0';
	if (xsnprintf(want, sizeof(want), "../" LAYOUT_VERSIONS "/%s/", name)
	    == -1)
		return -1;
	n = strlen(want);
	if (strncmp(buf, want, n) != 0 || !layout_gen_name(buf + n, gen)) {
		log_warnx("%s: points to %s, not to a version of %s", path,
		    buf, name);
		return -1;
	}
	return 1;
}

int
layout_entry(const char *feed, const char *name, long long gen,
    struct lf_entry *e)
{
	char	 dir[PATH_MAX], path[PATH_MAX], *data;
	size_t	 len;
	int	 rc;

	memset(e, 0, sizeof(*e));
	if (layout_vdir(feed, name, gen, dir, sizeof(dir)) == -1 ||
	    xsnprintf(path, sizeof(path), "%s/" ENTRY_NAME, dir) == -1)
		return -1;
	if (read_file(path, ENTRY_MAX, &data, &len) == -1) {
		if (errno == ENOENT)
			return 1;
		log_warn("%s", path);
		return -1;
	}
	rc = manifest_entry_parse(name, data, len, e);
	free(data);
	if (rc == 0)
		e->version = gen;
	else
		log_warnx("%s: invalid", path);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
layout_names(const char *feed, struct strlist *out)
{
	char		 path[PATH_MAX];
	DIR		*d;
	struct dirent	*de;
	int		 rc = 0;

	memset(out, 0, sizeof(*out));
	if (xsnprintf(path, sizeof(path), "%s/" LAYOUT_LIVE, feed) == -1)
		return -1;
	if ((d = opendir(path)) == NULL)
		return errno == ENOENT ? 0 : (log_warn("%s", path), -1);
	while (rc == 0 && (de = readdir(d)) != NULL)
		if (valid_list_name(de->d_name))
			rc = strlist_add(out, de->d_name);
	(void)closedir(d);
	if (rc == 0 && out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	if (rc == -1)
		strlist_free(out);
	return rc;
}
