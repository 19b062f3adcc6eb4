/*
 * serve: answers one FastCGI request.
 *
 * Order, for every request: refresh and take the state snapshot,
 * authorise the client certificate (authz.h, 403 otherwise), parse the
 * method and REQUEST_URI (route.h: 400/404/405), then the handler.  No
 * handler touches the file system before both passed.  File bodies are
 * never written here: the answer names the file in X-Accel-Redirect and
 * nginx sends it (whole, with its own ETag/Last-Modified, 304 and 206),
 * after this process checked it is listed in the entry of its list's
 * live version and a regular file there (looked at once while it is
 * watched: entcache.h, fswatch.h).
 *
 * Each request ends with one audit line through log_info():
 *   request TIME CLIENT FINGERPRINT METHOD URI STATUS BYTES
 * ("-" for an unknown client or fingerprint; BYTES is the file size for
 * X-Accel-Redirect bodies); without TIME when the line goes to the
 * journal, which stamps it itself (log.h).  URLs never carry a
 * subscriber's address.  A GET of a list file answered 200 is noted as
 * the client's last fetch (report.h).
 */
#ifndef LF_SERVE_H
#define LF_SERVE_H

#include <fcgiapp.h>

#define SERVE_BODY_MAX	(64 * 1024)	/* request body read and dropped */

/*
 * What becomes of nginx's connection once the answer is out.  nginx
 * keeps a FastCGI connection (fastcgi_keep_conn, upstream keepalive)
 * only after it has read a body to its end: never after X-Accel-Redirect
 * or an answer to HEAD, which it acts upon at the headers and closes.
 */
enum serve_conn {
	SERVE_KEEP,	/* input read to its end; nginx may send another */
	SERVE_CLOSE,	/* input read to its end; nginx will close */
	SERVE_LINGER,	/* input left unread (body too large) */
};

enum serve_conn	serve_request(FCGX_Request *);

#endif
