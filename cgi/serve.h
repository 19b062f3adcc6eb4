/*
 * serve: answers one FastCGI request.
 *
 * Order, for every request: refresh and take the state snapshot,
 * authorise the client certificate (authz.h, 403 otherwise), parse the
 * method and REQUEST_URI (route.h: 400/404/405), then the handler.  No
 * handler touches the file system before both passed.  File bodies are
 * never written here: the answer names the file in X-Accel-Redirect and
 * nginx sends it (whole, with its own ETag/Last-Modified, 304 and 206),
 * after this process checked it is a regular file listed in the manifest.
 *
 * Each request ends with one audit line through log_info():
 *   request TIME CLIENT FINGERPRINT METHOD URI STATUS BYTES
 * ("-" for an unknown client or fingerprint; BYTES is the file size for
 * X-Accel-Redirect bodies).  URLs never carry a subscriber's address.
 */
#ifndef LF_SERVE_H
#define LF_SERVE_H

#include <fcgiapp.h>

#define SERVE_BODY_MAX	(64 * 1024)	/* request body read and dropped */

void	serve_request(FCGX_Request *);

#endif
