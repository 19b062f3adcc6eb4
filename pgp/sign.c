/*
 * pgp encrypt and sign: the signing key, the recipient keys and the one
 * operation that makes a published file.  See pgp.h for the contract.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gpgme.h>

#include "buf.h"
#include "pgp_int.h"

#define ARMOR_HEAD	"-----BEGIN PGP MESSAGE-----"

/*
 * Compressed (GPGME_ENCRYPT_NO_COMPRESS is left out): the armoured file is
 * several times smaller and the time is gpg's start.
 * GPGME_ENCRYPT_NO_ENCRYPT_TO: gpg.conf's encrypt-to must not add readers.
 */
#define ENCRYPT_FLAGS	(GPGME_ENCRYPT_ALWAYS_TRUST | \
			 GPGME_ENCRYPT_THROW_KEYIDS | \
			 GPGME_ENCRYPT_NO_ENCRYPT_TO)

/* 1 (with "what fpr: reason" in why) if gpg named an invalid key. */
static int
key_refused(gpgme_invalid_key_t inv, const char *what, const char *fpr,
    char *why, size_t whysz)
{
	char	es[128];

	if (inv == NULL)
		return 0;
	set_why(why, whysz, "%s %s: %s", what, fpr_show(fpr),
	    gerr(inv->reason, es, sizeof(es)));
	return 1;
}

/* 1 (with why) if gpg refused the signing key in ctx's last operation. */
static int
signer_refused(const struct pgp *p, gpgme_ctx_t ctx, char *why, size_t whysz)
{
	gpgme_sign_result_t	sr = gpgme_op_sign_result(ctx);

	return key_refused(sr != NULL ? sr->invalid_signers : NULL,
	    "signing key", p->sign_fpr, why, whysz);
}

/*
 * Checks the signature made by an operation on ctx: exactly one, by a
 * subkey of p's signing key, and no invalid signer.
 */
static int
sign_result_ok(const struct pgp *p, gpgme_ctx_t ctx, char *why, size_t whysz)
{
	gpgme_sign_result_t		 sr;
	const struct _gpgme_subkey	*sk;

	if (signer_refused(p, ctx, why, whysz))
		return -1;
	if ((sr = gpgme_op_sign_result(ctx)) == NULL) {
		set_why(why, whysz, "signing key %s: no signature made",
		    p->sign_fpr);
		return -1;
	}
	if (sr->signatures == NULL || sr->signatures->next != NULL ||
	    sr->signatures->fpr == NULL) {
		set_why(why, whysz, "signing key %s: not exactly one "
		    "signature made", p->sign_fpr);
		return -1;
	}
	for (sk = p->signer->subkeys; sk != NULL; sk = sk->next)
		if (sk->fpr != NULL &&
		    strcasecmp(sk->fpr, sr->signatures->fpr) == 0)
			return 0;
	set_why(why, whysz, "signing key %s: signed by another key %s",
	    p->sign_fpr, sr->signatures->fpr);
	return -1;
}

/* Makes one signature, so a key that cannot sign unattended fails now. */
static int
sign_test(struct pgp *p, char *why, size_t whysz)
{
	gpgme_data_t	in = NULL, out = NULL;
	gpgme_error_t	err;
	char		es[128];
	int		rc = -1;

	if ((err = gpgme_data_new_from_mem(&in, "probe\n", 6, 0)) != 0 ||
	    (err = gpgme_data_new(&out)) != 0) {
		set_why(why, whysz, "%s", gerr(err, es, sizeof(es)));
		goto done;
	}
	err = gpgme_op_sign(p->ctx, in, out, GPGME_SIG_MODE_DETACH);
	if (err != 0) {
		if (!signer_refused(p, p->ctx, why, whysz))
			set_why(why, whysz, "signing key %s: %s", p->sign_fpr,
			    gerr(err, es, sizeof(es)));
		goto done;
	}
	rc = sign_result_ok(p, p->ctx, why, whysz);
done:
	gpgme_data_release(in);
	gpgme_data_release(out);
	return rc;
}

/*
 * Makes k (a reference the caller gives up) the signing key, after
 * checking it; its expiry is kept even when the check fails (keyinfo.h).  0, or -1 with why (k released).
 */
static int
signer_use(struct pgp *p, gpgme_key_t k, char *why, size_t whysz)
{
	const char	*pb;
	gpgme_error_t	 err;
	char		 es[128];
	long long	 e;

	if ((e = key_sign_expiry(k, p->sign_fpr)) != -1)
		p->sign_expires = e;
	if ((pb = signer_problem(k, p->sign_fpr, time(NULL))) != NULL) {
		why_key(why, whysz, "signing key", p->sign_fpr, k, pb);
		gpgme_key_unref(k);
		return -1;
	}
	gpgme_signers_clear(p->ctx);
	if ((err = gpgme_signers_add(p->ctx, k)) != 0) {
		set_why(why, whysz, "signing key %s: %s", p->sign_fpr,
		    gerr(err, es, sizeof(es)));
		gpgme_key_unref(k);
		return -1;
	}
	p->signer = k;
	return 0;
}

/* Looks up the signing key by itself.  0, or -1 with why. */
static int
signer_lookup(struct pgp *p, char *why, size_t whysz)
{
	gpgme_key_t	k;

	if (key_lookup(p->ctx, p->sign_fpr, 1, &k, "signing key",
	    why, whysz) == -1)
		return -1;
	return signer_use(p, k, why, whysz);
}

int
signer_probe(struct pgp *p, char *why, size_t whysz)
{
	if (signer_lookup(p, why, whysz) == -1)
		return -1;
	return sign_test(p, why, whysz);
}

/* As pgp_check_recipient(), also returning the (cached) key. */
static int
recipient_get(struct pgp *p, const char *fpr_in, gpgme_key_t *kp,
    char *why, size_t whysz)
{
	char		 fpr[FPR_SZ];
	const char	*pb;
	gpgme_key_t	 k;

	if (fpr_get(fpr_in, fpr, "recipient", why, whysz) == -1)
		return -1;
	if (cache_get(p, fpr, "recipient", &k, why, whysz) == -1)
		return -1;
	if ((pb = recipient_problem(k, fpr, time(NULL))) != NULL) {
		why_key(why, whysz, "recipient", fpr, k, pb);
		return -1;
	}
	*kp = k;
	return 0;
}

int
pgp_check_recipient(struct pgp *p, const char *fpr, char *why, size_t whysz)
{
	gpgme_key_t	k;

	return recipient_get(p, fpr, &k, why, whysz);
}

/* Starts listing the keys of pat (NULL-ended); sign: with secret parts. */
static int
keylist_start(struct pgp *p, const char **pat, int sign)
{
	if (gpgme_set_keylist_mode(p->ctx, GPGME_KEYLIST_MODE_LOCAL |
	    (sign ? GPGME_KEYLIST_MODE_WITH_SECRET : 0)) != 0)
		return -1;
	if (gpgme_op_keylist_ext_start(p->ctx, pat, 0, 0) == 0)
		return 0;
	(void)gpgme_set_keylist_mode(p->ctx, GPGME_KEYLIST_MODE_LOCAL);
	return -1;
}

/*
 * Reads every recipient key not cached yet, and the signing key if it is
 * not set up yet, with one gpg run (gpgme_get_key() starts two per key).
 * The signing key found with its secret part is returned in *signer.
 * Keys it does not find as asked, by their primary fingerprint, are left
 * to recipient_get() and signer_lookup(), which name the problem.
 */
static void
keys_prefetch(struct pgp *p, const char *const *fprs, size_t nfprs,
    gpgme_key_t *signer)
{
	char		(*want)[FPR_SZ];
	const char	**pat;
	gpgme_key_t	 k;
	size_t		 i, n = 0;
	int		 sign = p->signer == NULL && p->signer_why[0] == '\0';

	*signer = NULL;
	want = calloc(nfprs + 1, sizeof(*want));
	pat = calloc(nfprs + 2, sizeof(*pat));
	if (want == NULL || pat == NULL)
		goto out;
	for (i = 0; i < nfprs; i++)
		if (valid_pgp_fingerprint(fprs[i], want[n]) &&
		    cache_find(p, want[n]) == NULL) {
			pat[n] = want[n];
			n++;
		}
	if (sign)
		pat[n] = p->sign_fpr;
	if (n + sign == 0 || keylist_start(p, pat, sign) == -1)
		goto out;
	while (gpgme_op_keylist_next(p->ctx, &k) == 0) {
		if (sign && *signer == NULL && k->secret && k->fpr != NULL &&
		    strcasecmp(k->fpr, p->sign_fpr) == 0) {
			gpgme_key_ref(k);
			*signer = k;
		}
		for (i = 0; i < n; i++)
			if (k->fpr != NULL && strcasecmp(k->fpr, want[i]) == 0 &&
			    cache_find(p, want[i]) == NULL)
				break;
		if (i == n)
			gpgme_key_unref(k);
		else
			(void)cache_add(p, want[i], k);	/* unrefs on failure */
	}
	(void)gpgme_op_keylist_end(p->ctx);
	(void)gpgme_set_keylist_mode(p->ctx, GPGME_KEYLIST_MODE_LOCAL);
out:
	free(want);
	free(pat);
}

/*
 * Sets up the signing key on first use, from candidate (a reference the
 * caller gives up, may be NULL) or by a lookup of its own.  A failure is
 * kept, so that a run does not ask gpg again for every list.
 */
static int
signer_ready(struct pgp *p, gpgme_key_t candidate, char *why, size_t whysz)
{
	int	rc;

	if (p->signer != NULL)
		return 0;
	if (p->signer_why[0] != '\0') {
		set_why(why, whysz, "%s", p->signer_why);
		return -1;
	}
	rc = candidate != NULL ? signer_use(p, candidate, why, whysz) :
	    signer_lookup(p, why, whysz);
	if (rc == -1)
		set_why(p->signer_why, sizeof(p->signer_why), "%s", why);
	return rc;
}

int
recipients_collect(struct pgp *p, const char *const *fprs, size_t nfprs,
    gpgme_key_t *keys, char *why, size_t whysz)
{
	gpgme_key_t	k, signer;
	size_t		i, j, n = 0;

	keys_prefetch(p, fprs, nfprs, &signer);
	if (signer_ready(p, signer, why, whysz) == -1)
		return -1;
	for (i = 0; i < nfprs; i++) {
		if (recipient_get(p, fprs[i], &k, why, whysz) == -1)
			return -1;
		for (j = 0; j < n && keys[j] != k; j++)
			;
		if (j == n)
			keys[n++] = k;
	}
	keys[n] = NULL;
	return 0;
}

/* 1 (with why) if gpg refused a recipient in ctx's last operation. */
static int
recipients_refused(gpgme_ctx_t ctx, char *why, size_t whysz)
{
	gpgme_encrypt_result_t	er = gpgme_op_encrypt_result(ctx);
	gpgme_invalid_key_t	inv = er != NULL ? er->invalid_recipients :
				    NULL;

	return key_refused(inv, "recipient", inv != NULL ? inv->fpr : NULL,
	    why, whysz);
}

/* After a failed encryption: name the key gpg refused, if any. */
static void
why_encrypt(const struct pgp *p, gpgme_ctx_t ctx, gpgme_error_t err,
    char *why, size_t whysz)
{
	char	es[128];

	if (!recipients_refused(ctx, why, whysz) &&
	    !signer_refused(p, ctx, why, whysz))
		set_why(why, whysz, "encrypt and sign: %s",
		    gerr(err, es, sizeof(es)));
}

int
encrypt_on(const struct pgp *p, gpgme_ctx_t ctx, gpgme_key_t *keys,
    const void *in, size_t len, struct buf *out, char *why, size_t whysz)
{
	gpgme_data_t	 din = NULL, dout = NULL;
	gpgme_error_t	 err;
	char		*mem = NULL, es[128];
	size_t		 n = 0;
	int		 rc = -1;

	if ((err = gpgme_data_new_from_mem(&din, len ? in : "", len, 0)) != 0 ||
	    (err = gpgme_data_new(&dout)) != 0) {
		set_why(why, whysz, "gpgme data: %s", gerr(err, es, sizeof(es)));
		goto done;
	}
	err = gpgme_op_encrypt_sign(ctx, keys, ENCRYPT_FLAGS, din, dout);
	if (err != 0) {
		why_encrypt(p, ctx, err, why, whysz);
		goto done;
	}
	if (sign_result_ok(p, ctx, why, whysz) == -1 ||
	    recipients_refused(ctx, why, whysz))
		goto done;
	mem = gpgme_data_release_and_get_mem(dout, &n);
	dout = NULL;
	if (mem == NULL || n < sizeof(ARMOR_HEAD) - 1 ||
	    memcmp(mem, ARMOR_HEAD, sizeof(ARMOR_HEAD) - 1) != 0) {
		set_why(why, whysz, "encrypt and sign: no armoured output");
		goto done;
	}
	if (buf_add(out, mem, n) == -1) {
		set_why(why, whysz, "encrypt and sign: out of memory");
		goto done;
	}
	rc = 0;
done:
	gpgme_free(mem);
	gpgme_data_release(din);
	gpgme_data_release(dout);
	return rc;
}
