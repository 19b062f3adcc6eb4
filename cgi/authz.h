/*
 * authz: who is asking.  Maps nginx's client-certificate params to a
 * [client NAME] section of the configuration.
 *
 * A request is from a known client only if SSL_CLIENT_VERIFY is exactly
 * "SUCCESS" and either SSL_CLIENT_FINGERPRINT (SHA-1, 40 lower-case hex
 * digits, preferred) or, for clients that set "subject", SSL_CLIENT_S_DN
 * matches (conf_client_find()).  Params that fail their allow-list are
 * treated as absent.  Pure: no I/O.
 */
#ifndef LF_AUTHZ_H
#define LF_AUTHZ_H

#include "conf.h"

#define AUTHZ_DN_MAX	1024

enum authz_result {
	AUTHZ_OK = 0,
	AUTHZ_NO_CERT,		/* no certificate presented */
	AUTHZ_NOT_VERIFIED,	/* presented, nginx could not verify it */
	AUTHZ_UNKNOWN		/* verified, but in no [client] section */
};

/*
 * verify, fingerprint, subject: the params as nginx sent them (NULL when
 * absent).  On AUTHZ_OK *client is set; *fp_out (if not NULL) points to
 * fingerprint when it is well-formed, else to "-", whatever the result.
 */
enum authz_result authz_check(const struct lf_config *, const char *verify,
	    const char *fingerprint, const char *subject,
	    const struct lf_client **client, const char **fp_out);

/* The one-line reason for a 403 (no trailing newline). */
const char *authz_reason(enum authz_result);

#endif
