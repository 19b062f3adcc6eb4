/*
 * crypt: the generator's OpenPGP contexts: encrypting and signing each
 * published file.
 *
 * One interface, two implementations chosen when a context is made: the
 * operations of pgp.h in this process, or the same operations in the
 * helper process (crypthelper.c) once crypt_helper_start() has forked it.
 * Results and messages are the same either way.  The rules on keys are
 * pgp.h's.
 *
 * One struct crypt per thread.  crypt_global_init() must run once in
 * main() before any thread starts.
 *
 * Error texts ("why") name the key and the reason, e.g.
 * "recipient 0123...CDEF: expired"; the caller adds the list name.
 * crypt_global_init(), crypt_new(), crypt_open(), crypt_helper_start()
 * and crypt_flush() (it returns nothing) log why they fail; the others
 * return it in why.  Through the helper, its end is also logged, once
 * (helper.h).  Nothing here exits.
 */
#ifndef LF_CRYPT_H
#define LF_CRYPT_H

#include <stddef.h>

#include "buf.h"
#include "manifest.h"
#include "pgp.h"

struct crypt;

/*
 * pgp_global_init(): checks the GPGME version (gpg's is checked by
 * crypt_new()) and makes home (NULL: gpg's default) the GNUPGHOME of this
 * process and of the gpg it starts (and so of the helper's).  Also fixes
 * crypt_workers().  0, or -1 with the reason logged.
 */
int	crypt_global_init(const char *home);

/*
 * How many encryptions crypt_encrypt_sign_many() runs at once: the
 * online CPUs when crypt_global_init() ran, or LISTFEED_GPG_WORKERS from
 * the environment (listfeed-gen(8)), at most PGP_WORKERS_MAX (pgp.h), at
 * least 1.  Each is a gpg process that mostly computes, so
 * more than the cores would only wait for them.
 */
unsigned crypt_workers(void);

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
 * from a small process it costs less than from a generator holding the
 * member lists.  Call it once, early, while the process is small and has
 * no threads.  The helper runs the files of a crypt_encrypt_sign_many()
 * on threads of its own (pgp.h), each starting its gpg.  If the helper dies, the operation fails ("encryption
 * helper process ended") and crypt_flush() starts it again, with that
 * context.  0, or -1 logged (the contexts are then made in this
 * process).
 */
int	crypt_helper_start(void);

/*
 * pgp_flush(): drops the cached recipient keys if the public keyrings
 * changed since the last call (once per generation, to see imported
 * revocations).  Through the helper: starts it again if it died.
 */
void	crypt_flush(struct crypt *);

/*
 * pgp_signer_expiry() (pgp/keyinfo.h): the signing key's expiry as this
 * context last listed the key (crypt_new(), the first
 * crypt_encrypt_sign(), and the first after a crypt_flush() that saw the
 * keyrings change) into *ki, marked known; *ki is left as it is when the
 * context has not listed it (or c is NULL).  Starts no gpg.
 */
void	crypt_sign_key(struct crypt *c, struct lf_keyinfo *ki);

/* pgp_check_recipient(): 0, or -1 with "recipient FPR: reason" in why. */
int	crypt_check_recipient(struct crypt *, const char *fpr, char *why,
	    size_t whysz);

/*
 * pgp_encrypt_sign(): encrypts in (len bytes, may be 0) to the recipients
 * (full fingerprints, at least one) and signs it, ASCII armoured,
 * appending the output to out only on success.  0, or -1 with why.
 */
int	crypt_encrypt_sign(struct crypt *, const char *const *fprs,
	    size_t nfprs, const void *in, size_t len, struct buf *out,
	    char *why, size_t whysz);

/*
 * pgp_encrypt_sign_many() with crypt_workers() at once: the n inputs (1
 * to PGP_BATCH_MAX) encrypted to the same recipients and signed, side by
 * side.  All or nothing: on success out[i] gets in[i]'s output appended,
 * for every i; else why is the reason of the first input, in order, that
 * failed.  Through the helper, one request carries them all (the
 * helper's threads do the work): its end fails them all.  0, or -1 with
 * why.
 */
int	crypt_encrypt_sign_many(struct crypt *, const char *const *fprs,
	    size_t nfprs, const struct pgp_bytes *in, size_t n,
	    struct buf *out, char *why, size_t whysz);

#endif
