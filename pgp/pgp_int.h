/*
 * pgp_int: what the files of pgp/ share behind pgp.h (not for callers).
 *
 * ctx.c makes and frees the contexts and keeps their public key cache;
 * key.c finds keys and says what is wrong with one; sign.c sets up the
 * keys and encrypts and signs one file; batch.c runs several of those
 * side by side; verify.c decrypts and verifies.
 */
#ifndef LF_PGP_INT_H
#define LF_PGP_INT_H

#include <stddef.h>
#include <time.h>

#include <gpgme.h>

#include "buf.h"
#include "fsutil.h"
#include "pgp.h"
#include "valid.h"

#define FPR_SZ		(VALID_PGP_FPR_LEN + 1)
#define PGP_WHY_MAX	512
#define PGP_RINGS	3	/* pubring.kbx, pubring.gpg, trustdb.gpg */

struct cached_key {
	char		 fpr[FPR_SZ];
	gpgme_key_t	 key;
};

struct pgp {
	gpgme_ctx_t	 ctx;
	char		 sign_fpr[FPR_SZ];	/* "" without a signing key */
	gpgme_key_t	 signer;	/* NULL until first needed */
	char		 signer_why[400];	/* why it could not be */
	long long	 sign_expires;	/* keyinfo.h; -1: not known */
	struct cached_key *keys;
	size_t		 nkeys;
	size_t		 capkeys;
	/* The keyrings and trust database when the cache was last emptied. */
	struct file_id	 rings[PGP_RINGS];
	char		*home;
};

void	set_why(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* GPGME's text for err, in s. */
const char *gerr(gpgme_error_t err, char *s, size_t sz);
/* A printable form of a refused fingerprint for messages. */
const char *fpr_show(const char *);
/*
 * Normalises the full fingerprint in into out (valid_pgp_fingerprint()).
 * 0, or -1 with "WHAT IN: not a full fingerprint (40 hex digits)".
 */
int	fpr_get(const char *in, char out[FPR_SZ], const char *what, char *why,
	    size_t whysz);

/* ctx.c: the cache of checked public keys (recipients, the signer). */
gpgme_key_t cache_find(const struct pgp *, const char *fpr);
int	cache_add(struct pgp *, const char *fpr, gpgme_key_t);
/*
 * ctx.c: the public key fpr (normalised) from the cache, else listed
 * (key_lookup(), what names it in why) and cached; p keeps the reference.
 * 0, or -1 with why.
 */
int	cache_get(struct pgp *, const char *fpr, const char *what,
	    gpgme_key_t *, char *why, size_t whysz);
/*
 * ctx.c: a new GPGME context set up as p's, with p's signing key (set up
 * already), for another thread to encrypt and sign with p's keys.  It
 * starts no gpg.  0, or -1 with why.
 */
int	ctx_worker(const struct pgp *p, gpgme_ctx_t *ctx, char *why,
	    size_t whysz);

/* key.c */
/*
 * Finds a key by normalised fingerprint on ctx (not gpgme_get_key(),
 * which makes a context of its own and so runs "gpg --version" again).
 * 0, or -1 with the reason in why, prefixed by what ("recipient",
 * "signing key", "signer").
 */
int	key_lookup(gpgme_ctx_t, const char *fpr, int secret, gpgme_key_t *,
	    const char *what, char *why, size_t whysz);
/* Why k, found by fpr, cannot be used now, or NULL. */
const char *recipient_problem(gpgme_key_t k, const char *fpr, time_t now);
const char *signer_problem(gpgme_key_t k, const char *fpr, time_t now);
const char *verifier_problem(gpgme_key_t k, const char *fpr, time_t now);
/* A message for what a *_problem() found wrong with k. */
void	why_key(char *why, size_t whysz, const char *what, const char *fpr,
	    gpgme_key_t k, const char *problem);

/* keyinfo.c: pgp_signer_expiry() of k, listed by fpr (normalised) with
 * its secret parts; -1 when not known. */
long long key_sign_expiry(gpgme_key_t k, const char *fpr);

/* sign.c: sets up the signing key now (PGP_PROBE).  0, or -1 with why. */
int	signer_probe(struct pgp *, char *why, size_t whysz);
/*
 * sign.c: sets up the signing key if needed and fills keys (nfprs + 1
 * slots) with the distinct checked recipient keys (owned by p's cache),
 * NULL-terminated.  0, or -1 with why.
 */
int	recipients_collect(struct pgp *p, const char *const *fprs,
	    size_t nfprs, gpgme_key_t *keys, char *why, size_t whysz);
/*
 * sign.c: one encrypt and sign operation on ctx (p's own or a
 * ctx_worker() one) to keys, signed by p's signing key; reads p only.
 * The output is appended to out on success.  0, or -1 with why.
 */
int	encrypt_on(const struct pgp *p, gpgme_ctx_t ctx, gpgme_key_t *keys,
	    const void *in, size_t len, struct buf *out, char *why,
	    size_t whysz);

#endif
