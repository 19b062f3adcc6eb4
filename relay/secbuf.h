/*
 * secbuf: memory for member data (decrypted lists).  Never written to
 * disk by listfeed-relay: each buffer is its own anonymous mapping, kept
 * out of core dumps (MADV_DONTDUMP) and out of any process forked (the
 * gpg GPGME starts: MADV_DONTFORK), locked in RAM where the memlock
 * limit allows (mlock(2), best effort, so it is not swapped), and
 * overwritten with zeros before it is unmapped.
 *
 * A secbuf is reference counted so that an answer being sent keeps the
 * copy it started with while a newer one replaces it: secbuf_ref() and
 * secbuf_unref() are safe from several threads.
 */
#ifndef LF_SECBUF_H
#define LF_SECBUF_H

#include <stddef.h>

struct secbuf;

/* An empty buffer that may grow to max bytes; NULL (errno) on failure. */
struct secbuf *secbuf_new(size_t max);
/* Appends; -1 with errno EFBIG beyond max, ENOMEM when out of memory. */
int	secbuf_add(struct secbuf *, const void *, size_t);
const char *secbuf_data(const struct secbuf *);
size_t	secbuf_len(const struct secbuf *);
struct secbuf *secbuf_ref(struct secbuf *);
/* Drops one reference; the last one wipes and unmaps (NULL is a no-op). */
void	secbuf_unref(struct secbuf *);

/* A pgp_sink (pgp.h) that appends to the secbuf ctx. */
int	secbuf_sink(void *ctx, const void *data, size_t len);

#endif
