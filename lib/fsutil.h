/*
 * fsutil: the file-system steps both programs share.
 *
 * atomic_write(): the only way listfeed replaces a file readers see:
 * a temporary ".tmp-" file in the same directory (mkostemp, O_CLOEXEC),
 * write, fchmod, fsync, rename over the target, fsync the directory.
 * On any error the temporary file is removed and the target untouched.
 */
#ifndef LF_FSUTIL_H
#define LF_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define FS_TMP_PREFIX	".tmp-"

int	atomic_write(const char *dir, const char *name, const void *data,
	    size_t len, mode_t mode);
/*
 * A file of a directory no reader sees yet (a list's version before its
 * switch, gen/feed.h): created (O_EXCL), written, fchmod, fsync; no
 * temporary name, and the directory is the caller's to sync once it is
 * whole.  With FS_NOSYNC in flags, no fsync: the caller makes the file
 * durable (fs_sync()) before anything relies on it.  On an error the
 * file is removed.  0, or -1 logged.
 */
#define FS_NOSYNC	0x1
int	write_new(const char *dir, const char *name, const void *data,
	    size_t len, mode_t mode, int flags);
int	fsync_dir(const char *dir);
/*
 * syncfs(2) of the file system that holds the open file fd (name for the
 * log): what was written there is durable when it returns 0, at the cost
 * of one flush of the file system, whatever else is pending on it too.
 * It fails (-1, logged) on a write-back error on that file system since
 * fd was opened, or earlier if no syncfs has reported it yet; the error
 * may be another program's.  Once reported, a syncfs through an fd
 * opened later does not report it again.
 */
int	fs_sync(int fd, const char *name);
/* Whether syncfs(2) reports write-back errors on this kernel (Linux 5.8
 * and later; before, it returns 0 whatever happened). */
int	fs_sync_reports(void);
/*
 * mkdir, then fsync of the parent directory: the new entry survives a
 * power loss.  0, or -1 with errno set (EEXIST is not logged).
 */
int	mkdir_sync(const char *path, mode_t mode);
/* mkdir -p with mode for the missing parts, each synced; 0 or -1. */
int	mkdir_p(const char *path, mode_t mode);
/* Removes FS_TMP_PREFIX* files left in dir by a crash; returns count. */
int	clean_tmp(const char *dir);

/*
 * Secret files (the MariaDB option file): a regular file owned by the
 * caller or root that neither group nor others may read or write.
 * Returns 0, or -1 with the reason logged.
 */
int	secret_file_ok(const char *path);

/* Exclusive non-blocking flock on path (created 0600).  fd or -1;
 * *busy set to 1 when another process holds it. */
int	lock_take(const char *path, int *busy);

/* Reads a whole file (at most max bytes) into *data (NUL-terminated). */
int	read_file(const char *path, size_t max, char **data, size_t *len);

/* snprintf that returns -1 on truncation or error, else the length. */
int	xsnprintf(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * What tells one version of a file from another without reading it:
 * device, inode, size and modification time (all zero if it is absent).
 */
struct file_id {
	int		 exists;
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtim;
};
void	file_id_get(const char *path, struct file_id *);
int	file_id_eq(const struct file_id *, const struct file_id *);

/* Wall clock in milliseconds since the epoch. */
long long now_ms(void);
/* CLOCK_MONOTONIC in nanoseconds. */
long long mono_ns(void);
/* RFC 3339 UTC ("2026-11-25T20:00:00Z") of a time in ms; 0 or -1. */
int	rfc3339(long long ms, char *out, size_t outsz);

/*
 * Makes closed fds 0-2 /dev/null, so that no file opened later becomes
 * stdin, stdout or stderr; an open one (a listening socket on fd 0) is
 * kept.  Call first thing in main().  0, or -1.
 */
int	fds_std_valid(void);

#endif
