/*
 * pgp decrypt and verify: a file is accepted only encrypted to a public
 * key and signed once, well, by the one pinned key.  See pgp.h.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gpgme.h>

#include "pgp_int.h"

/* What makes a signature unacceptable even when gpg calls it good. */
#define SIGSUM_BAD	(GPGME_SIGSUM_RED | GPGME_SIGSUM_KEY_REVOKED | \
			 GPGME_SIGSUM_KEY_EXPIRED | GPGME_SIGSUM_SIG_EXPIRED | \
			 GPGME_SIGSUM_KEY_MISSING | GPGME_SIGSUM_BAD_POLICY | \
			 GPGME_SIGSUM_SYS_ERROR)

/*
 * The pinned key, checked now: from p's cache while the keyrings are
 * unchanged (pgp_flush()), so a file costs one gpg, not two.  p keeps
 * the reference.  0, or -1 with why.
 */
static int
signer_key(struct pgp *p, const char *fpr, gpgme_key_t *kp, char *why,
    size_t whysz)
{
	const char	*pb;

	pgp_flush(p);
	if (cache_get(p, fpr, "signer", kp, why, whysz) == -1)
		return -1;
	if ((pb = verifier_problem(*kp, fpr, time(NULL))) != NULL) {
		why_key(why, whysz, "signer", fpr, *kp, pb);
		*kp = NULL;
		return -1;
	}
	return 0;
}

int
pgp_check_signer(struct pgp *p, const char *signer_fpr, char *why,
    size_t whysz)
{
	char		fpr[FPR_SZ];
	gpgme_key_t	k;

	return fpr_get(signer_fpr, fpr, "signer", why, whysz) == -1 ||
	    signer_key(p, fpr, &k, why, whysz) == -1 ? -1 : 0;
}

/* The decryption as GPGME reports it: to a public key, protected. */
static int
decrypt_ok(struct pgp *p, char *why, size_t whysz)
{
	gpgme_decrypt_result_t	dr;

	if ((dr = gpgme_op_decrypt_result(p->ctx)) == NULL ||
	    dr->recipients == NULL) {
		set_why(why, whysz, "not encrypted to a public key");
		return -1;
	}
	if (dr->unsupported_algorithm != NULL) {
		set_why(why, whysz, "unsupported algorithm %s",
		    dr->unsupported_algorithm);
		return -1;
	}
	if (dr->wrong_key_usage || dr->legacy_cipher_nomdc) {
		set_why(why, whysz, "not properly encrypted (%s)",
		    dr->wrong_key_usage ? "wrong key usage" :
		    "no integrity protection");
		return -1;
	}
	return 0;
}

/* 1 if the (sub)key fingerprint sfpr is one of k's. */
static int
made_by(const char *sfpr, gpgme_key_t k)
{
	const struct _gpgme_subkey	*sk;

	for (sk = k->subkeys; sk != NULL; sk = sk->next)
		if (sk->fpr != NULL && strcasecmp(sk->fpr, sfpr) == 0)
			return 1;
	return 0;
}

/*
 * The one signature of the last operation, checked as far as gpg can:
 * its (sub)key fingerprint in sfpr.  0, or -1 with why.
 */
static int
one_good_sig(struct pgp *p, char *sfpr, size_t sfprsz, char *why,
    size_t whysz)
{
	gpgme_verify_result_t	 vr;
	gpgme_signature_t	 sig;
	char			 es[128];

	vr = gpgme_op_verify_result(p->ctx);
	if (vr == NULL || (sig = vr->signatures) == NULL) {
		set_why(why, whysz, "not signed");
		return -1;
	}
	if (sig->next != NULL) {
		set_why(why, whysz, "more than one signature");
		return -1;
	}
	if (sig->fpr == NULL || sig->fpr[0] == '\0' ||
	    strlen(sig->fpr) >= sfprsz) {
		set_why(why, whysz, "signature without a key fingerprint");
		return -1;
	}
	if (gpgme_err_code(sig->status) != GPG_ERR_NO_ERROR ||
	    (sig->summary & SIGSUM_BAD) != 0 || sig->wrong_key_usage) {
		set_why(why, whysz, "signature by %s: %s", sig->fpr,
		    sig->status != 0 ? gerr(sig->status, es, sizeof(es)) :
		    "not valid");
		return -1;
	}
	memcpy(sfpr, sig->fpr, strlen(sig->fpr) + 1);
	return 0;
}

/*
 * Exactly one good signature, by the pinned key fpr.  0, or -1 with why.
 * The results are read before the key lookup, which replaces them.
 */
static int
verify_ok(struct pgp *p, const char *fpr, char *why, size_t whysz)
{
	gpgme_key_t	 k;
	char		 sfpr[128];

	if (one_good_sig(p, sfpr, sizeof(sfpr), why, whysz) == -1 ||
	    signer_key(p, fpr, &k, why, whysz) == -1)
		return -1;
	if (made_by(sfpr, k))
		return 0;
	set_why(why, whysz, "signed by %s, not by signer %s", sfpr, fpr);
	return -1;
}

/* Where the cleartext goes, and how much of it may come. */
struct sink {
	pgp_sink	 fn;
	void		*ctx;
	size_t		 max, len;
	int		 too_big, failed;
};

/* GPGME's write callback: refusing a piece stops the operation. */
static ssize_t
sink_write(void *handle, const void *buf, size_t size)
{
	struct sink	*s = handle;

	if (size > s->max - s->len) {
		s->too_big = 1;
		errno = EFBIG;
		return -1;
	}
	errno = 0;
	if (s->fn(s->ctx, buf, size) == -1) {
		s->failed = errno != 0 ? errno : EIO;
		errno = s->failed;
		return -1;
	}
	s->len += size;
	return (ssize_t)size;
}

/* Runs the operation, the cleartext to s.  0, or -1 with why. */
static int
run_decrypt(struct pgp *p, const void *in, size_t len, struct sink *s,
    char *why, size_t whysz)
{
	struct gpgme_data_cbs	 cbs = { NULL, sink_write, NULL, NULL };
	gpgme_data_t		 din = NULL, dout = NULL;
	gpgme_error_t		 err;
	char			 es[128];
	int			 rc = -1;

	if ((err = gpgme_data_new_from_mem(&din, in, len, 0)) != 0 ||
	    (err = gpgme_data_new_from_cbs(&dout, &cbs, s)) != 0) {
		set_why(why, whysz, "gpgme data: %s", gerr(err, es, sizeof(es)));
		goto done;
	}
	err = gpgme_op_decrypt_verify(p->ctx, din, dout);
	if (s->too_big)
		set_why(why, whysz, "cleartext larger than %zu bytes", s->max);
	else if (s->failed)
		set_why(why, whysz, "cleartext: %s", strerror(s->failed));
	else if (err != 0)
		set_why(why, whysz, "decrypt: %s", gerr(err, es, sizeof(es)));
	else
		rc = 0;
done:
	gpgme_data_release(din);
	gpgme_data_release(dout);
	return rc;
}

int
pgp_decrypt_verify(struct pgp *p, const char *signer_fpr, const void *in,
    size_t len, size_t max, pgp_sink sink, void *sinkctx, char *why,
    size_t whysz)
{
	struct sink	 s = { sink, sinkctx, max, 0, 0, 0 };
	char		 fpr[FPR_SZ];

	if (fpr_get(signer_fpr, fpr, "signer", why, whysz) == -1)
		return -1;
	if (in == NULL || len == 0) {
		set_why(why, whysz, "empty input");
		return -1;
	}
	if (run_decrypt(p, in, len, &s, why, whysz) == -1 ||
	    decrypt_ok(p, why, whysz) == -1 ||
	    verify_ok(p, fpr, why, whysz) == -1)
		return -1;
	return 0;
}
