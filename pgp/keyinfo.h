/*
 * keyinfo: what an operator needs to know about a key before it bites,
 * read from the keyring without using the key (pgp/keyinfo.c, part of
 * libpgp.a; see pgp.h for contexts and fingerprints).
 *
 * pgp_sign_expiry(): when the key fpr (a full primary fingerprint with a
 * secret key in the context's home) stops being able to sign: the
 * earlier of its primary key's expiry and the latest expiry of its
 * signing (sub)keys that have a secret part and are not revoked,
 * disabled or invalid; in seconds since the epoch, 0 if it never
 * expires.  A time in the past means it has expired already.  One gpg
 * key listing.  0, or -1 with "signing key FPR: reason" in why.
 */
#ifndef LF_PGP_KEYINFO_H
#define LF_PGP_KEYINFO_H

#include <stddef.h>

#include "pgp.h"

int	pgp_sign_expiry(struct pgp *, const char *fpr, long long *expires,
	    char *why, size_t whysz);

#endif
