/* run.json: run_read() and run_write() (lib/run.c). */
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
#include "strlist.h"
#include "tmpdir.h"

static void
test_run_round_trip(void **state)
{
	struct lf_run	 w, r;
	char		 path[128];

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/" RUN_NAME, dir);
	(void)unlink(path);
	assert_int_equal(run_read(path, &r), 1);
	memset(&w, 0, sizeof(w));
	w.started_ms = 1000;
	w.finished_ms = 2500;
	w.exit = 3;
	(void)strcpy(w.result, "held");
	(void)strcpy(w.message, "list \"a\" would shrink\nby 50 %");
	w.generation = 12;
	assert_int_equal(run_write(dir, &w), 0);
	assert_int_equal(run_read(path, &r), 0);
	assert_int_equal(r.sign_key.known, 0);
	w.sign_key.known = 1;
	w.sign_key.expires = 1900000000;
	assert_int_equal(run_write(dir, &w), 0);
	assert_int_equal(run_read(path, &r), 0);
	assert_int_equal(r.sign_key.known, 1);
	assert_int_equal(r.sign_key.expires, 1900000000);
	w.sign_key.expires = 0;		/* never */
	assert_int_equal(run_write(dir, &w), 0);
	assert_int_equal(run_read(path, &r), 0);
	assert_int_equal(r.sign_key.known, 1);
	assert_int_equal(r.sign_key.expires, 0);
	assert_int_equal(r.started_ms, 1000);
	assert_int_equal(r.finished_ms, 2500);
	assert_int_equal(r.exit, 3);
	assert_string_equal(r.result, "held");
	assert_string_equal(r.message, w.message);
	assert_int_equal(r.generation, 12);
}

static void
test_run_invalid_refused(void **state)
{
	struct lf_run	 r;
	char		 path[128];

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/" RUN_NAME, dir);
	assert_int_equal(atomic_write(dir, RUN_NAME, "{bad", 4, 0644), 0);
	assert_int_equal(run_read(path, &r), -1);
	assert_int_equal(atomic_write(dir, RUN_NAME, "[1,2]", 5, 0644), 0);
	assert_int_equal(run_read(path, &r), -1);
}

static void
test_run_long_strings_truncated(void **state)
{
	struct lf_run	 r;
	char		 path[128], json[2048];
	int		 n;

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/" RUN_NAME, dir);
	n = snprintf(json, sizeof(json), "{\"result\":\"%0*d\","
	    "\"message\":\"%0*d\",\"exit\":1}", 40, 0, 1000, 0);
	assert_int_equal(atomic_write(dir, RUN_NAME, json, (size_t)n, 0644),
	    0);
	assert_int_equal(run_read(path, &r), 0);
	assert_int_equal(strlen(r.result), sizeof(r.result) - 1);
	assert_int_equal(strlen(r.message), sizeof(r.message) - 1);
	assert_int_equal(r.exit, 1);
}

/* A message cut inside a UTF-8 character must not stop run.json. */
static void
test_run_message_not_utf8_still_written(void **state)
{
	struct lf_run	 w, r;
	char		 path[128];

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/" RUN_NAME, dir);
	memset(&w, 0, sizeof(w));
	(void)strcpy(w.result, "database");
	(void)strcpy(w.message, "caf\xc3\xa9 \xff cut \xe2\x82");
	w.generation = 5;
	w.exit = 2;
	assert_int_equal(run_write(dir, &w), 0);
	assert_int_equal(run_read(path, &r), 0);
	assert_int_equal(r.generation, 5);
	assert_string_equal(r.result, "database");
	assert_string_equal(r.message, "caf\xc3\xa9 ? cut ??");
}

/* Writes text as run.json and reads it: run_read()'s result. */
static int
read_text(const char *text, struct lf_run *r)
{
	char	 path[128];

	(void)snprintf(path, sizeof(path), "%s/" RUN_NAME, dir);
	assert_int_equal(atomic_write(dir, RUN_NAME, text, strlen(text),
	    0644), 0);
	return run_read(path, r);
}

static void
test_run_lists_round_trip(void **state)
{
	struct lf_run	 w, r;
	struct strlist	 live = { 0 }, held = { 0 };
	char		 path[128], *text;
	size_t		 len;

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/" RUN_NAME, dir);
	memset(&w, 0, sizeof(w));
	(void)strcpy(w.result, "held");
	w.finished_ms = 2;
	assert_int_equal(strlist_add(&live, "leden"), 0);
	assert_int_equal(strlist_add(&live, "bestuur"), 0);
	assert_int_equal(strlist_add(&held, "deelnemers"), 0);
	assert_int_equal(run_set_lists(&w, &live, &held), 0);
	assert_int_equal(run_write(dir, &w), 0);
	assert_int_equal(run_read(path, &r), 0);
	assert_int_equal(r.lists_known, 1);
	assert_int_equal(r.nlive, 2);
	assert_int_equal(r.nheld, 1);
	assert_string_equal(r.lists[0], "bestuur");	/* sorted */
	assert_string_equal(r.lists[1], "leden");
	assert_string_equal(r.lists[2], "deelnemers");
	/* Deterministic: the same run, the same text. */
	assert_int_equal(read_file(path, 4096, &text, &len), 0);
	assert_non_null(strstr(text, "\"held\": [\"deelnemers\"]"));
	assert_non_null(strstr(text, "\"live\": [\"bestuur\", \"leden\"]"));
	free(text);
	/* Past the bound: neither recorded, the reader looks at every list. */
	for (int i = 0; i < RUN_LISTS_MAX; i++) {
		char	 name[16];

		(void)snprintf(name, sizeof(name), "l%03d", i);
		assert_int_equal(strlist_add(&live, name), 0);
	}
	assert_int_equal(run_set_lists(&w, &live, &held), -1);
	assert_int_equal(w.lists_known, 0);
	assert_int_equal(run_write(dir, &w), 0);
	assert_int_equal(run_read(path, &r), 0);
	assert_int_equal(r.lists_known, 0);
	strlist_free(&live);
	strlist_free(&held);
	/* Written before the fields existed: read, lists not known. */
	assert_int_equal(read_text("{\"exit\":0,\"finished_ms\":5}", &r), 0);
	assert_int_equal(r.lists_known, 0);
	assert_int_equal(r.finished_ms, 5);
}

static void
test_run_lists_hostile_refused(void **state)
{
	static const char *const bad[] = {
		"{\"live\":[\"a\"]}",			/* held missing */
		"{\"held\":[]}",			/* live missing */
		"{\"live\":\"a\",\"held\":[]}",		/* not an array */
		"{\"live\":[1],\"held\":[]}",		/* not a name */
		"{\"live\":[null],\"held\":[]}",
		"{\"live\":[\"../x\"],\"held\":[]}",	/* not a list name */
		"{\"live\":[\"\"],\"held\":[]}",
		"{\"live\":[\"B\"],\"held\":[]}",
		"{\"live\":[\"b\",\"a\"],\"held\":[]}",	/* not sorted */
		"{\"live\":[\"a\",\"a\"],\"held\":[]}",	/* twice */
		"{\"live\":[],\"held\":{\"a\":1}}",
	};
	struct lf_run	 r;
	char		 text[8192];
	size_t		 i, n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(read_text(bad[i], &r), -1);
		assert_int_equal(r.lists_known, 0);
	}
	/* One name too many. */
	n = (size_t)snprintf(text, sizeof(text), "{\"held\":[],\"live\":[");
	for (i = 0; i <= RUN_LISTS_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\"l%03zu\"",
		    i > 0 ? "," : "", i);
	(void)snprintf(text + n, sizeof(text) - n, "]}");
	assert_int_equal(read_text(text, &r), -1);
	/* As many as the bound: read. */
	n -= 7;
	(void)snprintf(text + n, sizeof(text) - n, "]}");
	assert_int_equal(read_text(text, &r), 0);
	assert_int_equal(r.nlive, RUN_LISTS_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_round_trip),
		cmocka_unit_test(test_run_invalid_refused),
		cmocka_unit_test(test_run_long_strings_truncated),
		cmocka_unit_test(test_run_message_not_utf8_still_written),
		cmocka_unit_test(test_run_lists_round_trip),
		cmocka_unit_test(test_run_lists_hostile_refused),
	};

	return cmocka_run_group_tests_name("lib_run", tests, group_setup,
	    group_teardown);
}
