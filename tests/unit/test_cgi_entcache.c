/* cgi/entcache.c: entries per feed, links trusted only while watched,
 * entries of removed lists dropped, what is learnt of files forgotten. */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "entcache.h"
#include "strlist.h"

static char	 top[64];

/* FEED/v/x/G/entry.json with count members, and FEED/l/x -> it. */
static void
publish(const char *feed, long long gen, unsigned long count)
{
	char	 path[256], target[64];
	FILE	*f;

	(void)snprintf(path, sizeof(path), "%s/v/x/%lld", feed, gen);
	assert_int_equal(mkdir(feed, 0755) == 0 || access(feed, F_OK) == 0, 1);
	(void)snprintf(target, sizeof(target), "%s/v", feed);
	(void)mkdir(target, 0755);
	(void)snprintf(target, sizeof(target), "%s/v/x", feed);
	(void)mkdir(target, 0755);
	(void)snprintf(target, sizeof(target), "%s/l", feed);
	(void)mkdir(target, 0755);
	assert_int_equal(mkdir(path, 0755), 0);
	(void)strcat(path, "/entry.json");
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "{\"name\": \"x\", \"count\": %lu, \"reception\": "
	    "{\"mail\": %lu, \"digest\": 0}, \"added\": 0, \"removed\": 0, "
	    "\"changed\": %lld, \"changed_at\": \"2026-11-25T20:00:01Z\", "
	    "\"keys\": \"k\", \"files\": {\"csv\": {\"path\": "
	    "\"lists/x.csv.asc\", \"sha256\": \"00\"}}}\n", count, count, gen);
	assert_int_equal(fclose(f), 0);
	(void)snprintf(target, sizeof(target), "../v/x/%lld", gen);
	(void)snprintf(path, sizeof(path), "%s/l/.tmp", feed);
	assert_int_equal(symlink(target, path), 0);
	(void)snprintf(target, sizeof(target), "%s/l/x", feed);
	assert_int_equal(rename(path, target), 0);
}

/* The count of x's live entry in feed, -1 if none. */
static long
count(const char *feed)
{
	struct centry	*c;
	long		 n;

	if (entcache_get(feed, "x", &c) != 1)
		return -1;
	n = (long)c->e.count;
	entcache_put(c);
	return n;
}

static void
test_per_feed(void **state)
{
	char	 a[96], b[96];

	(void)state;
	(void)snprintf(a, sizeof(a), "%s/a", top);
	(void)snprintf(b, sizeof(b), "%s/b", top);
	publish(a, 1, 1);
	publish(b, 1, 2);
	assert_int_equal(count(a), 1);
	/* The same name and version in another feed: its own entry. */
	assert_int_equal(count(b), 2);
	assert_int_equal(count(a), 1);
	entcache_flush();
}

static void
test_trust(void **state)
{
	struct centry	*c;
	char		 a[96], path[128];

	(void)state;
	(void)snprintf(a, sizeof(a), "%s/t", top);
	publish(a, 1, 1);
	entcache_trust(a);
	assert_int_equal(count(a), 1);
	/* Trusted and not told: the link is not read again. */
	publish(a, 2, 2);
	assert_int_equal(count(a), 1);
	entcache_stale("x");
	assert_int_equal(count(a), 2);
	/* Not told (no event: NFS), but read more than a second ago: read
	 * again.  The entry is made older rather than waited for. */
	publish(a, 5, 5);
	assert_int_equal(count(a), 2);
	assert_int_equal(entcache_get(a, "x", &c), 1);
	c->read_ms -= 1001;
	entcache_put(c);
	assert_int_equal(count(a), 5);
	/* Told it is gone: dropped, and the link read again. */
	(void)snprintf(path, sizeof(path), "%s/l/x", a);
	assert_int_equal(unlink(path), 0);
	entcache_gone("x");
	assert_int_equal(count(a), -1);
	/* Not trusted: every get reads the link. */
	publish(a, 3, 3);
	entcache_untrust();
	assert_int_equal(count(a), 3);
	publish(a, 4, 4);
	assert_int_equal(count(a), 4);
	entcache_flush();
}

static void
test_sweep_and_files(void **state)
{
	struct strlist	 none = { NULL, 0 };
	struct centry	*c, *d;
	char		 a[96];
	long long	 size;
	unsigned long	 era;

	(void)state;
	(void)snprintf(a, sizeof(a), "%s/s", top);
	publish(a, 1, 5);
	assert_int_equal(entcache_get(a, "x", &c), 1);
	assert_int_equal(entcache_file_size(c, 0, &size, &era), 0);
	entcache_file_keep(c, 0, 42, era);
	assert_int_equal(entcache_file_size(c, 0, &size, &era), 1);
	assert_int_equal(size, 42);
	entcache_files_stale();
	assert_int_equal(entcache_file_size(c, 0, &size, &era), 0);
	/* Kept only if nothing was said of the files since. */
	entcache_files_stale();
	entcache_file_keep(c, 0, 42, era);
	assert_int_equal(entcache_file_size(c, 0, &size, &era), 0);
	/* Swept: the entry handed out stays valid, the next is read. */
	entcache_sweep(a, &none);
	assert_int_equal(c->e.count, 5);
	assert_int_equal(entcache_get(a, "x", &d), 1);
	assert_ptr_not_equal(c, d);
	entcache_put(d);
	entcache_put(c);
	entcache_flush();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_feed),
		cmocka_unit_test(test_trust),
		cmocka_unit_test(test_sweep_and_files),
	};
	char	 cmd[96];
	int	 rc;

	(void)snprintf(top, sizeof(top), "/tmp/test_cgi_entcache.XXXXXX");
	if (mkdtemp(top) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
