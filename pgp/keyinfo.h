/*
 * keyinfo: what an operator needs to know about a key before it bites,
 * read from the keyring without using the key (pgp/keyinfo.c, part of
 * libpgp.a; see pgp.h for contexts and fingerprints).
 *
 * pgp_signer_expiry(): when the signing key of the context stops being
 * able to sign: the earlier of its primary key's expiry and the latest
 * expiry of its signing (sub)keys that have a secret part and are not
 * revoked, disabled or invalid; in seconds since the epoch, 0 if it
 * never expires.  A time in the past means it has expired already.
 * Taken from the listing the context makes of its signing key anyway
 * (pgp_new() with PGP_PROBE, else the first pgp_encrypt_sign(), and
 * again after a pgp_flush() that saw the keyrings change): it starts no
 * gpg.  Kept when that key then proves unusable (expired: the time is
 * still known).  0 with *expires, or -1 when not known: the key not
 * listed yet, not found, revoked, or without a signing subkey with a
 * secret part.
 */
#ifndef LF_PGP_KEYINFO_H
#define LF_PGP_KEYINFO_H

#include <stddef.h>

#include "pgp.h"

int	pgp_signer_expiry(const struct pgp *, long long *expires);

#endif
