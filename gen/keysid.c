/* keysid: see keysid.h. */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "keysid.h"
#include "valid.h"

typedef char	fpr_t[VALID_PGP_FPR_LEN + 1];

static int
hash_str(struct hash_ctx *h, const char *s)
{
	return hash_update(h, s, strlen(s));
}

static int
fpr_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* "listfeed-keys-1\nsigner FPR\nrecipient FPR..." over sorted v. */
static int
hash_keys(const char *sfpr, const fpr_t *v, size_t n, char out[65])
{
	struct hash_ctx	*h;
	size_t		 i;

	if ((h = hash_new()) == NULL)
		return -1;
	if (hash_str(h, "listfeed-keys-1\nsigner ") == -1 ||
	    hash_str(h, sfpr) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
			continue;
		if (hash_str(h, "\nrecipient ") == -1 ||
		    hash_str(h, v[i]) == -1)
			goto fail;
	}
	return hash_final_hex(h, out);	/* frees h */
fail:
	hash_free(h);
	return -1;
}

int
keys_id(const char *sign_fpr, const char *const *fprs, size_t n,
    char out[65])
{
	fpr_t	 sfpr, *v = NULL;
	size_t	 i;
	int	 rc = -1;

	if (!valid_pgp_fingerprint(sign_fpr, sfpr))
		return -1;
	if (n > 0 && (v = calloc(n, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (!valid_pgp_fingerprint(fprs[i], v[i]))
			goto done;
	if (n > 1)
		qsort(v, n, sizeof(*v), fpr_cmp);
	rc = hash_keys(sfpr, v, n, out);
done:
	free(v);
	return rc;
}
