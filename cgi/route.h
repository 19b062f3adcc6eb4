/*
 * route: the one parser of request input (method, path, query string).
 *
 * route_parse() is pure: it reads only its arguments, touches neither the
 * file system nor any global, and either fills a struct route whose every
 * field has passed the allow-list, or returns the HTTP status to answer.
 *
 * Input is the raw REQUEST_URI as the client sent it (path and query),
 * never nginx's normalised DOCUMENT_URI: nginx resolves "..", "%2e%2e" and
 * "//" in $document_uri, so a request for "/lists/../manifest.json" would
 * arrive as a harmless-looking "/manifest.json".  On the raw URI such a
 * request is visibly malformed and is refused as such.  The URI is
 * percent-decoded exactly once, segment by segment, after it has been
 * split at '/' and '?', so "%2f" can never make a separator.
 *
 * URLs:
 *   GET|HEAD /                          ROUTE_INDEX
 *   GET|HEAD /lists/NAME[?reception=mail|digest]   ROUTE_PLAIN
 *   GET|HEAD /lists/NAME.FORMAT.asc     ROUTE_ASC
 *   GET|HEAD /lists/NAME.sympa.asc?reception=mail|digest   ROUTE_ASC
 *   GET|HEAD /-/status                  ROUTE_STATUS
 *   GET|HEAD /-/metrics                 ROUTE_METRICS
 *   POST     /-/regenerate[?list=NAME][&wait=0..60]   ROUTE_REGENERATE
 * A last segment ending in ".asc" is always an encrypted file: a list
 * whose name ends in ".asc" has no clear-text URL.  For ROUTE_PLAIN and
 * ROUTE_ASC, file is the kind the URL names (kind_for_url()); a URL that
 * names no kind (".plain.asc", "?reception=" on another format) is 404.
 *
 * Answers: 0 (route filled), 400 (malformed: bad encoding, NUL, control
 * bytes, "." or ".." segments, too long, unknown or repeated query keys,
 * bad values), 404 (no such URL, or a name outside the allow-list),
 * 405 (method not allowed here; *allow names the allowed ones).
 */
#ifndef LF_ROUTE_H
#define LF_ROUTE_H

#include "kind.h"
#include "valid.h"

#define ROUTE_URI_MAX	256	/* bytes of path, and of query, each */

enum route_kind {
	ROUTE_INDEX = 0,
	ROUTE_PLAIN,
	ROUTE_ASC,
	ROUTE_STATUS,
	ROUTE_METRICS,
	ROUTE_REGENERATE
};

enum route_method { METHOD_GET = 0, METHOD_HEAD, METHOD_POST, METHOD_OTHER };

struct route {
	enum route_kind	 kind;
	enum route_method method;
	char		 list[VALID_LIST_MAX + 1];	/* "" if none */
	char		 format[VALID_FORMAT_MAX + 1];	/* ROUTE_ASC */
	enum sympafile_reception reception;	/* ROUTE_PLAIN, ROUTE_ASC */
	enum lf_kind	 file;				/* ROUTE_PLAIN, ROUTE_ASC */
	int		 wait;		/* ROUTE_REGENERATE: seconds, 0 = none */
};

/*
 * method: REQUEST_METHOD; uri: REQUEST_URI (path, optional "?query").
 * Either may be NULL (then 400).  On 405, *allow (if allow is not NULL)
 * is set to the value of the Allow header.
 */
int	route_parse(const char *method, const char *uri, struct route *r,
	    const char **allow);

#endif
