/*
 * pgp keys: finding a key by its primary fingerprint and saying what is
 * wrong with it for each use.  See pgp.h for the rules.
 */
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gpgme.h>

#include "pgp_int.h"

#define NOT_PRIMARY	"not a primary key fingerprint"

static int
expired_at(const struct _gpgme_subkey *sk, time_t now)
{
	return sk->expired || (sk->expires > 0 && (time_t)sk->expires <= now);
}

static int
subkey_usable(const struct _gpgme_subkey *sk, time_t now)
{
	return !sk->revoked && !sk->disabled && !sk->invalid &&
	    !expired_at(sk, now);
}

/*
 * Checks what gpg reports about a key found by the fingerprint fpr
 * (normalised).  Returns the reason it is unusable, or NULL.
 */
static const char *
key_problem(gpgme_key_t k, const char *fpr, time_t now)
{
	if (k->subkeys == NULL || k->fpr == NULL)
		return "invalid";
	if (strcasecmp(k->fpr, fpr) != 0)
		return NOT_PRIMARY;
	if (k->revoked || k->subkeys->revoked)
		return "revoked";
	if (k->expired || expired_at(k->subkeys, now))
		return "expired";
	if (k->disabled)
		return "disabled";
	if (k->invalid || k->subkeys->invalid)
		return "invalid";
	return NULL;
}

/*
 * 1 if k has a usable subkey that can sign (else: encrypt), with its
 * secret part if secret.
 */
static int
has_subkey(gpgme_key_t k, int sign, int secret, time_t now)
{
	const struct _gpgme_subkey	*sk;

	for (sk = k->subkeys; sk != NULL; sk = sk->next)
		if ((sign ? sk->can_sign : sk->can_encrypt) &&
		    (!secret || sk->secret) && subkey_usable(sk, now))
			return 1;
	return 0;
}

/* key_problem(), else missing unless k has a usable subkey as asked. */
static const char *
use_problem(gpgme_key_t k, const char *fpr, time_t now, int sign,
    int secret, const char *missing)
{
	const char	*p;

	if ((p = key_problem(k, fpr, now)) != NULL)
		return p;
	if (secret && !k->secret)
		return "no secret key";
	return has_subkey(k, sign, secret, now) ? NULL : missing;
}

const char *
recipient_problem(gpgme_key_t k, const char *fpr, time_t now)
{
	return use_problem(k, fpr, now, 0, 0, "no usable encryption subkey");
}

const char *
signer_problem(gpgme_key_t k, const char *fpr, time_t now)
{
	return use_problem(k, fpr, now, 1, 1,
	    "no usable signing subkey with a secret key");
}

const char *
verifier_problem(gpgme_key_t k, const char *fpr, time_t now)
{
	return use_problem(k, fpr, now, 1, 0, "no usable signing subkey");
}

/* Lists the one key matching fpr (ambiguous if more). */
static gpgme_error_t
key_get(gpgme_ctx_t ctx, const char *fpr, int secret, gpgme_key_t *kp)
{
	gpgme_key_t	extra;
	gpgme_error_t	err;

	*kp = NULL;
	if ((err = gpgme_op_keylist_start(ctx, fpr, secret)) != 0)
		return err;
	if ((err = gpgme_op_keylist_next(ctx, kp)) == 0 &&
	    gpgme_op_keylist_next(ctx, &extra) == 0) {
		gpgme_key_unref(extra);
		gpgme_key_unref(*kp);
		*kp = NULL;
		err = gpgme_error(GPG_ERR_AMBIGUOUS_NAME);
	}
	(void)gpgme_op_keylist_end(ctx);
	return err;
}

int
key_lookup(gpgme_ctx_t ctx, const char *fpr, int secret, gpgme_key_t *kp,
    const char *what, char *why, size_t whysz)
{
	gpgme_error_t	err;
	char		es[128];

	err = key_get(ctx, fpr, secret, kp);
	if (err == 0 && *kp != NULL)
		return 0;
	if (*kp != NULL) {
		gpgme_key_unref(*kp);
		*kp = NULL;
	}
	switch (gpgme_err_code(err)) {
	case GPG_ERR_EOF:
	case GPG_ERR_NO_ERROR:
		set_why(why, whysz, "%s %s: %s", what, fpr,
		    secret ? "no such secret key" : "no such key");
		break;
	case GPG_ERR_AMBIGUOUS_NAME:
		set_why(why, whysz, "%s %s: ambiguous", what, fpr);
		break;
	default:
		set_why(why, whysz, "%s %s: %s", what, fpr,
		    gerr(err, es, sizeof(es)));
		break;
	}
	return -1;
}

void
why_key(char *why, size_t whysz, const char *what, const char *fpr,
    gpgme_key_t k, const char *problem)
{
	if (strcmp(problem, NOT_PRIMARY) == 0 && k->fpr != NULL)
		set_why(why, whysz, "%s %s: a subkey fingerprint "
		    "(the primary key is %s)", what, fpr, k->fpr);
	else
		set_why(why, whysz, "%s %s: %s", what, fpr, problem);
}
