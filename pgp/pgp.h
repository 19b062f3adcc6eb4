/*
 * pgp: the OpenPGP operations of listfeed (GPGME): encrypt and sign a
 * published file (listfeed-gen), decrypt one and verify its signer
 * (listfeed-relay).
 *
 * Built from pgp/ into an archive of its own (libpgp.a) that only the
 * programs using gpg link: listfeed-gen and listfeed-relay.  listfeed.fcgi
 * never links it, nor gpgme.  It uses lib/ and nothing above it.
 *
 * One struct pgp per thread: it holds one GPGME context, the signing key
 * (if any) and a cache of checked public keys (recipients, the signer).
 * pgp_global_init() must run once, before any thread starts.
 * pgp_encrypt_sign_many() starts threads of its own, and joins them,
 * inside the call.
 *
 * Keys are named only by their full primary fingerprint (40 hex digits,
 * either case: valid_pgp_fingerprint()).  Recipient keys are not required
 * to be certified: the module checks them itself (present, primary
 * fingerprint equal to the configured one, not expired, revoked, disabled
 * or invalid, with a usable encryption subkey) and then encrypts with
 * "always trust".  The signer of a file to decrypt is checked the same
 * way against the one pinned fingerprint (pgp_decrypt_verify()).
 *
 * Error texts ("why") name the key and the reason, e.g.
 * "recipient 0123...CDEF: expired"; the caller adds what it was doing.
 * Nothing here logs or exits.
 */
#ifndef LF_PGP_H
#define LF_PGP_H

#include <stddef.h>

#include "buf.h"

struct pgp;

/*
 * Checks the GPGME version (gpg's is checked by pgp_new() with
 * PGP_PROBE) and makes home (NULL: gpg's default) the GNUPGHOME of this
 * process and of the gpg it starts.  Contexts for that home then share
 * GPGME's one probe of gpg.  0, or -1 with why.
 */
int	pgp_global_init(const char *home, char *why, size_t whysz);

/* How pgp_new() treats the signing key. */
enum pgp_signer {
	/* None: the context only decrypts and verifies (sign_fpr NULL). */
	PGP_NO_SIGNER,
	/* Checked with the first recipients (its first operation fails the
	 * same way, with the same message): two gpg processes fewer. */
	PGP_LAZY,
	/* Checked now, with gpg's version and one test signature, so a key
	 * that cannot sign unattended fails here. */
	PGP_PROBE
};

/*
 * home: GNUPGHOME (NULL: gpg's default).  sign_fpr: full fingerprint of
 * the signing key, which must have a usable secret key able to sign
 * without a passphrase (NULL with PGP_NO_SIGNER only).  NULL with why.
 */
struct pgp *pgp_new(const char *home, const char *sign_fpr,
	    enum pgp_signer, char *why, size_t whysz);
void	pgp_free(struct pgp *);

/*
 * Drops the cached public keys and the signing key if the public
 * keyrings or the trust database changed since the last call (or since
 * pgp_new()), so the next operations read them again (for instance once
 * per generation, to see imported revocations, disabled keys and a
 * signing key's new expiry); unchanged files keep them and save a gpg
 * run.
 */
void	pgp_flush(struct pgp *);

/*
 * Looks up and checks one recipient key (see above) and caches it.
 * A cached key is checked again on every call (expiry against the clock).
 * 0, or -1 with "recipient FPR: reason" in why.
 */
int	pgp_check_recipient(struct pgp *, const char *fpr, char *why,
	    size_t whysz);

/*
 * Encrypts in (len bytes, may be 0) to the recipients (full fingerprints,
 * at least one; duplicates are ignored; each passes
 * pgp_check_recipient() first) and signs it with the signing key, ASCII
 * armoured.  The output is appended to out only on success.  gpg.conf's
 * encrypt-to keys are not added.  Recipient key ids are hidden, so a
 * reader's gpg tries its key on each session key packet: with several
 * recipients gpg 2.2 may log "Checksum error" and exit 2 although the
 * decryption and the signature are good.
 * 0, or -1 with the reason (naming the key where known) in why.
 */
int	pgp_encrypt_sign(struct pgp *, const char *const *fprs, size_t nfprs,
	    const void *in, size_t len, struct buf *out, char *why,
	    size_t whysz);

/* At most so many inputs to pgp_encrypt_sign_many(), and threads. */
#define PGP_BATCH_MAX	64
#define PGP_WORKERS_MAX	4

/* A byte string another owns (data may be NULL when len is 0). */
struct pgp_bytes {
	const void	*data;
	size_t		 len;
};

/*
 * Appends src[i] to out[i] for each of the n (at most PGP_BATCH_MAX), all
 * or none: after running out of memory no out has grown.  0, or -1.
 */
int	pgp_bytes_append(struct buf *out, const struct pgp_bytes *src,
	    size_t n);

/*
 * pgp_encrypt_sign() of each of the n inputs (n >= 1) to the same
 * recipients, up to workers of them at once: the recipients and the
 * signing key are set up once, in the calling thread, then up to
 * workers - 1 threads, each with a GPGME context of its own, and the
 * calling thread (with p's) take the inputs in order; all are joined
 * before it returns.  All or nothing: on success out[i] (n of them) gets
 * in[i]'s output appended, for every i; else no out is touched, and why
 * is the reason of the first input, in order, that failed (the one
 * pgp_encrypt_sign() one after another would give; the inputs after it
 * are not started).  workers 1: one after another, no thread.
 * At most PGP_BATCH_MAX inputs; workers above PGP_WORKERS_MAX count as
 * that many.  0, or -1 with why.
 */
int	pgp_encrypt_sign_many(struct pgp *, const char *const *fprs,
	    size_t nfprs, const struct pgp_bytes *in, size_t n,
	    unsigned workers, struct buf *out, char *why, size_t whysz);

/*
 * Checks that the public key signer_fpr (a full primary fingerprint) is
 * present and could sign: not expired, revoked, disabled or invalid, with
 * a usable signing (sub)key.  The key is cached as a recipient's is, and
 * listed again whenever the keyrings or the trust database changed
 * (pgp_flush(), run by this call and by pgp_decrypt_verify()): a key
 * revoked or disabled meanwhile counts at once, and a file to verify
 * costs one gpg, not two.  Expiry is checked against the clock at each
 * call.
 * 0, or -1 with "signer FPR: reason" in why.
 */
int	pgp_check_signer(struct pgp *, const char *signer_fpr, char *why,
	    size_t whysz);

/*
 * Receives the cleartext of pgp_decrypt_verify() in pieces, as gpg
 * writes it: 0, or -1 (errno set) to stop the operation.
 */
typedef int (*pgp_sink)(void *ctx, const void *data, size_t len);

/*
 * Decrypts in (an OpenPGP message, armoured or not, len bytes) with a
 * secret key of the context's home and verifies it.  Accepted only if it
 * is encrypted to a public key (not only with a passphrase, and with
 * integrity protection) and carries exactly one signature, good, made by
 * the key signer_fpr (its primary key or one of its subkeys) as
 * pgp_check_signer() sees it now.  Unsigned, unencrypted, badly or
 * otherwise signed, doubly signed, truncated or garbled input is refused
 * (an armoured message that lost only its "-----END" line still holds
 * all its signed data, and is read whole).  No passphrase is ever given.
 *
 * The cleartext never lands in a GPGME buffer: it goes to sink as gpg
 * writes it, before the signature can be checked, so the caller keeps it
 * where it wants (locked memory) and drops whatever the sink received
 * unless 0 is returned.  More than max bytes of cleartext stop the
 * operation at once ("cleartext larger than MAX bytes"): a compressed
 * message, signed or not, can expand without bound.  Bounding the size
 * of in is the caller's.
 * 0, or -1 with the reason in why.
 */
int	pgp_decrypt_verify(struct pgp *, const char *signer_fpr,
	    const void *in, size_t len, size_t max, pgp_sink sink,
	    void *sinkctx, char *why, size_t whysz);

#endif
