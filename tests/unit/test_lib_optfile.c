/*
 * Unit test of lib/optfile.c: the MariaDB option file through its
 * allow-list (optfile.h), as Connector/C 3.3 would read what it accepts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "optfile.h"

/* Parses text with group "listfeed"; the result's return value. */
static int
parse(const char *text, struct optfile *of)
{
	return optfile_parse("my.cnf", text, strlen(text), "listfeed", 0, of);
}

static void
assert_refused(const char *text)
{
	struct optfile	 of;

	if (parse(text, &of) != -1)
		fail_msg("accepted: %s", text);
	optfile_free(&of);
}

static void
test_usual_file(void **state)
{
	struct optfile	 of;

	(void)state;
	assert_int_equal(parse("# listfeed's account\n"
	    "[client]\n"
	    "port = 3307\n"
	    "\n"
	    "[listfeed]\r\n"
	    "  host=db.example.org  \n"
	    "user = listfeed\n"
	    "password = \"a b#c\\\"d\"\n"
	    "ssl_ca = /etc/ssl/ca.pem\n"
	    "ssl-verify-server-cert = 1\n"
	    "default-character-set = utf8mb4\n"
	    "; a comment\n"
	    "database = mslcrm", &of), 0);
	assert_string_equal(of.val[OPTFILE_HOST], "db.example.org");
	assert_string_equal(of.val[OPTFILE_USER], "listfeed");
	assert_string_equal(of.val[OPTFILE_PASSWORD], "a b#c\"d");
	assert_string_equal(of.val[OPTFILE_SSL_CA], "/etc/ssl/ca.pem");
	assert_string_equal(of.val[OPTFILE_DATABASE], "mslcrm");
	assert_int_equal(optfile_port(&of), 3307);
	assert_null(of.val[OPTFILE_SOCKET]);
	optfile_free(&of);
}

static void
test_last_value_wins(void **state)
{
	struct optfile	 of;

	(void)state;
	assert_int_equal(parse("[client]\nhost = a\n[listfeed]\nhost = b\n"
	    "password = x # not a comment\n", &of), 0);
	assert_string_equal(of.val[OPTFILE_HOST], "b");
	assert_string_equal(of.val[OPTFILE_PASSWORD], "x # not a comment");
	assert_int_equal(optfile_port(&of), OPTFILE_PORT_DEFAULT);
	optfile_free(&of);
}

static void
test_escapes_and_quotes(void **state)
{
	struct optfile	 of;

	(void)state;
	assert_int_equal(parse("[listfeed]\npassword = '\\s\\\\\\''\n", &of),
	    0);
	assert_string_equal(of.val[OPTFILE_PASSWORD], " \\'");
	optfile_free(&of);
	assert_refused("[listfeed]\npassword = \"abc\n");
	assert_refused("[listfeed]\npassword = abc\"\n");
	assert_refused("[listfeed]\npassword = 'abc\"\n");
	assert_refused("[listfeed]\npassword = a\\nb\n");
	assert_refused("[listfeed]\npassword = ab\\\n");
	assert_refused("[listfeed]\npassword = \"\"\n");
	assert_refused("[listfeed]\npassword =\n");
	assert_refused("[listfeed]\npassword = a\tb\n");
	assert_refused("[listfeed]\npassword = caf\xc3\xa9\n");
}

/* Each key Connector/C reads that listfeed does not allow. */
static void
test_keys_refused(void **state)
{
	static const char *const lines[] = {
		"connection = ssl-verify-server-cert=0",
		"restricted-auth = mysql_clear_password",
		"restricted_auth = mysql_clear_password",
		"default-auth = mysql_clear_password",
		"plugin-dir = /tmp",
		"init-command = SET @a = 1",
		"tls-version = TLSv1",
		"tls_version = TLSv1",
		"ssl-fp = 00",
		"ssl-enforce = 0",
		"local-infile = 1",
		"protocol = tcp",
		"bind-address = 127.0.0.1",
		"passwd = x",
		"tls-ca = /etc/ssl/ca.pem",
		"loose-ssl-verify-server-cert = 0",
		"Host = db",
		"ssl-verify-server-cert",
		"ssl-verify-server-cert = 0",
		"ssl_verify_server_cert = off",
		"ssl-verify-server-cert = yes",
		"default-character-set = utf8",
		"port = 0",
		"port = 65536",
		"port = 3306x",
		"ssl-ca = ca.pem",
		"socket = run/mysqld.sock",
		"host = db example",
		"ssl verify = 0",
		"= x",
		"!include /etc/other.cnf",
		"!includedir /etc/mysql/conf.d",
		"\"host = db",
		"\\host = db",
	};
	char	 text[256];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		(void)snprintf(text, sizeof(text), "[listfeed]\n%s\n",
		    lines[i]);
		assert_refused(text);
	}
}

static void
test_groups(void **state)
{
	struct optfile	 of;

	(void)state;
	assert_int_equal(parse("[client-server]\nuser = a\n[client-mariadb]\n"
	    "user = b\n[listfeed]  \n", &of), 0);
	assert_string_equal(of.val[OPTFILE_USER], "b");
	optfile_free(&of);
	assert_refused("host = db\n[listfeed]\n");
	assert_refused("[mysqld]\nport = 3306\n");
	assert_refused("[Listfeed]\nport = 3306\n");
	assert_refused("[ listfeed]\nport = 3306\n");
	assert_refused("[listfeed] host = db\n");
	assert_refused("[listfeed\nport = 3306\n");
	assert_refused("[]\n");
}

static void
test_file_limits(void **state)
{
	struct optfile	 of;
	char		 text[OPTFILE_LINE_MAX + 64];

	(void)state;
	assert_int_equal(optfile_parse("x", "[listfeed]\0\n", 12, "listfeed",
	    OPTFILE_QUIET, &of), -1);
	optfile_free(&of);
	(void)snprintf(text, sizeof(text), "[listfeed]\npassword = %0*d\n",
	    OPTFILE_LINE_MAX, 7);
	assert_refused(text);
	(void)snprintf(text, sizeof(text), "[listfeed]\n#%0*d\n",
	    OPTFILE_LINE_MAX, 7);
	assert_refused(text);
	assert_int_equal(parse("", &of), 0);
	assert_null(of.val[OPTFILE_HOST]);
	optfile_free(&of);
}

static void
test_load_checks_mode(void **state)
{
	char		 path[] = "/tmp/lf-optfile-XXXXXX";
	struct optfile	 of;
	int		 fd;

	(void)state;
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, "[listfeed]\nuser = u\n", 20), 20);
	(void)close(fd);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(optfile_load(path, "listfeed", 0, &of), 0);
	assert_string_equal(of.val[OPTFILE_USER], "u");
	optfile_free(&of);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(optfile_load(path, "listfeed", 0, &of), -1);
	optfile_free(&of);
	(void)unlink(path);
	assert_int_equal(optfile_load(path, "listfeed", 0, &of), -1);
	optfile_free(&of);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usual_file),
		cmocka_unit_test(test_last_value_wins),
		cmocka_unit_test(test_escapes_and_quotes),
		cmocka_unit_test(test_keys_refused),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_file_limits),
		cmocka_unit_test(test_load_checks_mode),
	};

	return cmocka_run_group_tests_name("lib_optfile", tests, NULL, NULL);
}
