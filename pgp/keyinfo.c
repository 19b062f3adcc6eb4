/* keyinfo: see keyinfo.h. */
#include <strings.h>

#include <gpgme.h>

#include "keyinfo.h"
#include "pgp_int.h"

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

long long
key_sign_expiry(gpgme_key_t k, const char *fpr)
{
	if (k->subkeys == NULL || k->fpr == NULL ||
	    strcasecmp(k->fpr, fpr) != 0 || k->revoked)
		return -1;
	return sign_expiry(k);
}

int
pgp_signer_expiry(const struct pgp *p, long long *expires)
{
	*expires = 0;
	if (p == NULL || p->sign_expires < 0)
		return -1;
	*expires = p->sign_expires;
	return 0;
}
