/*
 * crypt_impl: what the two implementations of crypt.h share (not for
 * callers).  crypt.c holds the interface and the in-process one;
 * crypthelper.c the one through the helper process, and the helper's
 * side.
 */
#ifndef LF_CRYPT_IMPL_H
#define LF_CRYPT_IMPL_H

#include <stddef.h>

#include "buf.h"
#include "crypt.h"
#include "pgp.h"

struct crypt_ops {
	int	(*check)(struct crypt *, const char *fpr, char *why,
		    size_t whysz);
	int	(*encrypt)(struct crypt *, const char *const *fprs,
		    size_t nfprs, const struct pgp_bytes *in, size_t n,
		    struct buf *out, char *why, size_t whysz);
	int	(*expiry)(struct crypt *, long long *expires);
	void	(*flush)(struct crypt *);
	void	(*free)(struct crypt *);
};

/* The head of each implementation's context. */
struct crypt {
	const struct crypt_ops	*ops;
};

/* A context in the helper process (helper_alive()).  NULL logged. */
struct crypt *crypt_remote_new(const char *home, const char *sign_fpr,
	    enum pgp_signer);

#endif
