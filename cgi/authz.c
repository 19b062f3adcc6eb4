/* authz: see authz.h. */
#include <string.h>

#include "authz.h"
#include "conf.h"
#include "valid.h"

/* A subject DN as nginx prints it (RFC 2253, non-ASCII escaped). */
static int
dn_ok(const char *dn)
{
	size_t	 i;

	for (i = 0; dn[i] != '\0'; i++) {
		if (i >= AUTHZ_DN_MAX)
			return 0;
		if ((unsigned char)dn[i] < 0x20 || (unsigned char)dn[i] > 0x7e)
			return 0;
	}
	return i > 0;
}

enum authz_result
authz_check(const struct lf_config *cfg, const char *verify,
    const char *fingerprint, const char *subject,
    const struct lf_client **client, const char **fp_out)
{
	const struct lf_client *c;

	*client = NULL;
	if (fingerprint != NULL && !valid_fingerprint(fingerprint))
		fingerprint = NULL;
	if (fp_out != NULL)
		*fp_out = fingerprint != NULL ? fingerprint : "-";
	if (subject != NULL && !dn_ok(subject))
		subject = NULL;

	if (verify == NULL || verify[0] == '\0' || strcmp(verify, "NONE") == 0)
		return AUTHZ_NO_CERT;
	if (strcmp(verify, "SUCCESS") != 0)
		return AUTHZ_NOT_VERIFIED;
	if (fingerprint == NULL && subject == NULL)
		return AUTHZ_UNKNOWN;
	if ((c = conf_client_find(cfg, fingerprint, subject)) == NULL)
		return AUTHZ_UNKNOWN;
	*client = c;
	return AUTHZ_OK;
}

const char *
authz_reason(enum authz_result r)
{
	switch (r) {
	case AUTHZ_OK:
		return "ok";
	case AUTHZ_NO_CERT:
		return "client certificate required";
	case AUTHZ_NOT_VERIFIED:
		return "client certificate not verified";
	case AUTHZ_UNKNOWN:
	default:
		return "unknown client certificate";
	}
}
