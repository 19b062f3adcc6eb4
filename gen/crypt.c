/*
 * crypt: the interface of crypt.h and its in-process implementation, a
 * thin layer over pgp.h.  The other implementation is crypthelper.c.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "crypt.h"
#include "crypt_impl.h"
#include "helper.h"
#include "keyinfo.h"
#include "log.h"
#include "pgp.h"

#define WHY_MAX		512

struct crypt_local {
	struct crypt	 base;		/* first */
	struct pgp	*pgp;
};

static struct pgp *
local_pgp(struct crypt *c)
{
	return ((struct crypt_local *)(void *)c)->pgp;
}

static int
local_check(struct crypt *c, const char *fpr, char *why, size_t whysz)
{
	return pgp_check_recipient(local_pgp(c), fpr, why, whysz);
}

static int
local_encrypt(struct crypt *c, const char *const *fprs, size_t nfprs,
    const struct pgp_bytes *in, size_t n, struct buf *out, char *why,
    size_t whysz)
{
	return pgp_encrypt_sign_many(local_pgp(c), fprs, nfprs, in, n,
	    crypt_workers(), out, why, whysz);
}

static int
local_expiry(struct crypt *c, long long *expires)
{
	return pgp_signer_expiry(local_pgp(c), expires);
}

static void
local_flush(struct crypt *c)
{
	pgp_flush(local_pgp(c));
}

static void
local_free(struct crypt *c)
{
	pgp_free(local_pgp(c));
	free(c);
}

static const struct crypt_ops local_ops = {
	local_check, local_encrypt, local_expiry, local_flush, local_free
};

static struct crypt *
local_new(const char *home, const char *sign_fpr, enum pgp_signer mode)
{
	struct crypt_local	*l;
	char			 why[WHY_MAX];

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		log_warn("crypt_new");
		return NULL;
	}
	if ((l->pgp = pgp_new(home, sign_fpr, mode, why, sizeof(why))) ==
	    NULL) {
		log_warnx("%s", why);
		free(l);
		return NULL;
	}
	l->base.ops = &local_ops;
	return &l->base;
}

/* Set by crypt_global_init(), before any thread (and the helper). */
static unsigned	 workers = 1;

unsigned
crypt_workers(void)
{
	return workers;
}

int
crypt_global_init(const char *home)
{
	const char	*e;
	char		 why[WHY_MAX];
	long		 n, v;

	if (pgp_global_init(home, why, sizeof(why)) == -1) {
		log_warnx("%s", why);
		return -1;
	}
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if ((e = getenv("LISTFEED_GPG_WORKERS")) != NULL && *e != '\0') {
		/* Digits only: strtol() would take " 2" and "+2". */
		v = strspn(e, "0123456789") == strlen(e) && strlen(e) <= 9 ?
		    strtol(e, NULL, 10) : 0;
		if (v >= 1 && v <= PGP_WORKERS_MAX)
			n = v;
		else
			log_warnx("LISTFEED_GPG_WORKERS=%s: not a number from "
			    "1 to %d; ignored", e, PGP_WORKERS_MAX);
	}
	workers = n < 1 ? 1 : n > PGP_WORKERS_MAX ? PGP_WORKERS_MAX :
	    (unsigned)n;
	log_debug("encryption workers: %u", workers);
	return 0;
}

static struct crypt *
crypt_make(const char *home, const char *sign_fpr, enum pgp_signer mode)
{
	if (helper_alive())
		return crypt_remote_new(home, sign_fpr, mode);
	return local_new(home, sign_fpr, mode);
}

struct crypt *
crypt_new(const char *home, const char *sign_fpr)
{
	return crypt_make(home, sign_fpr, PGP_PROBE);
}

struct crypt *
crypt_open(const char *home, const char *sign_fpr)
{
	return crypt_make(home, sign_fpr, PGP_LAZY);
}

void
crypt_free(struct crypt *c)
{
	if (c != NULL)
		c->ops->free(c);
}

void
crypt_flush(struct crypt *c)
{
	if (c != NULL)
		c->ops->flush(c);
}

void
crypt_sign_key(struct crypt *c, struct lf_keyinfo *ki)
{
	long long	 e;

	if (c != NULL && c->ops->expiry(c, &e) == 0) {
		ki->known = 1;
		ki->expires = e;
	}
}

int
crypt_check_recipient(struct crypt *c, const char *fpr, char *why,
    size_t whysz)
{
	return c->ops->check(c, fpr, why, whysz);
}

int
crypt_encrypt_sign(struct crypt *c, const char *const *fprs, size_t nfprs,
    const void *in, size_t len, struct buf *out, char *why, size_t whysz)
{
	struct pgp_bytes	 b = { in, len };

	return c->ops->encrypt(c, fprs, nfprs, &b, 1, out, why, whysz);
}

int
crypt_encrypt_sign_many(struct crypt *c, const char *const *fprs,
    size_t nfprs, const struct pgp_bytes *in, size_t n, struct buf *out,
    char *why, size_t whysz)
{
	return c->ops->encrypt(c, fprs, nfprs, in, n, out, why, whysz);
}
