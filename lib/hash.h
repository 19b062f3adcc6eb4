/* hash: SHA-256 through OpenSSL's libcrypto, as lower-case hex. */
#ifndef LF_HASH_H
#define LF_HASH_H

#include <stddef.h>

#define HASH_HEX_LEN	64

struct hash_ctx;

/* Returns 0, or -1 if libcrypto failed. out must hold 65 bytes. */
int	hash_sha256_hex(const void *data, size_t len, char out[HASH_HEX_LEN + 1]);

/* Incremental use. */
struct hash_ctx *hash_new(void);
int	hash_update(struct hash_ctx *, const void *, size_t);
int	hash_final_hex(struct hash_ctx *, char out[HASH_HEX_LEN + 1]);	/* frees */
void	hash_free(struct hash_ctx *);

#endif
