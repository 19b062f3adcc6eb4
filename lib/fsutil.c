/* fsutil: see fsutil.h. */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"

int
xsnprintf(char *s, size_t n, const char *fmt, ...)
{
	va_list	 ap;
	int	 r;

	va_start(ap, fmt);
	r = vsnprintf(s, n, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= n)
		return -1;
	return r;
}

int
fsync_dir(const char *dir)
{
	int	 fd, rc = 0;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_warn("%s", dir);
		return -1;
	}
	if (fsync(fd) == -1) {
		log_warn("fsync %s", dir);
		rc = -1;
	}
	(void)close(fd);
	return rc;
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char	*p = data;
	ssize_t		 n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Writes data to fd (the new file path), fchmod, fsync (unless
 * FS_NOSYNC), close; on an error the file is closed and removed, errno
 * kept.  0 or -1, not logged.
 */
static int
fill_new(int fd, const char *path, const void *data, size_t len,
    mode_t mode, int flags)
{
	int	 saved;

	if (write_all(fd, data, len) == -1 || fchmod(fd, mode) == -1 ||
	    (!(flags & FS_NOSYNC) && fsync(fd) == -1)) {
		saved = errno;
		(void)close(fd);
		(void)unlink(path);
		errno = saved;
		return -1;
	}
	if (close(fd) == -1) {
		saved = errno;
		(void)unlink(path);
		errno = saved;
		return -1;
	}
	return 0;
}

int
atomic_write(const char *dir, const char *name, const void *data, size_t len,
    mode_t mode)
{
	char	 tmp[PATH_MAX], dst[PATH_MAX];
	int	 fd, saved;

	if (strchr(name, '/') != NULL ||
	    xsnprintf(dst, sizeof(dst), "%s/%s", dir, name) == -1 ||
	    xsnprintf(tmp, sizeof(tmp), "%s/" FS_TMP_PREFIX "%s.XXXXXX", dir,
	    name) == -1) {
		log_warnx("%s/%s: bad or too long path", dir, name);
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		log_warn("%s: cannot create temporary file", dir);
		return -1;
	}
	if (fill_new(fd, tmp, data, len, mode, 0) == -1) {
		log_warn("%s", dst);
		return -1;
	}
	if (rename(tmp, dst) == -1) {
		saved = errno;
		(void)unlink(tmp);
		errno = saved;
		log_warn("rename %s", dst);
		return -1;
	}
	return fsync_dir(dir);
}

int
write_new(const char *dir, const char *name, const void *data, size_t len,
    mode_t mode, int flags)
{
	char	 path[PATH_MAX];
	int	 fd;

	if (strchr(name, '/') != NULL ||
	    xsnprintf(path, sizeof(path), "%s/%s", dir, name) == -1) {
		log_warnx("%s/%s: bad or too long path", dir, name);
		return -1;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1 || fill_new(fd, path, data, len, mode, flags) == -1) {
		log_warn("%s", path);
		return -1;
	}
	return 0;
}

int
fs_sync_reports(void)
{
	struct utsname	 u;
	unsigned	 major, minor;

	if (uname(&u) == -1 || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return 0;
	return major > 5 || (major == 5 && minor >= 8);
}

int
fs_sync(int fd, const char *name)
{
	if (syncfs(fd) == -1) {
		log_warn("syncfs %s", name);
		return -1;
	}
	return 0;
}

int
mkdir_sync(const char *path, mode_t mode)
{
	char	 parent[PATH_MAX];
	char	*slash;

	if (mkdir(path, mode) == -1) {
		if (errno != EEXIST)
			log_warn("mkdir %s", path);
		return -1;
	}
	if (xsnprintf(parent, sizeof(parent), "%s", path) == -1)
		return -1;
	if ((slash = strrchr(parent, '/')) == NULL)
		(void)strcpy(parent, ".");
	else if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';
	return fsync_dir(parent);
}

int
mkdir_p(const char *path, mode_t mode)
{
	struct stat	 st;
	char		 p[PATH_MAX];
	char		*s;

	if (path[0] == '\0' || xsnprintf(p, sizeof(p), "%s", path) == -1) {
		log_warnx("\"%s\": empty or too long path", path);
		return -1;
	}
	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir_sync(p, mode) == -1 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir_sync(p, mode) == -1 && errno != EEXIST)
		return -1;
	if (stat(p, &st) == -1) {
		log_warn("%s", p);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_warnx("%s: not a directory", p);
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int
clean_tmp(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0, dfd;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, FS_TMP_PREFIX,
		    sizeof(FS_TMP_PREFIX) - 1) != 0)
			continue;
		if (unlinkat(dfd, de->d_name, 0) == 0)
			n++;
		else
			log_warn("%s/%s", dir, de->d_name);
	}
	(void)closedir(d);
	return n;
}

int
secret_file_ok(const char *path)
{
	struct stat	 st;
	int		 fd;

	/* Open without following a link, then check what was opened
	 * (O_NONBLOCK: a FIFO must not hang the open). */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1) {
		log_warn("%s", path);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		log_warn("%s", path);
		(void)close(fd);
		return -1;
	}
	(void)close(fd);
	if (!S_ISREG(st.st_mode)) {
		log_warnx("%s: not a regular file", path);
		return -1;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		log_warnx("%s: owned by uid %u, not by this user or root",
		    path, (unsigned)st.st_uid);
		return -1;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		log_warnx("%s: group or others may access it (mode %04o); "
		    "chmod 600 it", path, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

int
lock_take(const char *path, int *busy)
{
	int	 fd;

	*busy = 0;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		log_warn("%s", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			*busy = 1;
		else
			log_warn("flock %s", path);
		(void)close(fd);
		return -1;
	}
	return fd;
}

int
read_file(const char *path, size_t max, char **data, size_t *len)
{
	struct stat	 st;
	char		*p;
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd;

	*data = NULL;
	*len = 0;
	/* O_NONBLOCK: a FIFO must not hang the open; no effect on the
	 * reads of a regular file. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1) {
		(void)close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		(void)close(fd);
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		return -1;
	}
	if ((p = malloc((size_t)st.st_size + 1)) == NULL) {
		(void)close(fd);
		return -1;
	}
	while (off < (size_t)st.st_size) {
		n = read(fd, p + off, (size_t)st.st_size - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	(void)close(fd);
	p[off] = '\0';
	*data = p;
	*len = off;
	return 0;
}

void
file_id_get(const char *path, struct file_id *id)
{
	struct stat	st;

	memset(id, 0, sizeof(*id));
	if (stat(path, &st) == -1)
		return;
	id->exists = 1;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = st.st_size;
	id->mtim = st.st_mtim;
}

int
file_id_eq(const struct file_id *a, const struct file_id *b)
{
	return a->exists == b->exists && a->dev == b->dev &&
	    a->ino == b->ino && a->size == b->size &&
	    a->mtim.tv_sec == b->mtim.tv_sec &&
	    a->mtim.tv_nsec == b->mtim.tv_nsec;
}

long long
now_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long
mono_ns(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int
rfc3339(long long ms, char *out, size_t outsz)
{
	time_t		 t = (time_t)(ms / 1000);
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -1;
	return 0;
}

int
fds_std_valid(void)
{
	int	 fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", O_RDWR) != fd)
			return -1;
	}
	return 0;
}
