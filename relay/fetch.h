/*
 * fetch: one HTTPS GET of a feed file (libcurl), as listfeed-relay needs:
 *  - the client certificate and key of the configuration; the server
 *    verified against the configured CA file only (chain and host name),
 *    TLS 1.2 or later, https only, no redirect followed, no proxy;
 *  - timeouts: FETCH_CONNECT_TIMEOUT to connect, FETCH_TIMEOUT for the
 *    whole transfer, and an abort below 1 byte/s for FETCH_LOW_SPEED_TIME;
 *  - a body larger than FETCH_MAX_BODY is refused (before or while it
 *    arrives);
 *  - a conditional GET when validators are given (If-None-Match,
 *    If-Modified-Since): 304 costs no body;
 *  - one connection: a fetcher keeps its connection to the server from
 *    one GET to the next while the server keeps it open (every check
 *    above holds for each GET; only the TLS handshake is saved).
 * Nothing here exits.
 */
#ifndef LF_FETCH_H
#define LF_FETCH_H

#include <stddef.h>

#include "buf.h"

#define FETCH_CONNECT_TIMEOUT	10		/* seconds */
#define FETCH_TIMEOUT		120
#define FETCH_LOW_SPEED_TIME	30
#define FETCH_MAX_BODY		(64L * 1024 * 1024)	/* bytes */

struct fetcher;

/* The validators of the last accepted answer ("" when none). */
struct fetch_validators {
	char	 etag[128];
	char	 last_modified[64];
};

enum fetch_status {
	FETCH_OK = 0,		/* 200, the body in out */
	FETCH_NOT_MODIFIED,	/* 304 */
	FETCH_FAILED		/* network, TLS, HTTP status, size */
};

/* Once in main() before any thread. 0 or -1 (logged). */
int	fetch_global_init(void);

/* cert, key, ca: paths (kept by reference).  NULL (logged) on failure. */
struct fetcher *fetch_new(const char *cert, const char *key, const char *ca);
void	fetch_free(struct fetcher *);

/*
 * GETs url.  cond: validators to send (NULL: none).  On FETCH_OK the body
 * replaces out's content and got holds the answer's validators.  On
 * FETCH_FAILED, why says what happened ("HTTP 404", "SSL peer
 * certificate ... : unable to get local issuer certificate").
 */
enum fetch_status fetch_get(struct fetcher *, const char *url,
	    const struct fetch_validators *cond, struct buf *out,
	    struct fetch_validators *got, char *why, size_t whysz);

#endif
