/*
 * Unit test of lib/fsutil.c: atomic writes, new files, temporary file clean-up,
 * secret file checks, locks, bounded reads, time stamps.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fsutil.h"
#include "tmpdir.h"

static volatile sig_atomic_t alarmed;

static void
on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

/* Arms a 2-second alarm that interrupts a blocking call (no restart). */
static void
arm(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
	alarmed = 0;
	(void)alarm(2);
}

/* The group's directory (tmpdir.h), made under the umask the tests'
 * modes assume. */
static int
fsutil_setup(void **state)
{
	(void)umask(022);
	return group_setup(state);
}

/* A fresh sub-directory of the test directory. */
static void
subdir(const char *name, char *out, size_t outsz)
{
	char	 cmd[PATH_MAX + 16];

	(void)snprintf(out, outsz, "%s/%s", dir, name);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf %s", out);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(mkdir(out, 0755), 0);
}

static void
put(const char *path, const char *text, mode_t mode)
{
	int	 fd;

	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600))
	    != -1);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

/* Number of entries in d other than . and .. */
static int
entries(const char *d)
{
	DIR		*dp;
	struct dirent	*de;
	int		 n = 0;

	assert_non_null(dp = opendir(d));
	while ((de = readdir(dp)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	(void)closedir(dp);
	return n;
}

static void
test_atomic_write_new_file(void **state)
{
	char		 d[256], p[PATH_MAX], *data;
	size_t		 len;
	struct stat	 st;

	(void)state;
	subdir("aw1", d, sizeof(d));
	assert_int_equal(atomic_write(d, "f.txt", "hello\n", 6, 0640), 0);
	(void)snprintf(p, sizeof(p), "%s/f.txt", d);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(read_file(p, 100, &data, &len), 0);
	assert_int_equal(len, 6);
	assert_string_equal(data, "hello\n");
	free(data);
	assert_int_equal(entries(d), 1);
}

static void
test_atomic_write_replaces_and_keeps_inode_fresh(void **state)
{
	char		 d[256], p[PATH_MAX], *data;
	size_t		 len;
	struct stat	 st1, st2;
	int		 fd;

	(void)state;
	subdir("aw2", d, sizeof(d));
	(void)snprintf(p, sizeof(p), "%s/f", d);
	assert_int_equal(atomic_write(d, "f", "old", 3, 0644), 0);
	assert_int_equal(stat(p, &st1), 0);
	/* A reader holding the old file keeps reading the old bytes. */
	assert_true((fd = open(p, O_RDONLY)) != -1);
	assert_int_equal(atomic_write(d, "f", "new!", 4, 0600), 0);
	assert_int_equal(stat(p, &st2), 0);
	assert_int_not_equal(st1.st_ino, st2.st_ino);
	assert_int_equal(st2.st_mode & 07777, 0600);
	{
		char	 b[8] = "";

		assert_int_equal(read(fd, b, sizeof(b)), 3);
		assert_memory_equal(b, "old", 3);
	}
	(void)close(fd);
	assert_int_equal(read_file(p, 100, &data, &len), 0);
	assert_string_equal(data, "new!");
	free(data);
	assert_int_equal(entries(d), 1);
}

/* write_new(): the file as given, no temporary name; never over a file. */
static void
test_write_new(void **state)
{
	char		 d[256], p[PATH_MAX], *data;
	size_t		 len;
	struct stat	 st;
	mode_t		 old;
	int		 fd;

	(void)state;
	subdir("wn", d, sizeof(d));
	old = umask(077);
	assert_int_equal(write_new(d, "f.asc", "hello\n", 6, 0644, 0), 0);
	(void)umask(old);
	(void)snprintf(p, sizeof(p), "%s/f.asc", d);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(entries(d), 1);
	/* An existing file stays as it was. */
	assert_int_equal(write_new(d, "f.asc", "other", 5, 0644, 0), -1);
	assert_int_equal(read_file(p, 100, &data, &len), 0);
	assert_int_equal(len, 6);
	assert_string_equal(data, "hello\n");
	free(data);
	assert_int_equal(write_new(d, "a/b", "x", 1, 0644, 0), -1);
	assert_int_equal(write_new("/nonexistent-dir", "f", "x", 1, 0644, 0), -1);
	assert_int_equal(write_new(d, "empty", "", 0, 0600, FS_NOSYNC), 0);
	assert_int_equal(entries(d), 2);
	/* Unsynced, then the file system flushed at once. */
	assert_int_equal(write_new(d, "later", "y\n", 2, 0640, FS_NOSYNC), 0);
	(void)snprintf(p, sizeof(p), "%s/later", d);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_size, 2);
	fd = open(d, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(fs_sync(fd, d), 0);
	(void)close(fd);
	assert_int_equal(fs_sync(-1, "no fd"), -1);
	assert_int_equal(fs_sync_reports(), 1);		/* Debian 12: 6.1 */
}

static void
test_atomic_write_mode_ignores_umask(void **state)
{
	char		 d[256], p[PATH_MAX];
	struct stat	 st;
	mode_t		 old;

	(void)state;
	subdir("aw3", d, sizeof(d));
	old = umask(077);
	assert_int_equal(atomic_write(d, "f", "x", 1, 0644), 0);
	(void)umask(old);
	(void)snprintf(p, sizeof(p), "%s/f", d);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
}

static void
test_atomic_write_empty_data(void **state)
{
	char		 d[256], p[PATH_MAX];
	struct stat	 st;

	(void)state;
	subdir("aw4", d, sizeof(d));
	assert_int_equal(atomic_write(d, "empty", "", 0, 0644), 0);
	(void)snprintf(p, sizeof(p), "%s/empty", d);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 0);
}

static void
test_atomic_write_refuses_slash_and_leaves_nothing(void **state)
{
	char	 d[PATH_MAX];

	(void)state;
	subdir("aw5", d, sizeof(d));
	assert_int_equal(atomic_write(d, "../escape", "x", 1, 0644), -1);
	assert_int_equal(atomic_write(d, "a/b", "x", 1, 0644), -1);
	assert_int_equal(atomic_write("/nonexistent-dir", "f", "x", 1, 0644),
	    -1);
	assert_int_equal(entries(d), 0);
}

static void
test_atomic_write_failed_rename_cleans_up(void **state)
{
	char	 d[256], p[PATH_MAX];

	(void)state;
	subdir("aw6", d, sizeof(d));
	/* The target is a non-empty directory: rename fails. */
	(void)snprintf(p, sizeof(p), "%s/busy", d);
	assert_int_equal(mkdir(p, 0755), 0);
	(void)snprintf(p, sizeof(p), "%s/busy/x", d);
	put(p, "x", 0644);
	assert_int_equal(atomic_write(d, "busy", "data", 4, 0644), -1);
	assert_int_equal(entries(d), 1);
}

static void
test_clean_tmp(void **state)
{
	char	 d[256], p[PATH_MAX];

	(void)state;
	subdir("ct", d, sizeof(d));
	(void)snprintf(p, sizeof(p), "%s/" FS_TMP_PREFIX "a.XXXXXX", d);
	put(p, "x", 0600);
	(void)snprintf(p, sizeof(p), "%s/" FS_TMP_PREFIX "b", d);
	put(p, "x", 0600);
	(void)snprintf(p, sizeof(p), "%s/keep.tmp-", d);
	put(p, "x", 0600);
	(void)snprintf(p, sizeof(p), "%s/.tmp", d);
	put(p, "x", 0600);
	(void)snprintf(p, sizeof(p), "%s/manifest.json", d);
	put(p, "x", 0600);
	assert_int_equal(clean_tmp(d), 2);
	assert_int_equal(entries(d), 3);
	assert_int_equal(clean_tmp(d), 0);
	(void)snprintf(p, sizeof(p), "%s/nosuch", d);
	assert_int_equal(clean_tmp(p), 0);
}

static void
test_secret_file_modes(void **state)
{
	char	 d[256], p[PATH_MAX];

	(void)state;
	subdir("sec", d, sizeof(d));
	(void)snprintf(p, sizeof(p), "%s/my.cnf", d);
	put(p, "[listfeed]\npassword=x\n", 0600);
	assert_int_equal(secret_file_ok(p), 0);
	assert_int_equal(chmod(p, 0400), 0);
	assert_int_equal(secret_file_ok(p), 0);
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(secret_file_ok(p), -1);
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(secret_file_ok(p), -1);
	assert_int_equal(chmod(p, 0604), 0);
	assert_int_equal(secret_file_ok(p), -1);
	assert_int_equal(chmod(p, 0620), 0);
	assert_int_equal(secret_file_ok(p), -1);
	assert_int_equal(chmod(p, 0601), 0);
	assert_int_equal(secret_file_ok(p), -1);
}

static void
test_secret_file_symlink_refused(void **state)
{
	char	 d[256], p[PATH_MAX], l[PATH_MAX];

	(void)state;
	subdir("secl", d, sizeof(d));
	(void)snprintf(p, sizeof(p), "%s/my.cnf", d);
	put(p, "x", 0600);
	(void)snprintf(l, sizeof(l), "%s/link.cnf", d);
	assert_int_equal(symlink(p, l), 0);
	assert_int_equal(secret_file_ok(p), 0);
	assert_int_equal(secret_file_ok(l), -1);
}

static void
test_secret_file_dir_and_missing_refused(void **state)
{
	char	 d[256], p[PATH_MAX];

	(void)state;
	subdir("secd", d, sizeof(d));
	assert_int_equal(chmod(d, 0700), 0);
	assert_int_equal(secret_file_ok(d), -1);
	(void)snprintf(p, sizeof(p), "%s/nosuch", d);
	assert_int_equal(secret_file_ok(p), -1);
}

static void
test_secret_file_fifo_refused_without_blocking(void **state)
{
	char	 d[256], p[PATH_MAX];

	(void)state;
	subdir("secf", d, sizeof(d));
	(void)snprintf(p, sizeof(p), "%s/fifo", d);
	assert_int_equal(mkfifo(p, 0600), 0);
	arm();			/* a blocking open would hang here */
	assert_int_equal(secret_file_ok(p), -1);
	(void)alarm(0);
	assert_int_equal(alarmed, 0);
}

static void
test_lock_take_busy(void **state)
{
	char		 p[PATH_MAX];
	struct stat	 st;
	int		 fd, fd2, busy = -1;

	(void)state;
	(void)snprintf(p, sizeof(p), "%s/lock", dir);
	fd = lock_take(p, &busy);
	assert_true(fd >= 0);
	assert_int_equal(busy, 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* A second open file description conflicts, as another process. */
	assert_int_equal(lock_take(p, &busy), -1);
	assert_int_equal(busy, 1);
	(void)close(fd);
	fd2 = lock_take(p, &busy);
	assert_true(fd2 >= 0);
	assert_int_equal(busy, 0);
	(void)close(fd2);
}

static void
test_lock_take_unopenable(void **state)
{
	int	 busy = -1;

	(void)state;
	assert_int_equal(lock_take("/nonexistent-dir/lock", &busy), -1);
	assert_int_equal(busy, 0);
}

static void
test_read_file_limits(void **state)
{
	char	 p[PATH_MAX], *data = (char *)1;
	size_t	 len = 99;

	(void)state;
	(void)snprintf(p, sizeof(p), "%s/ten", dir);
	put(p, "0123456789", 0644);
	assert_int_equal(read_file(p, 10, &data, &len), 0);
	assert_int_equal(len, 10);
	assert_string_equal(data, "0123456789");
	free(data);
	errno = 0;
	assert_int_equal(read_file(p, 9, &data, &len), -1);
	assert_int_equal(errno, EFBIG);
	assert_null(data);
	assert_int_equal(len, 0);
	assert_int_equal(read_file(dir, 1000, &data, &len), -1);
	assert_int_equal(errno, EINVAL);
	(void)snprintf(p, sizeof(p), "%s/nosuch", dir);
	assert_int_equal(read_file(p, 1000, &data, &len), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_read_file_empty_and_binary(void **state)
{
	char	 d[256], p[PATH_MAX], *data;
	size_t	 len;

	(void)state;
	subdir("rf", d, sizeof(d));
	assert_int_equal(atomic_write(d, "e", "", 0, 0644), 0);
	(void)snprintf(p, sizeof(p), "%s/e", d);
	assert_int_equal(read_file(p, 0, &data, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	free(data);
	assert_int_equal(atomic_write(d, "b", "a\0b", 3, 0644), 0);
	(void)snprintf(p, sizeof(p), "%s/b", d);
	assert_int_equal(read_file(p, 3, &data, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(data, "a\0b", 4);
	free(data);
}

static void
test_read_file_fifo_refused_without_blocking(void **state)
{
	char	 d[256], p[PATH_MAX], *data;
	size_t	 len;

	(void)state;
	subdir("rff", d, sizeof(d));
	(void)snprintf(p, sizeof(p), "%s/fifo", d);
	assert_int_equal(mkfifo(p, 0600), 0);
	arm();
	assert_int_equal(read_file(p, 100, &data, &len), -1);
	assert_int_equal(errno, EINVAL);
	(void)alarm(0);
	assert_int_equal(alarmed, 0);
}

static void
test_mkdir_p(void **state)
{
	char		 p[PATH_MAX];
	struct stat	 st;

	(void)state;
	(void)snprintf(p, sizeof(p), "%s/mk/a/b/c", dir);
	assert_int_equal(mkdir_p(p, 0700), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(mkdir_p(p, 0700), 0);
	(void)snprintf(p, sizeof(p), "%s/mk//d/", dir);
	assert_int_equal(mkdir_p(p, 0700), 0);
	assert_int_equal(mkdir_p("", 0700), -1);
}

static void
test_mkdir_p_refuses_a_file(void **state)
{
	char	 p[PATH_MAX];

	(void)state;
	(void)snprintf(p, sizeof(p), "%s/plainfile", dir);
	put(p, "x", 0644);
	assert_int_equal(mkdir_p(p, 0700), -1);
}

static void
test_file_id(void **state)
{
	char		 d[256], p[PATH_MAX];
	struct file_id	 none, a, a2, b;

	(void)state;
	subdir("fid", d, sizeof(d));
	(void)snprintf(p, sizeof(p), "%s/f", d);
	file_id_get(p, &none);
	assert_int_equal(none.exists, 0);
	assert_int_equal(atomic_write(d, "f", "one\n", 4, 0644), 0);
	file_id_get(p, &a);
	file_id_get(p, &a2);
	assert_int_equal(a.exists, 1);
	assert_true(file_id_eq(&a, &a2));
	assert_false(file_id_eq(&a, &none));
	/* Replaced by rename: another inode, even with the same bytes. */
	assert_int_equal(atomic_write(d, "f", "one\n", 4, 0644), 0);
	file_id_get(p, &b);
	assert_false(file_id_eq(&a, &b));
}

static void
test_xsnprintf(void **state)
{
	char	 b[6];

	(void)state;
	assert_int_equal(xsnprintf(b, sizeof(b), "%s", "abcde"), 5);
	assert_string_equal(b, "abcde");
	assert_int_equal(xsnprintf(b, sizeof(b), "%s", "abcdef"), -1);
	assert_int_equal(xsnprintf(b, sizeof(b), "%d", 7), 1);
}

static void
test_rfc3339(void **state)
{
	char	 b[32];

	(void)state;
	assert_int_equal(rfc3339(0, b, sizeof(b)), 0);
	assert_string_equal(b, "1970-01-01T00:00:00Z");
	assert_int_equal(rfc3339(1795636800999LL, b, sizeof(b)), 0);
	assert_string_equal(b, "2026-11-25T20:00:00Z");
	assert_int_equal(rfc3339(951782400000LL, b, sizeof(b)), 0);
	assert_string_equal(b, "2000-02-29T00:00:00Z");
	assert_int_equal(rfc3339(0, b, 20), -1);
	assert_int_equal(rfc3339(0, b, 21), 0);
}

static void
test_now_ms(void **state)
{
	long long	 a, b;

	(void)state;
	a = now_ms();
	b = now_ms();
	assert_true(a > 1700000000000LL);
	assert_true(b >= a);
	assert_true(b - a < 10000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atomic_write_new_file),
		cmocka_unit_test(test_file_id),
		cmocka_unit_test(test_atomic_write_replaces_and_keeps_inode_fresh),
		cmocka_unit_test(test_atomic_write_mode_ignores_umask),
		cmocka_unit_test(test_write_new),
		cmocka_unit_test(test_atomic_write_empty_data),
		cmocka_unit_test(test_atomic_write_refuses_slash_and_leaves_nothing),
		cmocka_unit_test(test_atomic_write_failed_rename_cleans_up),
		cmocka_unit_test(test_clean_tmp),
		cmocka_unit_test(test_secret_file_modes),
		cmocka_unit_test(test_secret_file_symlink_refused),
		cmocka_unit_test(test_secret_file_dir_and_missing_refused),
		cmocka_unit_test(test_secret_file_fifo_refused_without_blocking),
		cmocka_unit_test(test_lock_take_busy),
		cmocka_unit_test(test_lock_take_unopenable),
		cmocka_unit_test(test_read_file_limits),
		cmocka_unit_test(test_read_file_empty_and_binary),
		cmocka_unit_test(test_read_file_fifo_refused_without_blocking),
		cmocka_unit_test(test_mkdir_p),
		cmocka_unit_test(test_mkdir_p_refuses_a_file),
		cmocka_unit_test(test_xsnprintf),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_now_ms),
	};

	return cmocka_run_group_tests_name("lib_fsutil", tests, fsutil_setup,
	    group_teardown);
}
