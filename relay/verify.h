/*
 * verify: decrypt a file with the provider's secret key and verify that
 * exactly one pinned key signed it (GPGME), as listfeed-relay needs.
 *
 * A file passes only if all of these hold:
 *  - it is an OpenPGP message encrypted to a secret key of the home, with
 *    integrity protection (no legacy cipher without MDC);
 *  - the cleartext carries exactly one signature, and it is good;
 *  - the signing key's primary fingerprint equals the pinned one (a
 *    signing subkey of the pinned key counts as the key), and neither the
 *    key nor the signature is revoked or expired.
 * So an unsigned encrypted file, a signed file in clear, a file with a
 * bad signature or several, and a file signed by any other key are all
 * refused.  The pinned key's public part must be in the home; it need not
 * be certified (the pin is the trust).
 *
 * The cleartext never lands in a GPGME buffer: it goes, as gpg writes
 * it, to the caller's sink, which may refuse more (a compressed message
 * can expand without bound).  After a refusal the caller must drop
 * whatever the sink received.
 *
 * Nothing here exits; refusals come back as one line in why.
 */
#ifndef LF_VERIFY_H
#define LF_VERIFY_H

#include <stddef.h>

struct verify;

/* Receives the cleartext in pieces; 0, or -1 to stop (errno set). */
typedef int (*verify_sink)(void *ctx, const void *data, size_t len);

/*
 * Once in main() before any thread: checks the GPGME version and makes
 * home the GNUPGHOME of this process and of the gpg it starts.  0 or -1
 * (logged).
 */
int	verify_global_init(const char *home);

/*
 * A context for one thread.  feed_fpr: 40 hex digits, either case.
 * Checks that gpg runs and that the pinned key is in the home.  NULL
 * with the reason in why.
 */
struct verify *verify_new(const char *feed_fpr, char *why, size_t whysz);
void	verify_free(struct verify *);

/*
 * Decrypts and verifies in (len bytes, armoured or binary).  0: good,
 * everything was given to sink; -1: refused, the reason in why.
 */
int	verify_decrypt(struct verify *, const void *in, size_t len,
	    verify_sink sink, void *sinkctx, char *why, size_t whysz);

#endif
