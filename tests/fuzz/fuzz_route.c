/*
 * fuzz_route: the request parser (cgi/route.c), route_parse().
 *
 * Input: REQUEST_METHOD up to the first LF, then REQUEST_URI (as a C
 * string: up to its first NUL).  Invariants:
 *  - the answer is 0, 400, 404 or 405, and 405 comes with an Allow value;
 *  - on 0, the route is sound: list and format pass their allow-lists
 *    (and are set exactly where the URL has them), the method is one the
 *    URL allows, reception is set only for /lists/NAME and
 *    /lists/NAME.sympa.asc, wait 0..60 only for /-/regenerate;
 *  - on 0, the file kind is clear text exactly for /lists/NAME, and no
 *    .asc URL names an internal clear-text kind ("plain", ...);
 *  - on 0, percent-decoding the raw path once gives exactly the URL the
 *    route stands for ("/lists/NAME.FORMAT.asc", "/-/status", ...): no
 *    "..", "//", "%2f" or other spelling reaches a handler.
 */
#include "fuzz.h"
#include "kind.h"
#include "route.h"
#include "valid.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int
hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..n) once; the route was accepted, so it is
 * well-formed. */
static void
decode_all(const char *s, size_t n, char *out, size_t outsz)
{
	size_t	 i, o = 0;

	for (i = 0; i < n; i++) {
		FUZZ_ASSERT(o + 1 < outsz, "decoded path too long");
		if (s[i] == '%') {
			FUZZ_ASSERT(i + 2 < n && hexv(s[i + 1]) >= 0 &&
			    hexv(s[i + 2]) >= 0, "bad escape accepted");
			out[o++] = (char)(hexv(s[i + 1]) * 16 + hexv(s[i + 2]));
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
}

static void
check_route(const char *method, const char *uri, int rc,
    const struct route *r, const char *allow)
{
	char		 dec[2 * ROUTE_URI_MAX + 2], want[2 * ROUTE_URI_MAX + 2];
	const char	*q;
	size_t		 plen;

	FUZZ_ASSERT(rc == 0 || rc == 400 || rc == 404 || rc == 405, "rc %d",
	    rc);
	if (rc == 405)
		FUZZ_ASSERT(allow != NULL && (strcmp(allow, "POST") == 0 ||
		    strcmp(allow, "GET, HEAD") == 0), "405 without Allow");
	if (rc != 0)
		return;
	FUZZ_ASSERT(uri != NULL && method != NULL, "NULL accepted");
	FUZZ_ASSERT(strcmp(route_method_name(r->method), method) == 0,
	    "method");
	if (r->kind == ROUTE_REGENERATE)
		FUZZ_ASSERT(r->method == METHOD_POST, "regenerate not POST");
	else
		FUZZ_ASSERT(r->method == METHOD_GET || r->method == METHOD_HEAD,
		    "not GET or HEAD");
	FUZZ_ASSERT(r->reception == SF_RECEPTION_ALL || r->kind == ROUTE_PLAIN ||
	    (r->kind == ROUTE_ASC && strcmp(r->format, "sympa") == 0),
	    "reception");
	/* A clear-text file only from /lists/NAME, never from an .asc URL. */
	if (r->kind == ROUTE_PLAIN || r->kind == ROUTE_ASC)
		FUZZ_ASSERT(kind_info(r->file) != NULL &&
		    kind_info(r->file)->encrypted == (r->kind == ROUTE_ASC),
		    "file kind");
	if (r->kind == ROUTE_ASC)
		FUZZ_ASSERT(strncmp(r->format, "plain", 5) != 0 ||
		    (strcmp(r->format, "plain") != 0 &&
		    strcmp(r->format, "plain-mail") != 0 &&
		    strcmp(r->format, "plain-digest") != 0), "internal kind");
	FUZZ_ASSERT(r->wait == 0 || (r->kind == ROUTE_REGENERATE &&
	    r->wait > 0 && r->wait <= 60), "wait %d", r->wait);
	FUZZ_ASSERT(r->format[0] == '\0' || (r->kind == ROUTE_ASC &&
	    valid_format_name(r->format)), "format");
	switch (r->kind) {
	case ROUTE_PLAIN:
	case ROUTE_ASC:
		FUZZ_ASSERT(valid_list_name(r->list), "list");
		break;
	case ROUTE_REGENERATE:
		FUZZ_ASSERT(r->list[0] == '\0' || valid_list_name(r->list),
		    "list");
		break;
	default:
		FUZZ_ASSERT(r->list[0] == '\0', "list on %d", r->kind);
		break;
	}

	plen = (q = strchr(uri, '?')) != NULL ? (size_t)(q - uri) :
	    strlen(uri);
	FUZZ_ASSERT(plen <= ROUTE_URI_MAX, "path length %zu", plen);
	decode_all(uri, plen, dec, sizeof(dec));
	switch (r->kind) {
	case ROUTE_INDEX:
		(void)snprintf(want, sizeof(want), "/");
		break;
	case ROUTE_PLAIN:
		(void)snprintf(want, sizeof(want), "/lists/%s", r->list);
		break;
	case ROUTE_ASC:
		(void)snprintf(want, sizeof(want), "/lists/%s.%s.asc", r->list,
		    r->format);
		break;
	case ROUTE_STATUS:
		(void)snprintf(want, sizeof(want), "/-/status");
		break;
	case ROUTE_METRICS:
		(void)snprintf(want, sizeof(want), "/-/metrics");
		break;
	case ROUTE_REGENERATE:
		(void)snprintf(want, sizeof(want), "/-/regenerate");
		break;
	default:
		FUZZ_ASSERT(0, "kind %d", r->kind);
	}
	FUZZ_ASSERT(strcmp(dec, want) == 0, "path \"%s\" served as \"%s\"",
	    dec, want);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*nl;
	char		*method, *uri;
	const char	*allow = NULL;
	struct route	 r;
	int		 rc;

	if ((nl = memchr(data, '\n', size)) == NULL)
		return 0;
	method = fuzz_strndup(data, (size_t)(nl - data), 64);
	uri = fuzz_strndup(nl + 1, size - (size_t)(nl - data) - 1, 4096);
	rc = route_parse(method, uri, &r, &allow);
	check_route(method, uri, rc, &r, allow);
	free(method);
	free(uri);
	return 0;
}
