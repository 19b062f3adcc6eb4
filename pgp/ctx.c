/*
 * pgp contexts: global set-up, one GPGME context per struct pgp, and its
 * cache of checked public keys.  See pgp.h for the contract.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gpgme.h>

#include "pgp_int.h"

#define PGP_GPGME_MIN	"1.13.0"

void
set_why(char *why, size_t whysz, const char *fmt, ...)
{
	va_list	ap;

	if (why == NULL || whysz == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, whysz, fmt, ap);	/* truncation is fine */
	va_end(ap);
}

const char *
gerr(gpgme_error_t err, char *s, size_t sz)
{
	if (gpgme_strerror_r(err, s, sz) != 0 && sz > 0)
		(void)snprintf(s, sz, "GPGME error %u", (unsigned)err);
	return s;
}

const char *
fpr_show(const char *fpr)
{
	return fpr == NULL ? "(null)" : fpr;
}

int
fpr_get(const char *in, char out[FPR_SZ], const char *what, char *why,
    size_t whysz)
{
	if (valid_pgp_fingerprint(in, out))
		return 0;
	set_why(why, whysz, "%s %s: not a full fingerprint (40 hex digits)",
	    what, fpr_show(in));
	return -1;
}

int
pgp_global_init(const char *home, char *why, size_t whysz)
{
	/*
	 * GPGME runs "gpg --version" once for its global engine information
	 * and once more for every context given its own home directory:
	 * naming the home in the environment instead keeps it to one for the
	 * whole process.
	 */
	if (home != NULL && setenv("GNUPGHOME", home, 1) == -1) {
		set_why(why, whysz, "setenv GNUPGHOME: %s", strerror(errno));
		return -1;
	}
	/*
	 * Find gpg at its installed path rather than asking gpgconf three
	 * times per context.  Failing that, GPGME asks gpgconf.
	 */
	(void)gpgme_set_global_flag("disable-gpgconf", "1");
	if (gpgme_check_version(PGP_GPGME_MIN) == NULL) {
		set_why(why, whysz, "gpgme %s is older than %s",
		    gpgme_check_version(NULL), PGP_GPGME_MIN);
		return -1;
	}
	return 0;
}

/* Runs gpg --version: done by the first pgp_new() with PGP_PROBE, not at
 * start-up, so that a run with nothing to encrypt starts no gpg at all. */
static int
engine_check(char *why, size_t whysz)
{
	static atomic_int	 checked;
	gpgme_error_t		 err;
	char			 es[128];

	if (atomic_load(&checked))
		return 0;
	err = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP);
	if (err != 0) {
		set_why(why, whysz, "gpg engine: %s", gerr(err, es, sizeof(es)));
		return -1;
	}
	atomic_store(&checked, 1);
	return 0;
}

/*
 * Keys must sign and decrypt unattended: refuse any passphrase request at
 * once instead of letting gpg wait for one.
 */
static gpgme_error_t
no_passphrase(void *arg, const char *hint, const char *info, int prev_bad,
    int fd)
{
	(void)arg;
	(void)hint;
	(void)info;
	(void)prev_bad;
	(void)fd;
	return gpgme_error(GPG_ERR_NO_PASSPHRASE);
}

static int
ctx_setup(gpgme_ctx_t ctx, const char *home, char *why, size_t whysz)
{
	const char	*env = getenv("GNUPGHOME");
	gpgme_error_t	 err;
	char		 es[128];

	/* A home other than pgp_global_init()'s costs a gpg --version. */
	if (env != NULL && home != NULL && strcmp(env, home) == 0)
		home = NULL;
	if ((err = gpgme_set_protocol(ctx, GPGME_PROTOCOL_OpenPGP)) != 0 ||
	    (home != NULL && (err = gpgme_ctx_set_engine_info(ctx,
	    GPGME_PROTOCOL_OpenPGP, NULL, home)) != 0) ||
	    (err = gpgme_set_pinentry_mode(ctx,
	    GPGME_PINENTRY_MODE_LOOPBACK)) != 0 ||
	    (err = gpgme_set_keylist_mode(ctx, GPGME_KEYLIST_MODE_LOCAL)) != 0) {
		set_why(why, whysz, "%s", gerr(err, es, sizeof(es)));
		return -1;
	}
	gpgme_set_passphrase_cb(ctx, no_passphrase, NULL);
	gpgme_set_armor(ctx, 1);
	gpgme_set_textmode(ctx, 0);
	gpgme_set_offline(ctx, 1);
	return 0;
}

/* The context of p, on home.  0, or -1 with why. */
static int
ctx_make(struct pgp *p, const char *home, char *why, size_t whysz)
{
	gpgme_error_t	 err;
	char		 es[128], w[PGP_WHY_MAX];

	if (home != NULL && (p->home = strdup(home)) == NULL) {
		set_why(why, whysz, "pgp context: out of memory");
		return -1;
	}
	if ((err = gpgme_new(&p->ctx)) != 0) {
		set_why(why, whysz, "gpgme: %s", gerr(err, es, sizeof(es)));
		return -1;
	}
	if (ctx_setup(p->ctx, home, w, sizeof(w)) == -1) {
		set_why(why, whysz, "gpgme%s%s: %s", home ? " home " : "",
		    home ? home : "", w);
		return -1;
	}
	return 0;
}

int
ctx_worker(const struct pgp *p, gpgme_ctx_t *ctx, char *why, size_t whysz)
{
	gpgme_error_t	 err;
	char		 es[128];

	if ((err = gpgme_new(ctx)) != 0) {
		set_why(why, whysz, "gpgme: %s", gerr(err, es, sizeof(es)));
		return -1;
	}
	if (ctx_setup(*ctx, p->home, why, whysz) == -1 ||
	    (p->signer != NULL &&
	    (err = gpgme_signers_add(*ctx, p->signer)) != 0)) {
		if (err != 0)
			set_why(why, whysz, "signing key %s: %s", p->sign_fpr,
			    gerr(err, es, sizeof(es)));
		gpgme_release(*ctx);
		*ctx = NULL;
		return -1;
	}
	return 0;
}

/*
 * Whether every file seen last changed at least RINGS_SETTLE_S seconds
 * ago.  A file changed again in the same tick of the file system's clock
 * (a second, where it keeps seconds only) keeps its time, and an
 * in-place write (a key disabled in trustdb.gpg) its size and inode: a
 * snapshot that new is not kept (rings_get() empties it), so the next
 * pgp_flush() lists the keys again.
 */
#define RINGS_SETTLE_S	2

static int
rings_settled(const struct file_id id[PGP_RINGS])
{
	struct timespec	 now;
	size_t		 i;

	if (clock_gettime(CLOCK_REALTIME, &now) == -1)
		return 0;
	for (i = 0; i < PGP_RINGS; i++)
		if (id[i].exists &&
		    id[i].mtim.tv_sec > now.tv_sec - RINGS_SETTLE_S)
			return 0;
	return 1;
}

/*
 * The files of p's home that a key's state comes from: the public
 * keyrings (importing a key or a revocation, deleting a key) and the
 * trust database (disabling or enabling a key).
 */
static void
rings_get(const struct pgp *p, struct file_id id[PGP_RINGS])
{
	static const char *const name[PGP_RINGS] = {
		"pubring.kbx", "pubring.gpg", "trustdb.gpg"
	};
	const char	*home = p->home, *h;
	char		 dir[PATH_MAX], path[PATH_MAX];
	size_t		 i;

	memset(id, 0, PGP_RINGS * sizeof(*id));
	if (home == NULL)
		home = getenv("GNUPGHOME");
	if (home == NULL && (h = getenv("HOME")) != NULL &&
	    xsnprintf(dir, sizeof(dir), "%s/.gnupg", h) != -1)
		home = dir;
	if (home == NULL)
		return;
	for (i = 0; i < PGP_RINGS; i++)
		if (xsnprintf(path, sizeof(path), "%s/%s", home, name[i]) != -1)
			file_id_get(path, &id[i]);
	if (!rings_settled(id))
		memset(id, 0, PGP_RINGS * sizeof(*id));
}

struct pgp *
pgp_new(const char *home, const char *sign_fpr, enum pgp_signer mode,
    char *why, size_t whysz)
{
	struct pgp	*p;

	if (mode == PGP_PROBE && engine_check(why, whysz) == -1)
		return NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		set_why(why, whysz, "pgp context: out of memory");
		return NULL;
	}
	p->sign_expires = -1;
	if (ctx_make(p, home, why, whysz) == -1)
		goto fail;
	/* Keys listed from now on are as new as the keyrings seen now. */
	rings_get(p, p->rings);
	if (mode == PGP_NO_SIGNER) {
		if (sign_fpr == NULL)
			return p;
		set_why(why, whysz, "signing key %s: given to a context "
		    "without one", sign_fpr);
		goto fail;
	}
	if (fpr_get(sign_fpr, p->sign_fpr, "signing key", why, whysz) == -1)
		goto fail;
	/* Without the probe the key is listed with the first recipients. */
	if (mode == PGP_PROBE && signer_probe(p, why, whysz) == -1)
		goto fail;
	return p;
fail:
	pgp_free(p);
	return NULL;
}

/* Empties the key cache. */
static void
cache_drop(struct pgp *p)
{
	size_t	i;

	for (i = 0; i < p->nkeys; i++)
		gpgme_key_unref(p->keys[i].key);
	p->nkeys = 0;
}

void
pgp_free(struct pgp *p)
{
	if (p == NULL)
		return;
	cache_drop(p);
	free(p->keys);
	free(p->home);
	if (p->signer != NULL)
		gpgme_key_unref(p->signer);
	if (p->ctx != NULL)
		gpgme_release(p->ctx);
	free(p);
}

void
pgp_flush(struct pgp *p)
{
	struct file_id	 now[PGP_RINGS];
	size_t		 i;

	if (p == NULL)
		return;
	/* Keys as they were: keep them (expiry is checked at each use). */
	rings_get(p, now);
	for (i = 0; i < PGP_RINGS && file_id_eq(&now[i], &p->rings[i]); i++)
		;
	if (i == PGP_RINGS && (now[0].exists || now[1].exists))
		return;
	memcpy(p->rings, now, sizeof(p->rings));
	cache_drop(p);
	/* The signing key too, for its expiry: listed again when next used. */
	if (p->signer != NULL)
		gpgme_key_unref(p->signer);
	p->signer = NULL;
	p->signer_why[0] = '\0';
	gpgme_signers_clear(p->ctx);
}

gpgme_key_t
cache_find(const struct pgp *p, const char *fpr)
{
	size_t	i;

	for (i = 0; i < p->nkeys; i++)
		if (strcmp(p->keys[i].fpr, fpr) == 0)
			return p->keys[i].key;
	return NULL;
}

int
cache_get(struct pgp *p, const char *fpr, const char *what, gpgme_key_t *kp,
    char *why, size_t whysz)
{
	if ((*kp = cache_find(p, fpr)) != NULL)
		return 0;
	if (key_lookup(p->ctx, fpr, 0, kp, what, why, whysz) == -1)
		return -1;
	if (cache_add(p, fpr, *kp) == -1) {
		*kp = NULL;
		set_why(why, whysz, "%s %s: out of memory", what, fpr);
		return -1;
	}
	return 0;
}

/* Takes over the reference k.  0, or -1 if out of memory (k released). */
int
cache_add(struct pgp *p, const char *fpr, gpgme_key_t k)
{
	struct cached_key	*nk;
	size_t			 ncap;

	if (p->nkeys == p->capkeys) {
		ncap = p->capkeys ? p->capkeys * 2 : 8;
		if ((nk = reallocarray(p->keys, ncap, sizeof(*nk))) == NULL) {
			gpgme_key_unref(k);
			return -1;
		}
		p->keys = nk;
		p->capkeys = ncap;
	}
	memcpy(p->keys[p->nkeys].fpr, fpr, sizeof(p->keys[p->nkeys].fpr));
	p->keys[p->nkeys].key = k;
	p->nkeys++;
	return 0;
}
