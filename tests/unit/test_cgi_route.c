/* cgi/route.c: the one URL parser, case by case; and cgi/authz.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "authz.h"
#include "conf.h"
#include "route.h"

static int
parse(const char *method, const char *uri, struct route *r)
{
	return route_parse(method, uri, r, NULL);
}

static void
test_index_and_specials(void **state)
{
	struct route r;

	(void)state;
	assert_int_equal(parse("GET", "/", &r), 0);
	assert_int_equal(r.kind, ROUTE_INDEX);
	assert_int_equal(parse("HEAD", "/", &r), 0);
	assert_int_equal(r.method, METHOD_HEAD);
	assert_int_equal(parse("GET", "/-/status", &r), 0);
	assert_int_equal(r.kind, ROUTE_STATUS);
	assert_int_equal(parse("GET", "/-/metrics", &r), 0);
	assert_int_equal(r.kind, ROUTE_METRICS);
	assert_int_equal(parse("GET", "/-/nothing", &r), 404);
	assert_int_equal(parse("GET", "/-/status/", &r), 404);
	assert_int_equal(parse("GET", "/other", &r), 404);
	assert_int_equal(parse("GET", "", &r), 400);
	assert_int_equal(parse("GET", "lists/x", &r), 400);
	assert_int_equal(parse("GET", NULL, &r), 400);
}

static void
test_plain(void **state)
{
	struct route r;

	(void)state;
	assert_int_equal(parse("GET", "/lists/deelnemers", &r), 0);
	assert_int_equal(r.kind, ROUTE_PLAIN);
	assert_string_equal(r.list, "deelnemers");
	assert_int_equal(r.reception, SF_RECEPTION_ALL);
	assert_int_equal(r.file, KIND_PLAIN);
	assert_int_equal(parse("GET", "/lists/a.b-c_d", &r), 0);
	assert_string_equal(r.list, "a.b-c_d");
	assert_int_equal(parse("GET", "/lists/deelnemers?reception=mail", &r),
	    0);
	assert_int_equal(r.reception, SF_RECEPTION_MAIL);
	assert_int_equal(r.file, KIND_PLAIN_MAIL);
	assert_int_equal(parse("GET", "/lists/deelnemers?reception=digest",
	    &r), 0);
	assert_int_equal(r.reception, SF_RECEPTION_DIGEST);
	assert_int_equal(r.file, KIND_PLAIN_DIGEST);
	assert_int_equal(parse("GET", "/lists/deeln%65mers", &r), 0);
	assert_string_equal(r.list, "deelnemers");
	assert_int_equal(parse("GET", "/lists/deelnemers?", &r), 0);
}

static void
test_asc(void **state)
{
	struct route r;

	(void)state;
	assert_int_equal(parse("GET", "/lists/deelnemers.csv.asc", &r), 0);
	assert_int_equal(r.kind, ROUTE_ASC);
	assert_string_equal(r.list, "deelnemers");
	assert_string_equal(r.format, "csv");
	assert_int_equal(parse("GET", "/lists/a.b.sympa.asc", &r), 0);
	assert_string_equal(r.list, "a.b");
	assert_string_equal(r.format, "sympa");
	assert_int_equal(parse("GET", "/lists/x.asc", &r), 404);
	assert_int_equal(parse("GET", "/lists/.asc", &r), 404);
	assert_int_equal(parse("GET", "/lists/.csv.asc", &r), 404);
	assert_int_equal(parse("GET", "/lists/x..asc", &r), 404);
	assert_int_equal(parse("GET", "/lists/x.CSV.asc", &r), 404);
	assert_int_equal(r.file, KIND_FORMAT);
	assert_int_equal(parse("GET", "/lists/x.sympa.asc?reception=mail", &r),
	    0);
	assert_int_equal(r.kind, ROUTE_ASC);
	assert_int_equal(r.file, KIND_SYMPA_MAIL);
	assert_int_equal(parse("GET", "/lists/x.sympa.asc?reception=digest",
	    &r), 0);
	assert_int_equal(r.file, KIND_SYMPA_DIGEST);
	/* Only the sympa format has files per reception. */
	assert_int_equal(parse("GET", "/lists/x.csv.asc?reception=mail", &r),
	    404);
	assert_int_equal(parse("GET", "/lists/x.sympa.asc?reception=x", &r),
	    400);
}

/* No URL names a clear-text kind as if it were a format. */
static void
test_no_internal_kind_as_format(void **state)
{
	static const char *const internal[] = {
		"plain", "plain-mail", "plain-digest", "sympa-mail",
		"sympa-digest"
	};
	struct route r;
	char	 uri[128];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(internal) / sizeof(internal[0]); i++) {
		(void)snprintf(uri, sizeof(uri), "/lists/x.%s.asc", internal[i]);
		assert_int_equal(parse("GET", uri, &r), 404);
		(void)snprintf(uri, sizeof(uri), "/lists/x.%s.asc"
		    "?reception=mail", internal[i]);
		assert_int_equal(parse("GET", uri, &r), 404);
	}
	assert_int_equal(parse("GET", "/lists/x.plaintext.asc", &r), 0);
	assert_int_equal(r.file, KIND_FORMAT);
}

static void
test_hostile(void **state)
{
	struct route r;
	char	 longname[400];

	(void)state;
	assert_int_equal(parse("GET", "/lists/../manifest.json", &r), 400);
	assert_int_equal(parse("GET", "/lists/%2e%2e/manifest.json", &r), 400);
	assert_int_equal(parse("GET", "/lists/%2E%2E", &r), 400);
	assert_int_equal(parse("GET", "/lists/.", &r), 400);
	assert_int_equal(parse("GET", "/lists/a%2fb", &r), 400);
	assert_int_equal(parse("GET", "/lists/a%2Fb", &r), 400);
	assert_int_equal(parse("GET", "/lists/a%00b", &r), 400);
	assert_int_equal(parse("GET", "/lists/a%0ab", &r), 400);
	assert_int_equal(parse("GET", "/lists/a%", &r), 400);
	assert_int_equal(parse("GET", "/lists/a%4", &r), 400);
	assert_int_equal(parse("GET", "/lists/a%zz", &r), 400);
	assert_int_equal(parse("GET", "/lists/a%ff", &r), 400);
	assert_int_equal(parse("GET", "/lists/a b", &r), 400);
	assert_int_equal(parse("GET", "/lists/a#b", &r), 400);
	assert_int_equal(parse("GET", "/lists/a\\b", &r), 404);
	/* decoded once: %25 gives '%', which no name holds */
	assert_int_equal(parse("GET", "/lists/a%252e", &r), 404);
	assert_int_equal(parse("GET", "/lists/Deelnemers", &r), 404);
	assert_int_equal(parse("GET", "/lists/-x", &r), 404);
	assert_int_equal(parse("GET", "/lists//x", &r), 404);
	assert_int_equal(parse("GET", "/lists/x/", &r), 404);
	assert_int_equal(parse("GET", "//lists/x", &r), 404);
	assert_int_equal(parse("GET", "/lists/x/y/z/w/v", &r), 404);

	memset(longname, 'a', 65);
	strcpy(longname + 65, "");
	{
		char uri[512];

		snprintf(uri, sizeof(uri), "/lists/%s", longname);
		assert_int_equal(parse("GET", uri, &r), 404);
		longname[64] = '\0';
		snprintf(uri, sizeof(uri), "/lists/%s", longname);
		assert_int_equal(parse("GET", uri, &r), 0);
		memset(longname, 'a', 300);
		longname[300] = '\0';
		snprintf(uri, sizeof(uri), "/lists/%s", longname);
		assert_int_equal(parse("GET", uri, &r), 400);
	}
}

static void
test_query(void **state)
{
	struct route r;

	(void)state;
	assert_int_equal(parse("GET", "/lists/x?reception=both", &r), 400);
	assert_int_equal(parse("GET", "/lists/x?reception=mail&reception=mail",
	    &r), 400);
	assert_int_equal(parse("GET", "/lists/x?reception", &r), 400);
	assert_int_equal(parse("GET", "/lists/x?reception=", &r), 400);
	assert_int_equal(parse("GET", "/lists/x?&reception=mail", &r), 400);
	assert_int_equal(parse("GET", "/lists/x?reception=mail&", &r), 400);
	assert_int_equal(parse("GET", "/lists/x?foo=1", &r), 400);
	assert_int_equal(parse("GET", "/lists/x?list=x", &r), 400);
	assert_int_equal(parse("GET", "/?x=1", &r), 400);
	assert_int_equal(parse("GET", "/-/status?x=1", &r), 400);

	assert_int_equal(parse("POST", "/-/regenerate", &r), 0);
	assert_int_equal(r.kind, ROUTE_REGENERATE);
	assert_int_equal(r.wait, 0);
	assert_string_equal(r.list, "");
	assert_int_equal(parse("POST", "/-/regenerate?list=deelnemers&wait=60",
	    &r), 0);
	assert_string_equal(r.list, "deelnemers");
	assert_int_equal(r.wait, 60);
	assert_int_equal(parse("POST", "/-/regenerate?wait=5", &r), 0);
	assert_int_equal(r.wait, 5);
	assert_int_equal(parse("POST", "/-/regenerate?wait=61", &r), 400);
	assert_int_equal(parse("POST", "/-/regenerate?wait=100", &r), 400);
	assert_int_equal(parse("POST", "/-/regenerate?wait=-1", &r), 400);
	assert_int_equal(parse("POST", "/-/regenerate?wait=1&wait=2", &r),
	    400);
	assert_int_equal(parse("POST", "/-/regenerate?list=../x", &r), 400);
	assert_int_equal(parse("POST", "/-/regenerate?list=a&list=b", &r),
	    400);
	assert_int_equal(parse("POST", "/-/regenerate?reception=mail", &r),
	    400);
}

static void
test_methods(void **state)
{
	struct route r;
	const char *allow = NULL;

	(void)state;
	assert_int_equal(route_parse("POST", "/lists/x", &r, &allow), 405);
	assert_string_equal(allow, "GET, HEAD");
	assert_int_equal(route_parse("DELETE", "/", &r, &allow), 405);
	assert_int_equal(route_parse("get", "/", &r, &allow), 405);
	assert_int_equal(route_parse(NULL, "/", &r, &allow), 405);
	allow = NULL;
	assert_int_equal(route_parse("GET", "/-/regenerate", &r, &allow), 405);
	assert_string_equal(allow, "POST");
	/* the path is judged first: an unknown URL is 404 for any method */
	assert_int_equal(route_parse("PUT", "/nothing", &r, &allow), 404);
}

static void
test_authz(void **state)
{
	struct lf_config cfg;
	struct lf_client cl[2];
	char	*fps[] = { "0123456789abcdef0123456789abcdef01234567" };
	const struct lf_client *c;
	const char *fp;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	memset(cl, 0, sizeof(cl));
	cl[0].name = "sympa";
	cl[0].fingerprints.v = fps;
	cl[0].fingerprints.n = 1;
	cl[1].name = "bydn";
	cl[1].subject = "CN=x,O=y";
	cfg.clients = cl;
	cfg.nclients = 2;

	assert_int_equal(authz_check(&cfg, NULL, NULL, NULL, &c, &fp),
	    AUTHZ_NO_CERT);
	assert_string_equal(fp, "-");
	assert_int_equal(authz_check(&cfg, "NONE", fps[0], NULL, &c, &fp),
	    AUTHZ_NO_CERT);
	assert_int_equal(authz_check(&cfg, "FAILED:unable to get issuer",
	    fps[0], NULL, &c, &fp), AUTHZ_NOT_VERIFIED);
	assert_int_equal(authz_check(&cfg, "success", fps[0], NULL, &c, &fp),
	    AUTHZ_NOT_VERIFIED);
	assert_int_equal(authz_check(&cfg, "SUCCESS", fps[0], NULL, &c, &fp),
	    AUTHZ_OK);
	assert_string_equal(c->name, "sympa");
	assert_string_equal(fp, fps[0]);
	assert_int_equal(authz_check(&cfg, "SUCCESS",
	    "ffffffffffffffffffffffffffffffffffffffff", NULL, &c, &fp),
	    AUTHZ_UNKNOWN);
	assert_null(c);
	/* a malformed fingerprint is treated as absent */
	assert_int_equal(authz_check(&cfg, "SUCCESS", "0123<script>", NULL,
	    &c, &fp), AUTHZ_UNKNOWN);
	assert_string_equal(fp, "-");
	assert_int_equal(authz_check(&cfg, "SUCCESS", NULL, "CN=x,O=y", &c,
	    &fp), AUTHZ_OK);
	assert_string_equal(c->name, "bydn");
	assert_int_equal(authz_check(&cfg, "SUCCESS", NULL, "CN=x,O=y\n", &c,
	    &fp), AUTHZ_UNKNOWN);
	assert_string_not_equal(authz_reason(AUTHZ_NO_CERT),
	    authz_reason(AUTHZ_UNKNOWN));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_and_specials),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_asc),
		cmocka_unit_test(test_no_internal_kind_as_format),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_authz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
