/*
 * fuzz_params: FastCGI params to an authorised request: the name-value
 * pairs of a FCGI_PARAMS stream (1- or 4-byte lengths, as libfcgi reads
 * them into envp), FCGX_GetParam(), authz_check() (cgi/authz.c) against
 * a fixed ACL, then route_parse() (cgi/route.c), in serve_request()'s
 * order.
 *
 * Invariants:
 *  - AUTHZ_OK only with SSL_CLIENT_VERIFY exactly "SUCCESS" and a client
 *    that holds the (well-formed) fingerprint sent, or, for a client
 *    without fingerprints, whose subject equals the DN sent, which is
 *    printable ASCII of at most AUTHZ_DN_MAX bytes;
 *  - conversely a verified, known fingerprint is always let in as its
 *    client; a fingerprint in the wrong case or with colons never is;
 *  - the fingerprint for the log line is "-" or 40 lower-case hex digits;
 *    the 403 reason is one printable line;
 *  - route_parse() answers 0, 400, 404 or 405, and a routed list name
 *    passes the allow-list.
 */
#include <fcgiapp.h>

#include "fuzz.h"
#include "authz.h"
#include "conf.h"
#include "route.h"
#include "valid.h"

#define FP_SYMPA	"5d1c8a03e7449bf260ad3e71c908b52f94e61a7c"
#define FP_CRM		"2f8e4c61a09d37b5e812c4f06a9b3d7e51c08f24"
#define DN_ADMIN	"CN=admin,O=Example,C=NL"

static const char conf_text[] =
	"[client sympa]\n"
	"fingerprint = 5D:1C:8A:03:E7:44:9B:F2:60:AD:3E:71:C9:08:B5:2F:94:E6:1A:7C\n"
	"lists = deelnemers spacelog\n"
	"plain = yes\n"
	"[client crm]\n"
	"fingerprint = " FP_CRM "\n"
	"lists = *\n"
	"trigger = yes\n"
	"[client admin]\n"
	"subject = " DN_ADMIN "\n"
	"lists = deelnemers\n";

static struct lf_config	 cfg;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (conf_load(fuzz_write("acl.conf", conf_text, sizeof(conf_text) - 1),
	    &cfg) == -1) {
		fprintf(stderr, "fuzz_params: the built-in ACL does not load\n");
		abort();
	}
	return 0;
}

/* A FastCGI name or value length: 1 byte, or 4 with the top bit set. */
static int
get_len(const uint8_t **p, const uint8_t *end, size_t *len)
{
	if (*p >= end)
		return -1;
	if (**p < 0x80) {
		*len = *(*p)++;
		return 0;
	}
	if (end - *p < 4)
		return -1;
	*len = ((size_t)((*p)[0] & 0x7f) << 24) | ((size_t)(*p)[1] << 16) |
	    ((size_t)(*p)[2] << 8) | (*p)[3];
	*p += 4;
	return 0;
}

#define NPARAMS_MAX	32

static int
printable_line(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t		*p = data, *end = data + size;
	char			*envp[NPARAMS_MAX + 1];
	size_t			 n = 0, nl, vl, i;
	const char		*verify, *fpr, *dn, *fp_out, *allow, *reason;
	const struct lf_client	*client, *want;
	enum authz_result	 a;
	struct route		 r;
	int			 rc;

	while (n < NPARAMS_MAX && get_len(&p, end, &nl) == 0 &&
	    get_len(&p, end, &vl) == 0 && nl <= (size_t)(end - p) &&
	    vl <= (size_t)(end - p) - nl) {
		if ((envp[n] = malloc(nl + vl + 2)) == NULL)
			abort();
		memcpy(envp[n], p, nl);
		envp[n][nl] = '=';
		memcpy(envp[n] + nl + 1, p + nl, vl);
		envp[n][nl + 1 + vl] = '\0';
		p += nl + vl;
		n++;
	}
	envp[n] = NULL;

	verify = FCGX_GetParam("SSL_CLIENT_VERIFY", envp);
	fpr = FCGX_GetParam("SSL_CLIENT_FINGERPRINT", envp);
	dn = FCGX_GetParam("SSL_CLIENT_S_DN", envp);
	a = authz_check(&cfg, verify, fpr, dn, &client, &fp_out);

	FUZZ_ASSERT(a >= AUTHZ_OK && a <= AUTHZ_UNKNOWN, "result %d", a);
	FUZZ_ASSERT(fp_out != NULL && (strcmp(fp_out, "-") == 0 ||
	    valid_fingerprint(fp_out)), "logged fingerprint");
	reason = authz_reason(a);
	FUZZ_ASSERT(reason[0] != '\0' && printable_line(reason), "reason");
	FUZZ_ASSERT((a == AUTHZ_OK) == (client != NULL), "client");
	if (a == AUTHZ_OK) {
		FUZZ_ASSERT(strcmp(verify, "SUCCESS") == 0, "not verified");
		if (fpr != NULL && strlist_has(&client->fingerprints, fpr))
			FUZZ_ASSERT(valid_fingerprint(fpr), "fingerprint");
		else
			FUZZ_ASSERT(client->fingerprints.n == 0 && dn != NULL &&
			    client->subject != NULL &&
			    strcmp(client->subject, dn) == 0 &&
			    printable_line(dn) && strlen(dn) <= AUTHZ_DN_MAX,
			    "let in by neither fingerprint nor subject");
	}
	want = NULL;
	if (fpr != NULL && strcmp(fpr, FP_SYMPA) == 0)
		want = &cfg.clients[0];
	else if (fpr != NULL && strcmp(fpr, FP_CRM) == 0)
		want = &cfg.clients[1];
	if (verify != NULL && strcmp(verify, "SUCCESS") == 0 && want != NULL)
		FUZZ_ASSERT(a == AUTHZ_OK && client == want,
		    "known client refused");
	if (fpr != NULL && !valid_fingerprint(fpr) && (dn == NULL ||
	    strcmp(dn, DN_ADMIN) != 0))
		FUZZ_ASSERT(a != AUTHZ_OK, "malformed fingerprint let in");

	allow = NULL;
	rc = route_parse(FCGX_GetParam("REQUEST_METHOD", envp),
	    FCGX_GetParam("REQUEST_URI", envp), &r, &allow);
	FUZZ_ASSERT(rc == 0 || rc == 400 || rc == 404 || rc == 405, "rc %d",
	    rc);
	FUZZ_ASSERT(rc != 405 || allow != NULL, "405 without Allow");
	if (rc == 0 && r.list[0] != '\0') {
		FUZZ_ASSERT(valid_list_name(r.list), "routed list");
		if (client != NULL)
			(void)conf_client_sees(client, r.list);
	}
	for (i = 0; i < n; i++)
		free(envp[i]);
	return 0;
}
