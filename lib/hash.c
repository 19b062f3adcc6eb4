/* hash: see hash.h. */
#include <stdlib.h>

#include <openssl/evp.h>

#include "hash.h"

struct hash_ctx {
	EVP_MD_CTX	*md;
};

static void
tohex(const unsigned char *d, unsigned int n, char *out)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned int		 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 0xf];
	}
	out[2 * n] = '\0';
}

struct hash_ctx *
hash_new(void)
{
	struct hash_ctx	*h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	if ((h->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1) {
		hash_free(h);
		return NULL;
	}
	return h;
}

int
hash_update(struct hash_ctx *h, const void *p, size_t n)
{
	return EVP_DigestUpdate(h->md, p, n) == 1 ? 0 : -1;
}

int
hash_final_hex(struct hash_ctx *h, char out[HASH_HEX_LEN + 1])
{
	unsigned char	 d[EVP_MAX_MD_SIZE];
	unsigned int	 n = 0;
	int		 rc = -1;

	if (EVP_DigestFinal_ex(h->md, d, &n) == 1 && n == HASH_HEX_LEN / 2) {
		tohex(d, n, out);
		rc = 0;
	}
	hash_free(h);
	return rc;
}

void
hash_free(struct hash_ctx *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->md);
	free(h);
}

int
hash_sha256_hex(const void *p, size_t n, char out[HASH_HEX_LEN + 1])
{
	struct hash_ctx	*h;

	if ((h = hash_new()) == NULL)
		return -1;
	if (hash_update(h, p, n) == -1) {
		hash_free(h);
		return -1;
	}
	return hash_final_hex(h, out);
}
