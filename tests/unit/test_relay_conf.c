/*
 * Unit test of relay/rconf.c: relay.conf parsing, defaults and refusals.
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

#include "rconf.h"

#define CONFTEST_FILE	"relay.conf"
#include "conftest.h"

#define FPR	"0123456789abcdef0123456789ABCDEF01234567"
#define REQ	"url = https://crm.example.org\n" \
		"cert = /etc/listfeed/relay-client.pem\n" \
		"key = /etc/listfeed/relay-client.key\n" \
		"feed_key = " FPR "\n" \
		"lists = deelnemers spacelog\n"

static int
load(const char *text, struct rconf *c)
{
	return conftest_write(text) == -1 ? -2 : rconf_load(path, c);
}

static void
test_required_only_gives_defaults(void **state)
{
	struct rconf	 c;

	(void)state;
	assert_int_equal(load("[relay]\n" REQ, &c), 0);
	assert_string_equal(c.listen, "127.0.0.1:8787");
	assert_string_equal(c.listen_host, "127.0.0.1");
	assert_int_equal(c.listen_port, 8787);
	assert_string_equal(c.url, "https://crm.example.org");
	assert_string_equal(c.url_host, "crm.example.org");
	assert_int_equal(c.url_port, 443);
	assert_string_equal(c.ca, "/etc/ssl/certs/ca-certificates.crt");
	assert_string_equal(c.gnupghome, "/var/lib/listfeed-relay/gnupg");
	assert_string_equal(c.state, "/var/lib/listfeed-relay");
	assert_string_equal(c.feed_key,
	    "0123456789ABCDEF0123456789ABCDEF01234567");
	assert_int_equal(c.lists.n, 2);
	assert_string_equal(c.lists.v[1], "spacelog");
	assert_int_equal(c.refresh, 300);
	assert_int_equal(c.max_shrink, 20);
	assert_int_equal(c.min_shrink, 5);
	rconf_free(&c);
}

static void
test_every_key(void **state)
{
	struct rconf	 c;

	(void)state;
	assert_int_equal(load("; comment\n[relay]\n"
	    "listen = [::1]:9000\n"
	    "url = https://[::1]:8443/feed/\n"
	    "cert = /c.pem\nkey = /c.key\nca = /ca.pem\n"
	    "gnupghome = /g\nfeed_key = " FPR "\n"
	    "lists = a\nlists = b\n  c\n"
	    "refresh = 1\nmax_shrink = 100\nmin_shrink = 0\nstate = /s\n", &c),
	    0);
	assert_string_equal(c.listen_host, "::1");
	assert_int_equal(c.listen_port, 9000);
	assert_string_equal(c.url, "https://[::1]:8443/feed");
	assert_string_equal(c.url_host, "[::1]");
	assert_int_equal(c.url_port, 8443);
	assert_int_equal(c.lists.n, 3);
	assert_string_equal(c.lists.v[2], "c");
	assert_int_equal(c.refresh, 1);
	assert_int_equal(c.max_shrink, 100);
	assert_int_equal(c.min_shrink, 0);
	assert_string_equal(c.state, "/s");
	rconf_free(&c);
}

static void
refused(const char *text)
{
	struct rconf	 c;

	if (load(text, &c) != -1) {
		rconf_free(&c);
		fail_msg("accepted: %s", text);
	}
}

static void
test_refused(void **state)
{
	(void)state;
	refused("");					/* nothing required */
	refused("[relay]\n" REQ "colour = blue\n");	/* unknown key */
	refused("[relay]\n" REQ "[other]\nx = 1\n");	/* unknown section */
	refused("url = https://x.example\n[relay]\n" REQ);	/* outside */
	refused("[relay]\n" REQ "refresh = 5\nrefresh = 6\n");	/* twice */
	refused("[relay]\n" REQ "lists = deelnemers\n");	/* list twice */
	refused("[relay]\n" REQ "lists = Bad\n");
	refused("[relay]\n" REQ "refresh = 0\n");
	refused("[relay]\n" REQ "refresh = 86401\n");
	refused("[relay]\n" REQ "refresh = -1\n");
	refused("[relay]\n" REQ "refresh = 5s\n");
	refused("[relay]\n" REQ "max_shrink = 101\n");
	refused("[relay]\n" REQ "listen = 0.0.0.0:8787\n");	/* not loopback */
	refused("[relay]\n" REQ "listen = 192.168.1.2:8787\n");
	refused("[relay]\n" REQ "listen = 127.0.0.1\n");
	refused("[relay]\n" REQ "listen = 127.0.0.1:0\n");
	refused("[relay]\n" REQ "listen = 127.0.0.1:65536\n");
	refused("[relay]\n" REQ "ca = relative.pem\n");
	refused("[relay]\n" REQ "gnupghome =\n");
	refused("[relay]\nurl = http://crm.example.org\ncert = /c\nkey = /k\n"
	    "feed_key = " FPR "\nlists = a\n");
	refused("[relay]\nurl = https://u@crm.example.org\ncert = /c\n"
	    "key = /k\nfeed_key = " FPR "\nlists = a\n");
	refused("[relay]\nurl = https://crm.example.org/?x=1\ncert = /c\n"
	    "key = /k\nfeed_key = " FPR "\nlists = a\n");
	refused("[relay]\nurl = https://crm.example.org/a/../b\ncert = /c\n"
	    "key = /k\nfeed_key = " FPR "\nlists = a\n");
	refused("[relay]\nurl = https://crm.example.org:0\ncert = /c\n"
	    "key = /k\nfeed_key = " FPR "\nlists = a\n");
	refused("[relay]\nurl = https://crm.example.org\ncert = /c\n"
	    "key = /k\nfeed_key = 01234567\nlists = a\n");	/* short id */
	refused("[relay]\nurl = https://crm.example.org\ncert = /c\n"
	    "key = /k\nfeed_key = " FPR "\n");		/* no list */
	refused("[relay]\nurl = https://crm.example.org\ncert = /c\n"
	    "feed_key = " FPR "\nlists = a\n");		/* no key */
}

/* The error names the file and the line. */
static void
test_error_names_the_line(void **state)
{
	struct rconf		 c;
	struct conftest_stderr	 err;
	char			 buf[512];

	(void)state;
	assert_int_equal(conftest_stderr_begin(&err), 0);
	assert_int_equal(load("[relay]\n" REQ "\ncolour = blue\n", &c), -1);
	conftest_stderr_end(&err, buf, sizeof(buf));
	assert_non_null(strstr(buf, "relay.conf:8: unknown key \"colour\""));
}

static void
test_long_line_refused(void **state)
{
	char	 text[600];

	(void)state;
	(void)snprintf(text, sizeof(text), "[relay]\n" REQ "lists = %0300d\n",
	    0);
	refused(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_only_gives_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_error_names_the_line),
		cmocka_unit_test(test_long_line_refused),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
