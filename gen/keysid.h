/*
 * keysid: which keys a published file was made for, as one stable id.
 *
 * SHA-256 (lower-case hex) over the upper-cased signer fingerprint and
 * the sorted, de-duplicated, upper-cased recipient fingerprints.
 * Unchanged cleartext plus an unchanged id means the published file need
 * not be encrypted again (publish.c).
 */
#ifndef LF_KEYSID_H
#define LF_KEYSID_H

#include <stddef.h>

/* 0, or -1 if a fingerprint is malformed or hashing failed. */
int	keys_id(const char *sign_fpr, const char *const *fprs, size_t n,
	    char out[65]);

#endif
