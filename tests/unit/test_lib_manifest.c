/*
 * Unit test of lib/manifest.c: manifest.json, entry.json and run.json,
 * written and read back, and hostile manifests refused.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fsutil.h"
#include "manifest.h"
#include "tmpdir.h"

#define SHA_A	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static char *
xstrdup(const char *s)
{
	char	*p = strdup(s);

	assert_non_null(p);
	return p;
}

/* A manifest with two lists (given out of order) and two rejects. */
static void
sample(struct lf_manifest *m)
{
	struct lf_entry	*l;

	memset(m, 0, sizeof(*m));
	m->generation = 7;
	m->started_ms = 1795636800000LL;
	m->generated_ms = 1795636801234LL;
	m->result = xstrdup("held");
	assert_non_null(m->held.v = calloc(1, sizeof(char *)));
	m->held.v[0] = xstrdup("zeta");
	m->held.n = 1;
	assert_non_null(m->rejects = calloc(2, sizeof(*m->rejects)));
	m->rejects[0].reason = xstrdup("invalid email");
	m->rejects[0].n = 3;
	m->rejects[1].reason = xstrdup("invalid list name");
	m->rejects[1].n = 1;
	m->nrejects = 2;
	assert_non_null(m->lists = calloc(2, sizeof(*m->lists)));
	m->nlists = 2;
	l = &m->lists[0];
	l->name = xstrdup("zeta");
	l->count = 1;
	l->mail = 1;
	l->changed = 3;
	l->changed_at = xstrdup("2026-11-20T10:00:00Z");
	l->keys = xstrdup("k1");
	l->held = xstrdup("would be emptied (was 1)");
	l = &m->lists[1];
	l->name = xstrdup("alpha");
	l->count = 3;
	l->mail = 2;
	l->digest = 1;
	l->added = 2;
	l->removed = 1;
	l->changed = 7;
	l->changed_at = xstrdup("2026-11-25T20:00:01Z");
	l->keys = xstrdup("k2");
	assert_non_null(l->files = calloc(2, sizeof(*l->files)));
	l->files[0].kind = KIND_FORMAT;
	assert_int_equal(manifest_file_set(&l->files[0], "csv",
	    "lists/alpha.csv.asc", SHA_A, "2026-11-25T20:00:01Z"), 0);
	l->files[0].changed = 7;
	l->files[1].kind = KIND_PLAIN;
	assert_int_equal(manifest_file_set(&l->files[1], NULL,
	    "plain/alpha.sympa", SHA_B, "2026-11-24T20:00:01Z"), 0);
	l->files[1].changed = 6;
	l->nfiles = 2;
	manifest_sort(m);
}

static void
test_sort_by_name(void **state)
{
	struct lf_manifest	 m;

	(void)state;
	sample(&m);
	assert_string_equal(m.lists[0].name, "alpha");
	assert_string_equal(m.lists[1].name, "zeta");
	manifest_free(&m);
	assert_null(m.lists);
	assert_int_equal(m.nlists, 0);
}

/* An entry written as entry.json and read back (manifest_entry_parse). */
static void
entry_back(const struct lf_entry *e, struct lf_entry *r)
{
	char	 path[128], *data;
	size_t	 len;

	(void)snprintf(path, sizeof(path), "%s/" ENTRY_NAME, dir);
	assert_int_equal(manifest_entry_write(dir, e, 0), 0);
	assert_int_equal(read_file(path, 1 << 20, &data, &len), 0);
	assert_int_equal(manifest_entry_parse(e->name, data, len, r), 0);
	assert_int_equal(manifest_entry_same(e, r), 1);
	free(data);
	assert_int_equal(unlink(path), 0);
}

static void
test_round_trip(void **state)
{
	struct lf_manifest	 m, r;
	struct lf_entry		 e;
	const struct lf_entry	*l = &e;
	char			*s1, *s2;

	(void)state;
	sample(&m);
	assert_non_null(s1 = manifest_dump(&m));
	assert_int_equal(manifest_parse(s1, strlen(s1), &r), 0);
	assert_int_equal(r.generation, 7);
	assert_int_equal(r.started_ms, 1795636800000LL);
	assert_int_equal(r.generated_ms, 1795636801234LL);
	assert_string_equal(r.result, "held");
	assert_int_equal(r.held.n, 1);
	assert_string_equal(r.held.v[0], "zeta");
	assert_int_equal(r.nrejects, 2);
	assert_string_equal(r.rejects[0].reason, "invalid email");
	assert_int_equal(r.rejects[0].n, 3);
	/* The summary holds no list: each one's entry is its entry.json. */
	assert_int_equal(r.nlists, 0);
	/* Serialising again gives the same bytes. */
	assert_non_null(s2 = manifest_dump(&r));
	assert_string_equal(s1, s2);
	free(s1);
	free(s2);
	manifest_free(&r);
	entry_back(&m.lists[1], &e);
	assert_string_equal(l->held, "would be emptied (was 1)");
	assert_int_equal(l->nfiles, 0);
	manifest_entry_free(&e);
	entry_back(&m.lists[0], &e);
	assert_string_equal(l->name, "alpha");
	assert_null(l->held);
	assert_int_equal(l->count, 3);
	assert_int_equal(l->mail, 2);
	assert_int_equal(l->digest, 1);
	assert_int_equal(l->added, 2);
	assert_int_equal(l->removed, 1);
	assert_int_equal(l->changed, 7);
	assert_string_equal(l->changed_at, "2026-11-25T20:00:01Z");
	assert_string_equal(l->keys, "k2");
	assert_int_equal(l->nfiles, 2);
	assert_string_equal(manifest_entry_file(l, KIND_FORMAT, "csv")->path,
	    "lists/alpha.csv.asc");
	assert_string_equal(manifest_entry_file(l, KIND_PLAIN, NULL)->sha256,
	    SHA_B);
	assert_int_equal(manifest_entry_file(l, KIND_PLAIN, NULL)->changed, 6);
	assert_string_equal(
	    manifest_entry_file(l, KIND_PLAIN, NULL)->changed_at,
	    "2026-11-24T20:00:01Z");
	assert_null(manifest_entry_file(l, KIND_FORMAT, "mailman"));
	assert_null(manifest_entry_file(l, KIND_FORMAT, "plain"));
	assert_null(manifest_entry_file(l, KIND_PLAIN_MAIL, NULL));
	manifest_entry_free(&e);
	manifest_free(&m);
}

static void
test_dump_has_times_and_version(void **state)
{
	struct lf_manifest	 m;
	char			*s;

	(void)state;
	sample(&m);
	assert_non_null(s = manifest_dump(&m));
	assert_non_null(strstr(s, "\"version\": 1"));
	assert_non_null(strstr(s, "\"generation\": 7"));
	assert_non_null(strstr(s, "\"started_at\": \"2026-11-25T20:00:00Z\""));
	assert_non_null(strstr(s,
	    "\"generated_at\": \"2026-11-25T20:00:01Z\""));
	/* Nothing per list but the held one's name: its size does not grow
	 * with the lists. */
	assert_null(strstr(s, "\"lists\""));
	assert_null(strstr(s, "alpha"));
	assert_non_null(strstr(s, "\"zeta\""));
	free(s);
	manifest_free(&m);
}

static void
test_empty_manifest(void **state)
{
	struct lf_manifest	 m, r;
	char			*s;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_non_null(s = manifest_dump(&m));
	assert_int_equal(manifest_parse(s, strlen(s), &r), 0);
	assert_string_equal(r.result, "ok");
	assert_int_equal(r.nlists, 0);
	assert_null(manifest_find(&r, "a"));
	free(s);
	manifest_free(&r);
}

static int
parse(const char *json)
{
	struct lf_manifest	 m;
	int			 rc;

	rc = manifest_parse(json, strlen(json), &m);
	if (rc == 0)
		manifest_free(&m);
	else {
		assert_null(m.lists);
		assert_null(m.result);
	}
	return rc;
}

#define LIST_WITH_PATH(p) \
	"{\"version\":1,\"lists\":{\"a\":{\"count\":1,\"files\":" \
	"{\"csv\":{\"path\":\"" p "\",\"sha256\":\"x\"}}}}}"

static void
test_parse_minimal(void **state)
{
	(void)state;
	/* A summary: no lists. */
	assert_int_equal(parse("{\"version\":1}"), 0);
	/* The layout before's manifest (read to convert it): lists. */
	assert_int_equal(parse("{\"version\":1,\"lists\":{}}"), 0);
	assert_int_equal(parse(LIST_WITH_PATH("lists/a.csv.asc")), 0);
}

static void
test_parse_invalid_json_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"{",
		"not json",
		"[]",
		"{\"version\":1,\"lists\":{}} trailing",
		"{\"version\":1,\"lists\":{},\"lists\":{}}",
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i]) != -1)
			fail_msg("accepted: %s", bad[i]);
}

static void
test_parse_wrong_shape_refused(void **state)
{
	static const char *const bad[] = {
		"{\"lists\":{}}",
		"{\"version\":2,\"lists\":{}}",
		"{\"version\":\"1\",\"lists\":{}}",
		"{\"version\":1,\"lists\":null}",
		"{\"version\":1,\"lists\":[]}",
		"{\"version\":1,\"lists\":{\"a\":1}}",
		"{\"version\":1,\"lists\":{\"Bad\":{}}}",
		"{\"version\":1,\"lists\":{\"../x\":{}}}",
		"{\"version\":1,\"held\":[1],\"lists\":{}}",
		"{\"version\":1,\"lists\":{\"a\":{\"held\":1}}}",
		"{\"version\":1,\"lists\":{\"a\":{\"held\":null}}}",
		"{\"version\":1,\"lists\":{\"a\":{\"files\":[]}}}",
		"{\"version\":1,\"lists\":{\"a\":{\"files\":{\"csv\":1}}}}",
		"{\"version\":1,\"lists\":{\"a\":{\"files\":{\"csv\":"
		    "{\"sha256\":\"x\"}}}}}",
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i]) != -1)
			fail_msg("accepted: %s", bad[i]);
}

static void
test_parse_path_traversal_refused(void **state)
{
	static const char *const bad[] = {
		LIST_WITH_PATH("/etc/passwd"),
		LIST_WITH_PATH("../secret"),
		LIST_WITH_PATH("lists/../../etc/passwd"),
		LIST_WITH_PATH("lists/.."),
		LIST_WITH_PATH(".."),
		LIST_WITH_PATH(""),
		LIST_WITH_PATH("."),
		LIST_WITH_PATH("lists/./a"),
		LIST_WITH_PATH("lists//a"),
		LIST_WITH_PATH("lists/"),
		LIST_WITH_PATH("lists/a\\nX-Evil: 1"),
		LIST_WITH_PATH("lists/a\\r\\n"),
		LIST_WITH_PATH("lists/a\\u0000b"),
		LIST_WITH_PATH("lists/a b"),
		LIST_WITH_PATH("lists/a?b"),
		LIST_WITH_PATH("lists/a%2e%2e"),
		LIST_WITH_PATH("lists\\\\..\\\\a"),
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i]) != -1)
			fail_msg("accepted: %s", bad[i]);
}

#define LIST_WITH_FILE(k, p) \
	"{\"version\":1,\"lists\":{\"a\":{\"count\":1,\"files\":" \
	"{\"" k "\":{\"path\":\"" p "\",\"sha256\":\"x\"}}}}}"

/* Each key is a kind of kind.h, at the one path kind.h gives it. */
static void
test_parse_kind_at_its_path(void **state)
{
	static const char *const bad[] = {
		LIST_WITH_FILE("csv", "plain/a.sympa"),
		LIST_WITH_FILE("csv", "lists/a.sympa.asc"),
		LIST_WITH_FILE("csv", "lists/b.csv.asc"),
		LIST_WITH_FILE("plain", "lists/a.plain.asc"),
		LIST_WITH_FILE("plain", "plain/mail/a.sympa"),
		LIST_WITH_FILE("sympa-mail", "lists/a.sympa-mail.asc"),
		LIST_WITH_FILE("Csv", "lists/a.Csv.asc"),
		LIST_WITH_FILE("", "lists/a..asc"),
	};
	size_t	 i;

	(void)state;
	assert_int_equal(parse(LIST_WITH_FILE("x-y_1", "lists/a.x-y_1.asc")),
	    0);
	assert_int_equal(parse(LIST_WITH_FILE("plain", "plain/a.sympa")), 0);
	assert_int_equal(parse(LIST_WITH_FILE("plain-digest",
	    "plain/digest/a.sympa")), 0);
	assert_int_equal(parse(LIST_WITH_FILE("sympa-mail",
	    "lists/mail/a.sympa.asc")), 0);
	assert_int_equal(parse(LIST_WITH_FILE("sympa-digest",
	    "lists/digest/a.sympa.asc")), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i]) != -1)
			fail_msg("accepted: %s", bad[i]);
}

static void
test_write_and_read(void **state)
{
	struct lf_manifest	 m, r;
	char			 path[128];
	struct stat		 st;

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/" MANIFEST_NAME, dir);
	assert_int_equal(manifest_read(path, &r), 1);
	assert_int_equal(r.nlists, 0);
	sample(&m);
	assert_int_equal(manifest_write(dir, &m), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(manifest_read(path, &r), 0);
	assert_int_equal(r.generation, 7);
	assert_int_equal(r.nlists, 0);
	manifest_free(&r);
	manifest_free(&m);
	assert_int_equal(atomic_write(dir, MANIFEST_NAME, "{oops", 5, 0644),
	    0);
	assert_int_equal(manifest_read(path, &r), -1);
	assert_int_equal(manifest_read(dir, &r), -1);
}

static void
test_entry_copy_is_deep(void **state)
{
	struct lf_manifest	 m;
	struct lf_entry		 c;

	(void)state;
	sample(&m);
	assert_int_equal(manifest_entry_copy(&c, &m.lists[0]), 0);
	manifest_free(&m);
	assert_string_equal(c.name, "alpha");
	assert_int_equal(c.count, 3);
	assert_int_equal(c.nfiles, 2);
	assert_string_equal(c.files[1].path, "plain/alpha.sympa");
	assert_string_equal(c.keys, "k2");
	manifest_entry_free(&c);
	assert_null(c.name);
	sample(&m);
	assert_int_equal(manifest_entry_copy(&c, &m.lists[1]), 0);
	manifest_free(&m);
	assert_string_equal(c.held, "would be emptied (was 1)");
	manifest_entry_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_by_name),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_dump_has_times_and_version),
		cmocka_unit_test(test_empty_manifest),
		cmocka_unit_test(test_parse_minimal),
		cmocka_unit_test(test_parse_invalid_json_refused),
		cmocka_unit_test(test_parse_wrong_shape_refused),
		cmocka_unit_test(test_parse_path_traversal_refused),
		cmocka_unit_test(test_parse_kind_at_its_path),
		cmocka_unit_test(test_write_and_read),
		cmocka_unit_test(test_entry_copy_is_deep),
	};

	return cmocka_run_group_tests_name("lib_manifest", tests, group_setup,
	    group_teardown);
}
