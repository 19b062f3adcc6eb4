/*
 * fuzz_route: the request parser (cgi/route.c), route_parse().
 *
 * Input: REQUEST_METHOD up to the first LF, then REQUEST_URI (as a C
 * string: up to its first NUL).  The target holds no percent-decoder of
 * its own: it checks properties.
 *  - the answer is 0, 400, 404 or 405, and 405 comes with an Allow value;
 *  - on 0, the route is sound: list and format pass their allow-lists
 *    (and are set exactly where the URL has them), the method is the one
 *    sent and one the URL allows, reception is set only for /lists/NAME
 *    and /lists/NAME.sympa.asc, wait 0..60 only for /-/regenerate;
 *  - on 0, the file kind is clear text exactly for /lists/NAME, and no
 *    .asc URL names an internal clear-text kind ("plain", ...);
 *  - on 0, the raw path spells the route's canonical URL
 *    ("/lists/NAME.FORMAT.asc", "/-/status", ...), each character either
 *    as itself or as a "%XX" escape of it, found by encoding the URL's
 *    characters (not by decoding the path), and every '/' literal; the
 *    canonical URL has no "." or ".." segment, no "//" and no NUL;
 *  - round trips: the canonical URL with its canonical query, and the
 *    same with every path byte but '/' percent-encoded, give the same
 *    route (or 400 when the escapes make the path longer than
 *    ROUTE_URI_MAX); the canonical URL with a '/' written "%2F" is never
 *    routed.
 */
#include "fuzz.h"
#include "kind.h"
#include "route.h"
#include "valid.h"

static const struct {
	const char		*name;
	enum route_method	 m;
} methods[] = {
	{ "GET", METHOD_GET }, { "HEAD", METHOD_HEAD }, { "POST", METHOD_POST },
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* The canonical path of a route into out. */
static void
canonical_path(const struct route *r, char *out, size_t outsz)
{
	switch (r->kind) {
	case ROUTE_INDEX:
		(void)snprintf(out, outsz, "/");
		break;
	case ROUTE_PLAIN:
		(void)snprintf(out, outsz, "/lists/%s", r->list);
		break;
	case ROUTE_ASC:
		(void)snprintf(out, outsz, "/lists/%s.%s.asc", r->list,
		    r->format);
		break;
	case ROUTE_STATUS:
		(void)snprintf(out, outsz, "/-/status");
		break;
	case ROUTE_METRICS:
		(void)snprintf(out, outsz, "/-/metrics");
		break;
	case ROUTE_REGENERATE:
		(void)snprintf(out, outsz, "/-/regenerate");
		break;
	default:
		FUZZ_ASSERT(0, "kind %d", r->kind);
	}
}

/* The canonical query ("" or "?k=v&k=v"). */
static void
canonical_query(const struct route *r, char *out, size_t outsz)
{
	out[0] = '\0';
	if (r->reception != SF_RECEPTION_ALL)
		(void)snprintf(out, outsz, "?reception=%s",
		    sympafile_reception_name(r->reception));
	else if (r->kind == ROUTE_REGENERATE && r->list[0] != '\0')
		(void)snprintf(out, outsz, "?list=%s&wait=%d", r->list,
		    r->wait);
	else if (r->kind == ROUTE_REGENERATE && r->wait != 0)
		(void)snprintf(out, outsz, "?wait=%d", r->wait);
}

/*
 * Does raw[0..n) spell want, each character as itself or as "%XX" with
 * XX its code in hex (either case), every '/' as itself?
 */
static int
spells(const char *raw, size_t n, const char *want)
{
	char	 hex[3];
	size_t	 i = 0;

	for (; *want != '\0'; want++) {
		if (i < n && raw[i] == *want && *want != '%') {
			i++;
			continue;
		}
		(void)snprintf(hex, sizeof(hex), "%02x", (unsigned char)*want);
		if (*want == '/' || n - i < 3 || raw[i] != '%' ||
		    strncasecmp(raw + i + 1, hex, 2) != 0)
			return 0;
		i += 3;
	}
	return i == n;
}

static void
same_route(const struct route *a, const struct route *b, const char *what)
{
	FUZZ_ASSERT(a->kind == b->kind && a->method == b->method &&
	    strcmp(a->list, b->list) == 0 && strcmp(a->format, b->format) == 0 &&
	    a->reception == b->reception && a->wait == b->wait,
	    "%s: another route", what);
}

static void
check_sound(const char *method, const struct route *r)
{
	size_t	 i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, method) == 0)
			break;
	FUZZ_ASSERT(i < sizeof(methods) / sizeof(methods[0]) &&
	    methods[i].m == r->method, "method \"%s\"", method);
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
	if (r->kind == ROUTE_PLAIN || r->kind == ROUTE_ASC)
		FUZZ_ASSERT(valid_list_name(r->list), "list");
	else if (r->kind == ROUTE_REGENERATE)
		FUZZ_ASSERT(r->list[0] == '\0' || valid_list_name(r->list),
		    "list");
	else
		FUZZ_ASSERT(r->list[0] == '\0', "list on %d", r->kind);
}

/* Parses again what the route stands for, written two ways, and once
 * with a separator that must not count as one. */
static void
check_round_trips(const char *method, const struct route *r,
    const char *path)
{
	char		 uri[8 * ROUTE_URI_MAX], q[2 * ROUTE_URI_MAX];
	struct route	 r2;
	const char	*allow, *slash;
	size_t		 i, o;
	int		 rc;

	canonical_query(r, q, sizeof(q));
	(void)snprintf(uri, sizeof(uri), "%s%s", path, q);
	rc = route_parse(method, uri, &r2, &allow);
	FUZZ_ASSERT(rc == 0, "canonical \"%s\": %d", uri, rc);
	same_route(r, &r2, "canonical URL");

	for (i = 0, o = 0; path[i] != '\0'; i++)
		o += (size_t)snprintf(uri + o, sizeof(uri) - o,
		    path[i] == '/' ? "%c" : i % 2 ? "%%%02x" : "%%%02X",
		    (unsigned char)path[i]);
	(void)snprintf(uri + o, sizeof(uri) - o, "%s", q);
	rc = route_parse(method, uri, &r2, &allow);
	if (o > ROUTE_URI_MAX)	/* the limit counts raw bytes */
		FUZZ_ASSERT(rc == 400, "escaped, too long \"%s\": %d", uri,
		    rc);
	else {
		FUZZ_ASSERT(rc == 0, "escaped \"%s\": %d", uri, rc);
		same_route(r, &r2, "escaped URL");
	}

	if ((slash = strchr(path + 1, '/')) != NULL) {
		(void)snprintf(uri, sizeof(uri), "%.*s%%2F%s",
		    (int)(slash - path), path, slash + 1);
		FUZZ_ASSERT(route_parse(method, uri, &r2, &allow) != 0,
		    "\"%s\" routed", uri);
	}
}

static void
check_route(const char *method, const char *uri, int rc,
    const struct route *r, const char *allow)
{
	char		 want[2 * ROUTE_URI_MAX + 2], segs[2 * ROUTE_URI_MAX + 4];
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
	check_sound(method, r);

	canonical_path(r, want, sizeof(want));
	(void)snprintf(segs, sizeof(segs), "%s/", want);
	FUZZ_ASSERT(strstr(segs, "/./") == NULL && strstr(segs, "/../") ==
	    NULL && strstr(want, "//") == NULL, "segment in \"%s\"", want);
	plen = (q = strchr(uri, '?')) != NULL ? (size_t)(q - uri) :
	    strlen(uri);
	FUZZ_ASSERT(plen <= ROUTE_URI_MAX, "path length %zu", plen);
	FUZZ_ASSERT(spells(uri, plen, want), "path \"%.*s\" served as \"%s\"",
	    (int)plen, uri, want);
	check_round_trips(method, r, want);
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
