/*
 * Unit test of lib/conf.c: listfeed.conf(5) parsing, defaults, checks,
 * and the lookups built on it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "optfile.h"

#define CONFTEST_FILE	"listfeed.conf"
#include "conftest.h"

#define FPR1	"0123456789abcdef0123456789abcdef01234567"
#define FPR1C	"01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67"
#define FPR2	"fedcba9876543210fedcba9876543210fedcba98"
#define PGP1	"AAAABBBBCCCCDDDDEEEEFFFF0000111122223333"
#define PGP2	"4444555566667777888899990000AAAABBBBCCCC"

/* Writes text to the test's config file and loads it. */
static int
load(const char *text, struct lf_config *c)
{
	return conftest_write(text) == -1 ? -2 : conf_load(path, c);
}

static void
test_empty_file_gives_defaults(void **state)
{
	struct lf_config	 c;

	(void)state;
	assert_int_equal(load("", &c), 0);
	assert_string_equal(c.path, path);
	assert_string_equal(c.defaults_file, "/etc/listfeed/my.cnf");
	assert_string_equal(c.group, "listfeed");
	assert_string_equal(c.query, CONF_DEFAULT_QUERY);
	/* The recommended view, not the CRM's own (deactivated accounts). */
	assert_non_null(strstr(c.query, "FROM `listfeed_subscribers`"));
	assert_int_equal(conf_query_warn(&c), 0);
	assert_int_equal(c.tls, TLS_REQUIRED);
	assert_int_equal(c.connect_timeout, 10);
	assert_int_equal(c.read_timeout, 60);
	assert_string_equal(c.feed_dir, "/var/lib/listfeed/feed");
	assert_int_equal(c.interval, 3600);
	assert_string_equal(c.trigger_socket, "/run/listfeed/gen/trigger.sock");
	assert_string_equal(c.accel_prefix, "/_feed/");
	assert_int_equal(c.formats.n, 3);
	assert_string_equal(c.formats.v[0], "sympa");
	assert_string_equal(c.formats.v[1], "csv");
	assert_string_equal(c.formats.v[2], "mailman");
	assert_string_equal(c.templates, LF_TEMPLATES_DIR);
	assert_null(c.fcgi_socket);
	assert_int_equal(c.fcgi_threads, 8);
	assert_null(c.gpg_home);
	assert_null(c.sign_key);
	assert_int_equal(c.recipients.n, 0);
	assert_int_equal(c.nlists, 0);
	assert_int_equal(c.nclients, 0);
	conf_free(&c);
}

static void
test_full_file(void **state)
{
	struct lf_config	 c;

	(void)state;
	assert_int_equal(load(
	    "; comment\n"
	    "[database]\n"
	    "defaults_file = /etc/lf/my.cnf\n"
	    "group = crm\n"
	    "query = SELECT list, email\n"
	    "  FROM v\n"
	    "tls = disabled\n"
	    "connect_timeout = 5\n"
	    "read_timeout = 120\n"
	    "[feed]\n"
	    "dir = /srv/feed\n"
	    "interval = 0\n"
	    "trigger_socket = /run/t.sock\n"
	    "accel_prefix = /internal/\n"
	    "formats = sympa csv\n"
	    "templates = /srv/tmpl\n"
	    "[fcgi]\n"
	    "socket = /run/f.sock\n"
	    "threads = 8\n"
	    "[gpg]\n"
	    "home = /srv/gnupg\n"
	    "sign_key = " "aaaabbbbccccddddeeeeffff0000111122223333" "\n"
	    "recipients = " PGP1 " " PGP2 "\n", &c), 0);
	assert_string_equal(c.defaults_file, "/etc/lf/my.cnf");
	assert_string_equal(c.group, "crm");
	assert_string_equal(c.query, "SELECT list, email FROM v");
	assert_int_equal(c.tls, TLS_DISABLED);
	assert_int_equal(c.connect_timeout, 5);
	assert_int_equal(c.read_timeout, 120);
	assert_string_equal(c.feed_dir, "/srv/feed");
	assert_int_equal(c.interval, 0);
	assert_string_equal(c.trigger_socket, "/run/t.sock");
	assert_string_equal(c.accel_prefix, "/internal/");
	assert_int_equal(c.formats.n, 2);
	assert_string_equal(c.formats.v[1], "csv");
	assert_string_equal(c.templates, "/srv/tmpl");
	assert_string_equal(c.fcgi_socket, "/run/f.sock");
	assert_int_equal(c.fcgi_threads, 8);
	assert_string_equal(c.gpg_home, "/srv/gnupg");
	assert_string_equal(c.sign_key, PGP1);
	assert_int_equal(c.recipients.n, 2);
	assert_string_equal(c.recipients.v[0], PGP1);
	assert_string_equal(c.recipients.v[1], PGP2);
	conf_free(&c);
}

static void
test_list_section(void **state)
{
	struct lf_config	 c;

	(void)state;
	assert_int_equal(load(
	    "[gpg]\nrecipients = " PGP1 "\n"
	    "[list board]\n"
	    "names = first\n"
	    "max_shrink = 5%\n"
	    "min_shrink = 0\n"
	    "formats = csv\n"
	    "recipients = " PGP2 "\n"
	    "[list anon]\n"
	    "names = none\n"
	    "max_shrink = 100\n", &c), 0);
	assert_int_equal(c.nlists, 2);
	assert_non_null(conf_list(&c, "board"));
	assert_null(conf_list(&c, "other"));
	assert_int_equal(conf_list_names(&c, "board"), NAMES_FIRST);
	assert_int_equal(conf_list_names(&c, "anon"), NAMES_NONE);
	assert_int_equal(conf_list_names(&c, "other"), NAMES_FULL);
	assert_int_equal(conf_list_max_shrink(&c, "board"), 5);
	assert_int_equal(conf_list_max_shrink(&c, "anon"), 100);
	assert_int_equal(conf_list_max_shrink(&c, "other"), 20);
	assert_int_equal(conf_list_min_shrink(&c, "board"), 0);
	assert_int_equal(conf_list_min_shrink(&c, "anon"), 5);
	assert_int_equal(conf_list_min_shrink(&c, "other"), 5);
	assert_int_equal(conf_list_formats(&c, "board")->n, 1);
	assert_string_equal(conf_list_formats(&c, "board")->v[0], "csv");
	assert_int_equal(conf_list_formats(&c, "anon")->n, 3);
	assert_string_equal(conf_list_recipients(&c, "board")->v[0], PGP2);
	assert_int_equal(conf_list_recipients(&c, "board")->n, 1);
	assert_string_equal(conf_list_recipients(&c, "anon")->v[0], PGP1);
	conf_free(&c);
}

static void
test_client_section_and_lookup(void **state)
{
	struct lf_config	 c;
	const struct lf_client	*cl;

	(void)state;
	assert_int_equal(load(
	    "[client sympa]\n"
	    "fingerprint = " FPR1C " " FPR2 "\n"
	    "lists = deelnemers board\n"
	    "plain = yes\n"
	    "trigger = no\n"
	    "[client admin]\n"
	    "subject = CN=admin,O=Example\n"
	    "lists = *\n"
	    "trigger = on\n", &c), 0);
	assert_int_equal(c.nclients, 2);
	cl = conf_client_find(&c, FPR1, NULL);
	assert_non_null(cl);
	assert_string_equal(cl->name, "sympa");
	assert_int_equal(cl->fingerprints.n, 2);
	assert_string_equal(cl->fingerprints.v[0], FPR1);
	assert_int_equal(cl->plain, 1);
	assert_int_equal(cl->trigger, 0);
	assert_true(conf_client_sees(cl, "board"));
	assert_false(conf_client_sees(cl, "other"));
	/* nginx's upper-case with colons is normalised too. */
	assert_ptr_equal(conf_client_find(&c, FPR1C, NULL), cl);
	assert_ptr_equal(conf_client_find(&c, FPR2, "CN=admin,O=Example"),
	    cl);
	cl = conf_client_find(&c, "00", "CN=admin,O=Example");
	assert_non_null(cl);
	assert_string_equal(cl->name, "admin");
	assert_int_equal(cl->all_lists, 1);
	assert_int_equal(cl->trigger, 1);
	assert_true(conf_client_sees(cl, "anything"));
	assert_null(conf_client_find(&c, NULL, "CN=admin"));
	assert_null(conf_client_find(&c, NULL, ""));
	assert_null(conf_client_find(&c, NULL, NULL));
	assert_true(conf_list_plain(&c, "deelnemers"));
	assert_false(conf_list_plain(&c, "secret"));
	conf_free(&c);
}

static void
test_subject_ignored_when_fingerprint_pins(void **state)
{
	struct lf_config	 c;

	(void)state;
	assert_int_equal(load(
	    "[client sympa]\n"
	    "fingerprint = " FPR1 "\n"
	    "subject = CN=sympa\n"
	    "lists = a\n", &c), 0);
	assert_null(conf_client_find(&c, FPR2, "CN=sympa"));
	assert_non_null(conf_client_find(&c, FPR1, "CN=other"));
	conf_free(&c);
}

static void
test_client_needs_fingerprint_or_subject(void **state)
{
	struct lf_config	 c;

	(void)state;
	assert_int_equal(load("[client x]\nlists = a\n", &c), -1);
	assert_null(c.path);
	assert_int_equal(c.nclients, 0);
}

/* Each of these must be refused. */
static void
test_bad_values_refused(void **state)
{
	static const char *const bad[] = {
		"[nosuch]\na = b\n",
		/* The keys of a refused section reach nothing (inih parses
		 * on past the first error; a claim once took a NULL name). */
		"[client bad/name]\nfingerprint = "
		    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01"
		    ":23:45:67:89:AB:CD:EF:01:23:45:67:89\nsubject = CN=x\n",
		"[database]\nnosuch = 1\n",
		"[database]\ndefaults_file = relative/my.cnf\n",
		"[database]\ngroup =\n",
		"[database]\ntls = preferred\n",
		"[database]\nconnect_timeout = -1\n",
		"[database]\nconnect_timeout = 3601\n",
		"[database]\nread_timeout = 10s\n",
		"[database]\nread_timeout = 99999999999999999999999\n",
		"[database]\ngroup = a\ngroup = b\n",
		"[feed]\ndir = feed\n",
		"[feed]\ninterval = 604801\n",
		"[feed]\nformats = sympa ../x\n",
		"[feed]\nformats = Sympa\n",
		"[feed]\naccel_prefix = _feed/\n",
		"[feed]\naccel_prefix = /_feed\n",
		"[feed]\naccel_prefix = /../\n",
		"[feed]\naccel_prefix = /a?b/\n",
		"[feed]\naccel_prefix = /a b/\n",
		"[feed]\naccel_prefix = /a//b/\n",
		"[feed]\naccel_prefix = /a:b/\n",
		"[feed]\naccel_prefix = /a\"b/\n",
		"[feed]\naccel_prefix = /"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/\n",
		"[fcgi]\nthreads = 0\n",
		"[fcgi]\nthreads = 65\n",
		"[gpg]\nsign_key = ABCD1234\n",
		"[gpg]\nsign_key = " PGP1 "00\n",
		"[gpg]\nsign_key = ZZZZBBBBCCCCDDDDEEEEFFFF0000111122223333\n",
		"[gpg]\nrecipients = " PGP1 " 1234\n",
		"[list Bad]\nnames = full\n",
		"[list ../x]\nnames = full\n",
		"[list a]\nnames = last\n",
		"[list a]\nmax_shrink = 101\n",
		"[list a]\nmax_shrink = -1\n",
		"[list a]\nmax_shrink = 5%%\n",
		"[list a]\nnosuch = 1\n",
		"[list a]\nmin_shrink = -1\n",
		"[list a]\nmin_shrink = 5%\n",
		"[list a]\nmin_shrink = 1000000001\n",
		"[list a]\nmin_shrink = 1\nmin_shrink = 2\n",
		"[feed]\nmax_shrink = 101\n",
		"[feed]\nmin_shrink = x\n",
		"[list a]\nnames = full\nnames = none\n",
		"[client a]\nfingerprint = 0123\n",
		"[client a]\nfingerprint = " FPR1 "00\n",
		"[client a]\nfingerprint = " FPR1 "\nplain = maybe\n",
		"[client a]\nfingerprint = " FPR1 "\nlists = ok Bad\n",
		"[client a]\nfingerprint = " FPR1 "\nnosuch = 1\n",
		"[client a b]\nfingerprint = " FPR1 "\n",
		"no section = 1\n",
		"[database\n",
	};
	struct lf_config	 c;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (load(bad[i], &c) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_null(c.path);
	}
}

static void
test_duplicate_section_refused(void **state)
{
	struct lf_config	 c;

	(void)state;
	/* A second [client] of the same name must not widen the first. */
	assert_int_equal(load(
	    "[client sympa]\n"
	    "fingerprint = " FPR1 "\n"
	    "lists = a\n"
	    "[client other]\n"
	    "fingerprint = " FPR2 "\n"
	    "[client sympa]\n"
	    "lists = secret\n", &c), -1);
	assert_int_equal(load(
	    "[list a]\nnames = none\n"
	    "[feed]\ndir = /x\n"
	    "[list a]\nformats = csv\n", &c), -1);
}

static void
test_long_line_refused(void **state)
{
	struct lf_config	 c;
	char			 text[512];

	(void)state;
	(void)snprintf(text, sizeof(text), "[database]\nquery = %0*d\n",
	    250, 0);
	assert_int_equal(load(text, &c), -1);
	/* The same query continued on indented lines is fine. */
	(void)snprintf(text, sizeof(text), "[database]\nquery = SELECT %0*d\n"
	    "  FROM %0*d\n", 150, 1, 150, 2);
	assert_int_equal(load(text, &c), 0);
	assert_int_equal(strlen(c.query), 7 + 150 + 6 + 150);
	conf_free(&c);
}

/* inih would end the line at a NUL and read on after it. */
static void
test_nul_byte_refused(void **state)
{
	static const char	 text[] = "[client a]\nsubject = CN=a\0x\n";
	struct lf_config	 c;
	FILE			*f;

	(void)state;
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, sizeof(text) - 1, f),
	    sizeof(text) - 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(conf_load(path, &c), -1);
}

static void
test_missing_file(void **state)
{
	struct lf_config	 c;

	(void)state;
	assert_int_equal(conf_load("/nonexistent/listfeed.conf", &c), -1);
	assert_null(c.path);
}

static void
test_words_deduplicated(void **state)
{
	struct lf_config	 c;

	(void)state;
	assert_int_equal(load(
	    "[feed]\nformats = csv\tcsv sympa\nformats = csv\n"
	    "[client a]\nfingerprint = " FPR1 " " FPR1C "\n", &c), 0);
	assert_int_equal(c.formats.n, 2);
	assert_string_equal(c.formats.v[0], "csv");
	assert_string_equal(c.formats.v[1], "sympa");
	assert_int_equal(c.clients[0].fingerprints.n, 1);
	conf_free(&c);
}

static void
test_bools(void **state)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	struct lf_config	 c;
	char			 text[256];
	size_t			 i;

	(void)state;
	for (i = 0; i < 4; i++) {
		(void)snprintf(text, sizeof(text), "[client a]\nsubject = "
		    "CN=a\nplain = %s\ntrigger = %s\n", yes[i], no[i]);
		assert_int_equal(load(text, &c), 0);
		assert_int_equal(c.clients[0].plain, 1);
		assert_int_equal(c.clients[0].trigger, 0);
		conf_free(&c);
	}
}

static void
test_query_warns_on_seed_view(void **state)
{
	static const struct {
		const char	*query;
		int		 warns;
	} q[] = {
		{ "SELECT * FROM mailinglists_api", 1 },
		{ "SELECT * FROM `mslcrm`.`MailingLists_API`;", 1 },
		{ "SELECT * FROM mailinglists_api\n  WHERE 1", 1 },
		{ "SELECT * FROM listfeed_subscribers", 0 },
		{ "SELECT * FROM mailinglists_api_v2", 0 },
		{ "SELECT * FROM old_mailinglists_api", 0 },
	};
	struct lf_config	 c;
	char			 text[200];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		(void)snprintf(text, sizeof(text), "[database]\nquery = %s\n",
		    q[i].query);
		assert_int_equal(load(text, &c), 0);
		if (conf_query_warn(&c) != q[i].warns)
			fail_msg("query \"%s\": expected %d", q[i].query,
			    q[i].warns);
		conf_free(&c);
	}
}

static void
test_strlist(void **state)
{
	struct strlist	 l = { NULL, 0 };
	char		*v[] = { "a", "bc" };

	(void)state;
	assert_false(strlist_has(&l, "a"));
	l.v = v;
	l.n = 2;
	assert_true(strlist_has(&l, "bc"));
	assert_false(strlist_has(&l, "b"));
}

/* [feed] max_shrink and min_shrink are the defaults of every list,
 * whichever comes first in the file. */
static void
test_shrink_defaults(void **state)
{
	struct lf_config	 c;

	(void)state;
	assert_int_equal(load(
	    "[list early]\nmax_shrink = 30\n"
	    "[feed]\nmax_shrink = 10%\nmin_shrink = 2\n"
	    "[list late]\nmin_shrink = 7\n", &c), 0);
	assert_int_equal(conf_list_max_shrink(&c, "early"), 30);
	assert_int_equal(conf_list_min_shrink(&c, "early"), 2);
	assert_int_equal(conf_list_max_shrink(&c, "late"), 10);
	assert_int_equal(conf_list_min_shrink(&c, "late"), 7);
	assert_int_equal(conf_list_max_shrink(&c, "other"), 10);
	assert_int_equal(conf_list_min_shrink(&c, "other"), 2);
	conf_free(&c);
}

/*
 * tls = disabled only where Connector/C takes the Unix socket: no host,
 * or host = localhost (exactly); any other host is a TCP connection, and
 * refused with the line of "tls =".
 */
static void
test_tls_disabled_only_over_the_socket(void **state)
{
	static const struct {
		const char	*optfile;
		int		 disabled, required;
	} t[] = {
		{ "[listfeed]\nuser = u\n", 0, 0 },
		{ "[listfeed]\nsocket = /run/mysqld/mysqld.sock\n", 0, 0 },
		{ "[listfeed]\nhost = localhost\n", 0, 0 },
		{ "[listfeed]\nhost = localhost\nport = 3307\n", 0, 0 },
		{ "[listfeed]\nhost = 127.0.0.1\n", -1, 0 },
		{ "[listfeed]\nhost = ::1\n", -1, 0 },
		{ "[listfeed]\nhost = db.example\nsocket = /run/s\n", -1, 0 },
		{ "[listfeed]\nhost = LocalHost\n", -1, 0 },
		{ "[client]\nhost = db.example.org\n[listfeed]\nuser = u\n",
		    -1, 0 },
	};
	struct lf_config	 dis, req;
	struct optfile		 of;
	struct conftest_stderr	 err;
	char			 buf[1024];
	size_t			 i;

	(void)state;
	assert_int_equal(load("[database]\ngroup = listfeed\n\n"
	    "tls = disabled\n", &dis), 0);
	assert_int_equal(load("[database]\ntls = required\n", &req), 0);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&of, 0, sizeof(of));
		assert_int_equal(optfile_parse("my.cnf", t[i].optfile,
		    strlen(t[i].optfile), "listfeed", 0, &of), 0);
		if (conf_db_check(&dis, &of) != t[i].disabled ||
		    conf_db_check(&req, &of) != t[i].required)
			fail_msg("option file \"%s\": expected %d with tls = "
			    "disabled", t[i].optfile, t[i].disabled);
		optfile_free(&of);
	}
	/* The message names listfeed.conf's line of tls and the host. */
	memset(&of, 0, sizeof(of));
	assert_int_equal(optfile_parse("my.cnf", t[4].optfile,
	    strlen(t[4].optfile), "listfeed", 0, &of), 0);
	assert_int_equal(conftest_stderr_begin(&err), 0);
	assert_int_equal(conf_db_check(&dis, &of), -1);
	conftest_stderr_end(&err, buf, sizeof(buf));
	assert_non_null(strstr(buf, "listfeed.conf:4: tls = disabled"));
	assert_non_null(strstr(buf, "host = 127.0.0.1"));
	optfile_free(&of);
	conf_free(&dis);
	conf_free(&req);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_file_gives_defaults),
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_list_section),
		cmocka_unit_test(test_shrink_defaults),
		cmocka_unit_test(test_client_section_and_lookup),
		cmocka_unit_test(test_subject_ignored_when_fingerprint_pins),
		cmocka_unit_test(test_client_needs_fingerprint_or_subject),
		cmocka_unit_test(test_bad_values_refused),
		cmocka_unit_test(test_duplicate_section_refused),
		cmocka_unit_test(test_long_line_refused),
		cmocka_unit_test(test_nul_byte_refused),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_words_deduplicated),
		cmocka_unit_test(test_bools),
		cmocka_unit_test(test_query_warns_on_seed_view),
		cmocka_unit_test(test_strlist),
		cmocka_unit_test(test_tls_disabled_only_over_the_socket),
	};

	return cmocka_run_group_tests_name("lib_conf", tests, group_setup,
	    group_teardown);
}
