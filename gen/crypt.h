/*
 * crypt: OpenPGP encryption and signing of the published files (GPGME).
 *
 * One struct crypt per thread: it holds one GPGME context, the signing
 * key and a cache of checked recipient keys.  crypt_global_init() must run
 * once in main() before any thread starts.
 *
 * Keys are named only by their full primary fingerprint (40 hex digits,
 * either case).  Recipient keys are not required to be certified: the
 * module checks them itself (present, primary fingerprint equal to the
 * configured one, not expired, revoked, disabled or invalid, with a usable
 * encryption subkey) and then encrypts with "always trust".
 *
 * Error texts ("why") name the key and the reason, e.g.
 * "recipient 0123...CDEF: expired"; the caller adds the list name.
 * Nothing here exits; only crypt_global_init() and crypt_new() log.
 */
#ifndef LF_CRYPT_H
#define LF_CRYPT_H

#include <stddef.h>

#include "buf.h"

#define CRYPT_FPR_LEN	40	/* hex digits of a v4 fingerprint */

struct crypt;

/*
 * Checks the GPGME version (gpg's is checked by crypt_new()) and makes
 * home (NULL: gpg's default) the GNUPGHOME of this process and of the gpg
 * it starts.  Contexts for that home then share GPGME's one probe of gpg.
 * 0, or -1 with the reason logged.
 */
int	crypt_global_init(const char *home);

/*
 * home: GNUPGHOME (NULL: gpg's default).  sign_fpr: full fingerprint of
 * the signing key, which must have a usable secret key able to sign
 * without a passphrase.  NULL with the reason logged.
 */
struct crypt *crypt_new(const char *home, const char *sign_fpr);
/*
 * The same without the test signature and the gpg version check: for a
 * caller about to sign anyway (its first operation then fails the same
 * way, with the same message).  Two gpg processes fewer.
 */
struct crypt *crypt_open(const char *home, const char *sign_fpr);
void	crypt_free(struct crypt *);

/*
 * Forks a helper process (helper.h) that holds the contexts made from
 * now on by crypt_new() and crypt_open(); the functions below then pass
 * their work to it, with the same results.  GPGME forks twice for every
 * gpg it starts, and fork() copies the page tables of the whole process:
 * from a generator holding the member lists each operation cost about
 * 16 ms more than from a small process.  Call it once, early, while the
 * process is small and has no threads.  If the helper dies, the operation
 * fails ("encryption helper process ended") and crypt_flush() starts it
 * again.  0, or -1 logged (the contexts are then made in this process).
 */
int	crypt_helper_start(void);

/*
 * Drops the cached recipient keys if the public keyrings changed since
 * the last call, so the next checks read them again (for instance once
 * per generation, to see imported revocations); unchanged keyrings keep
 * the cache and save a gpg run.
 */
void	crypt_flush(struct crypt *);

/*
 * Looks up and checks one recipient key (see above) and caches it.
 * A cached key is checked again on every call (expiry against the clock).
 * 0, or -1 with "recipient FPR: reason" in why.
 */
int	crypt_check_recipient(struct crypt *, const char *fpr, char *why,
	    size_t whysz);

/*
 * Encrypts in (len bytes, may be 0) to the recipients (full fingerprints,
 * at least one; duplicates are ignored; each passes
 * crypt_check_recipient() first) and signs it with the signing key, ASCII
 * armoured.  The output is appended to out only on success.  gpg.conf's
 * encrypt-to keys are not added.  Recipient key ids are hidden, so a
 * reader's gpg tries its key on each session key packet: with several
 * recipients gpg 2.2 may log "Checksum error" and exit 2 although the
 * decryption and the signature are good.
 * 0, or -1 with the reason (naming the key where known) in why.
 */
int	crypt_encrypt_sign(struct crypt *, const char *const *fprs,
	    size_t nfprs, const void *in, size_t len, struct buf *out,
	    char *why, size_t whysz);

/*
 * A stable id of "who can read and who signed": SHA-256 (lower-case hex)
 * over the upper-cased signer fingerprint and the sorted, de-duplicated,
 * upper-cased recipient fingerprints.  Unchanged cleartext plus an
 * unchanged id means the published file need not be encrypted again.
 * 0, or -1 if a fingerprint is malformed or hashing failed.
 */
int	crypt_keys_id(const char *sign_fpr, const char *const *fprs, size_t n,
	    char out[65]);

#endif
