/* keyinfo: see keyinfo.h. */
#include <strings.h>

#include <gpgme.h>

#include "keyinfo.h"
#include "pgp_int.h"

#define WHAT	"signing key"

/* The earlier of two expiry times, 0 meaning never. */
static long long
earlier(long long a, long long b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

/*
 * The expiry of k as a signer: 0 never, else seconds; -1 when no
 * signing (sub)key with a secret part is left to expire.
 */
static long long
sign_expiry(gpgme_key_t k)
{
	const struct _gpgme_subkey	*sk;
	long long			 best = -1;

	for (sk = k->subkeys; sk != NULL; sk = sk->next) {
		if (!sk->can_sign || !sk->secret || sk->revoked ||
		    sk->disabled || sk->invalid)
			continue;
		if (sk->expires <= 0)
			best = 0;
		else if (best != 0 && sk->expires > best)
			best = sk->expires;
	}
	if (best == -1)
		return -1;
	return earlier(k->subkeys->expires > 0 ? k->subkeys->expires : 0,
	    best);
}

int
pgp_sign_expiry(struct pgp *p, const char *fpr_in, long long *expires,
    char *why, size_t whysz)
{
	char		 fpr[FPR_SZ];
	gpgme_key_t	 k;
	long long	 e;

	*expires = 0;
	if (fpr_get(fpr_in, fpr, WHAT, why, whysz) == -1 ||
	    key_lookup(p->ctx, fpr, 1, &k, WHAT, why, whysz) == -1)
		return -1;
	if (k->subkeys == NULL || k->fpr == NULL) {
		set_why(why, whysz, WHAT " %s: invalid", fpr);
		e = -1;
	} else if (strcasecmp(k->fpr, fpr) != 0) {
		set_why(why, whysz, WHAT " %s: a subkey fingerprint (the "
		    "primary key is %s)", fpr, k->fpr);
		e = -1;
	} else if (k->revoked || (e = sign_expiry(k)) == -1) {
		set_why(why, whysz, WHAT " %s: %s", fpr, k->revoked ?
		    "revoked" : "no signing subkey with a secret key");
		e = -1;
	}
	gpgme_key_unref(k);
	if (e == -1)
		return -1;
	*expires = e;
	return 0;
}
