/*
 * crypt: OpenPGP encryption and signing of the published files (GPGME).
 * See crypt.h for the contract.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gpgme.h>

#include "buf.h"
#include "crypt.h"
#include "fsutil.h"
#include "hash.h"
#include "helper.h"
#include "log.h"

#define CRYPT_GPGME_MIN	"1.13.0"
#define ARMOR_HEAD	"-----BEGIN PGP MESSAGE-----"

/*
 * GPGME_ENCRYPT_NO_COMPRESS is left out: on a 2 KB list it saved under
 * 0.5 ms of about 21 ms per encrypt+sign (noise: the time is gpg's start),
 * and compression made the armoured file about three times smaller.
 * GPGME_ENCRYPT_NO_ENCRYPT_TO: gpg.conf's encrypt-to must not add readers.
 */
#define ENCRYPT_FLAGS	(GPGME_ENCRYPT_ALWAYS_TRUST | \
			 GPGME_ENCRYPT_THROW_KEYIDS | \
			 GPGME_ENCRYPT_NO_ENCRYPT_TO)

struct cached_key {
	char		 fpr[CRYPT_FPR_LEN + 1];
	gpgme_key_t	 key;
};

struct crypt {
	gpgme_ctx_t	 ctx;
	char		 sign_fpr[CRYPT_FPR_LEN + 1];
	gpgme_key_t	 signer;	/* NULL until first needed */
	char		 signer_why[400];	/* why it could not be */
	struct cached_key *keys;
	size_t		 nkeys;
	size_t		 capkeys;
	/* The keyrings when the cache was last emptied. */
	struct file_id	 rings[2];
	/* A handle on the helper process's context (crypt_helper_start()). */
	int		 remote;
	int32_t		 id;		/* its index in the helper */
	int		 probe;
	char		*home, *sign_arg;
};

static void	set_why(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
set_why(char *why, size_t whysz, const char *fmt, ...)
{
	va_list	ap;

	if (why == NULL || whysz == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, whysz, fmt, ap);	/* truncation is fine */
	va_end(ap);
}

static const char *
gerr(gpgme_error_t err, char *s, size_t sz)
{
	if (gpgme_strerror_r(err, s, sz) != 0 && sz > 0)
		(void)snprintf(s, sz, "GPGME error %u", (unsigned)err);
	return s;
}

/* Copies a full fingerprint into out, upper-cased.  0, or -1 if malformed. */
static int
fpr_norm(const char *in, char out[CRYPT_FPR_LEN + 1])
{
	size_t	i;

	if (in == NULL)
		return -1;
	for (i = 0; i < CRYPT_FPR_LEN; i++) {
		if (!isxdigit((unsigned char)in[i]))
			return -1;
		out[i] = (char)toupper((unsigned char)in[i]);
	}
	if (in[i] != '\0')
		return -1;
	out[i] = '\0';
	return 0;
}

/* A printable form of a refused fingerprint for messages. */
static const char *
fpr_show(const char *fpr)
{
	return fpr == NULL ? "(null)" : fpr;
}

static int
expired_at(const struct _gpgme_subkey *sk, time_t now)
{
	return sk->expired || (sk->expires > 0 && (time_t)sk->expires <= now);
}

static int
subkey_usable(const struct _gpgme_subkey *sk, time_t now)
{
	return !sk->revoked && !sk->disabled && !sk->invalid &&
	    !expired_at(sk, now);
}

/*
 * Checks what gpg reports about a key found by the fingerprint fpr
 * (normalised).  Returns the reason it is unusable, or NULL.
 */
static const char *
key_problem(gpgme_key_t k, const char *fpr, time_t now)
{
	if (k->subkeys == NULL || k->fpr == NULL)
		return "invalid";
	if (strcasecmp(k->fpr, fpr) != 0)
		return "not a primary key fingerprint";
	if (k->revoked || k->subkeys->revoked)
		return "revoked";
	if (k->expired || expired_at(k->subkeys, now))
		return "expired";
	if (k->disabled)
		return "disabled";
	if (k->invalid || k->subkeys->invalid)
		return "invalid";
	return NULL;
}

static const char *
recipient_problem(gpgme_key_t k, const char *fpr, time_t now)
{
	const struct _gpgme_subkey	*sk;
	const char			*p;

	if ((p = key_problem(k, fpr, now)) != NULL)
		return p;
	for (sk = k->subkeys; sk != NULL; sk = sk->next)
		if (sk->can_encrypt && subkey_usable(sk, now))
			return NULL;
	return "no usable encryption subkey";
}

static const char *
signer_problem(gpgme_key_t k, const char *fpr, time_t now)
{
	const struct _gpgme_subkey	*sk;
	const char			*p;

	if ((p = key_problem(k, fpr, now)) != NULL)
		return p;
	if (!k->secret)
		return "no secret key";
	for (sk = k->subkeys; sk != NULL; sk = sk->next)
		if (sk->can_sign && sk->secret && subkey_usable(sk, now))
			return NULL;
	return "no usable signing subkey with a secret key";
}

/*
 * Lists the keys matching one pattern on ctx, as gpgme_get_key() would,
 * but on the caller's context: gpgme_get_key() makes a context of its own
 * and so runs "gpg --version" again before every lookup.
 */
static gpgme_error_t
key_get(gpgme_ctx_t ctx, const char *fpr, int secret, gpgme_key_t *kp)
{
	gpgme_key_t	extra;
	gpgme_error_t	err;

	*kp = NULL;
	if ((err = gpgme_op_keylist_start(ctx, fpr, secret)) != 0)
		return err;
	if ((err = gpgme_op_keylist_next(ctx, kp)) == 0 &&
	    gpgme_op_keylist_next(ctx, &extra) == 0) {
		gpgme_key_unref(extra);
		gpgme_key_unref(*kp);
		*kp = NULL;
		err = gpgme_error(GPG_ERR_AMBIGUOUS_NAME);
	}
	(void)gpgme_op_keylist_end(ctx);
	return err;
}

/*
 * Finds a key by normalised fingerprint.  0, or -1 with the reason in
 * why (prefixed by what, "recipient" or "signing key").
 */
static int
key_lookup(gpgme_ctx_t ctx, const char *fpr, int secret, gpgme_key_t *kp,
    const char *what, char *why, size_t whysz)
{
	gpgme_error_t	err;
	char		es[128];

	err = key_get(ctx, fpr, secret, kp);
	if (err == 0 && *kp != NULL)
		return 0;
	if (*kp != NULL) {
		gpgme_key_unref(*kp);
		*kp = NULL;
	}
	switch (gpgme_err_code(err)) {
	case GPG_ERR_EOF:
	case GPG_ERR_NO_ERROR:
		set_why(why, whysz, "%s %s: %s", what, fpr,
		    secret ? "no such secret key" : "no such key");
		break;
	case GPG_ERR_AMBIGUOUS_NAME:
		set_why(why, whysz, "%s %s: ambiguous", what, fpr);
		break;
	default:
		set_why(why, whysz, "%s %s: %s", what, fpr,
		    gerr(err, es, sizeof(es)));
		break;
	}
	return -1;
}

/* A message for a key whose primary fingerprint is not the one asked for. */
static void
why_key(char *why, size_t whysz, const char *what, const char *fpr,
    gpgme_key_t k, const char *problem)
{
	if (strcmp(problem, "not a primary key fingerprint") == 0 &&
	    k->fpr != NULL)
		set_why(why, whysz, "%s %s: a subkey fingerprint "
		    "(the primary key is %s)", what, fpr, k->fpr);
	else
		set_why(why, whysz, "%s %s: %s", what, fpr, problem);
}

int
crypt_global_init(const char *home)
{
	/*
	 * GPGME runs "gpg --version" once for its global engine information
	 * and once more for every context given its own home directory:
	 * naming the home in the environment instead keeps it to one for the
	 * whole process.
	 */
	if (home != NULL && setenv("GNUPGHOME", home, 1) == -1) {
		log_warn("setenv GNUPGHOME");
		return -1;
	}
	/*
	 * Find gpg at its installed path rather than asking gpgconf three
	 * times per context: on a machine where starting a process costs
	 * milliseconds, that is most of a one-list run.
	 */
	if (gpgme_set_global_flag("disable-gpgconf", "1") != 0)
		log_debug("gpgme: cannot disable gpgconf");
	if (gpgme_check_version(CRYPT_GPGME_MIN) == NULL) {
		log_warnx("gpgme %s is older than %s", gpgme_check_version(NULL),
		    CRYPT_GPGME_MIN);
		return -1;
	}
	return 0;
}

/* Runs gpg --version: done by the first crypt_new(), not at start-up, so
 * that a run with nothing to encrypt starts no gpg at all. */
static int
engine_check(void)
{
	static atomic_int	 checked;
	gpgme_error_t		 err;
	char			 es[128];

	if (atomic_load(&checked))
		return 0;
	err = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP);
	if (err != 0) {
		log_warnx("gpg engine: %s", gerr(err, es, sizeof(es)));
		return -1;
	}
	atomic_store(&checked, 1);
	return 0;
}

/*
 * Keys must sign unattended: refuse any passphrase request at once
 * instead of letting gpg wait for one.
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

	/* A home other than crypt_global_init()'s costs a gpg --version. */
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

/* 1 (with why) if gpg refused the signing key in the last operation. */
static int
signer_refused(struct crypt *c, char *why, size_t whysz)
{
	gpgme_sign_result_t	sr;
	char			es[128];

	sr = gpgme_op_sign_result(c->ctx);
	if (sr == NULL || sr->invalid_signers == NULL)
		return 0;
	set_why(why, whysz, "signing key %s: %s", c->sign_fpr,
	    gerr(sr->invalid_signers->reason, es, sizeof(es)));
	return 1;
}

/*
 * Checks the signature made by an operation: exactly one, by a subkey of
 * the signing key, and no invalid signer.
 */
static int
sign_result_ok(struct crypt *c, char *why, size_t whysz)
{
	gpgme_sign_result_t		 sr;
	const struct _gpgme_subkey	*sk;

	if (signer_refused(c, why, whysz))
		return -1;
	if ((sr = gpgme_op_sign_result(c->ctx)) == NULL) {
		set_why(why, whysz, "signing key %s: no signature made",
		    c->sign_fpr);
		return -1;
	}
	if (sr->signatures == NULL || sr->signatures->next != NULL ||
	    sr->signatures->fpr == NULL) {
		set_why(why, whysz, "signing key %s: not exactly one "
		    "signature made", c->sign_fpr);
		return -1;
	}
	for (sk = c->signer->subkeys; sk != NULL; sk = sk->next)
		if (sk->fpr != NULL &&
		    strcasecmp(sk->fpr, sr->signatures->fpr) == 0)
			return 0;
	set_why(why, whysz, "signing key %s: signed by another key %s",
	    c->sign_fpr, sr->signatures->fpr);
	return -1;
}

/* Makes one signature, so a key that cannot sign unattended fails now. */
static int
sign_probe(struct crypt *c, char *why, size_t whysz)
{
	gpgme_data_t	in = NULL, out = NULL;
	gpgme_error_t	err;
	char		es[128];
	int		rc = -1;

	if ((err = gpgme_data_new_from_mem(&in, "probe\n", 6, 0)) != 0 ||
	    (err = gpgme_data_new(&out)) != 0) {
		set_why(why, whysz, "%s", gerr(err, es, sizeof(es)));
		goto done;
	}
	err = gpgme_op_sign(c->ctx, in, out, GPGME_SIG_MODE_DETACH);
	if (err != 0) {
		if (!signer_refused(c, why, whysz))
			set_why(why, whysz, "signing key %s: %s", c->sign_fpr,
			    gerr(err, es, sizeof(es)));
		goto done;
	}
	rc = sign_result_ok(c, why, whysz);
done:
	gpgme_data_release(in);
	gpgme_data_release(out);
	return rc;
}

/*
 * Makes k (a reference the caller gives up) the signing key, after
 * checking it.  0, or -1 with why (k released).
 */
static int
signer_use(struct crypt *c, gpgme_key_t k, char *why, size_t whysz)
{
	const char	*p;
	gpgme_error_t	 err;
	char		 es[128];

	if ((p = signer_problem(k, c->sign_fpr, time(NULL))) != NULL) {
		why_key(why, whysz, "signing key", c->sign_fpr, k, p);
		gpgme_key_unref(k);
		return -1;
	}
	gpgme_signers_clear(c->ctx);
	if ((err = gpgme_signers_add(c->ctx, k)) != 0) {
		set_why(why, whysz, "signing key %s: %s", c->sign_fpr,
		    gerr(err, es, sizeof(es)));
		gpgme_key_unref(k);
		return -1;
	}
	c->signer = k;
	return 0;
}

/* Looks up the signing key by itself.  0, or -1 with why. */
static int
signer_lookup(struct crypt *c, char *why, size_t whysz)
{
	gpgme_key_t	k;

	if (key_lookup(c->ctx, c->sign_fpr, 1, &k, "signing key",
	    why, whysz) == -1)
		return -1;
	return signer_use(c, k, why, whysz);
}

static struct crypt *
crypt_make(const char *home, const char *sign_fpr, int probe)
{
	struct crypt	*c;
	gpgme_error_t	 err;
	char		 why[512], es[128];

	if (probe && engine_check() == -1)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("crypt_new");
		return NULL;
	}
	if (home != NULL && (c->home = strdup(home)) == NULL) {
		log_warn("crypt_new");
		free(c);
		return NULL;
	}
	if ((err = gpgme_new(&c->ctx)) != 0) {
		log_warnx("gpgme: %s", gerr(err, es, sizeof(es)));
		crypt_free(c);
		return NULL;
	}
	if (ctx_setup(c->ctx, home, why, sizeof(why)) == -1) {
		log_warnx("gpgme%s%s: %s", home ? " home " : "",
		    home ? home : "", why);
		crypt_free(c);
		return NULL;
	}
	if (fpr_norm(sign_fpr, c->sign_fpr) == -1) {
		log_warnx("signing key %s: not a full fingerprint "
		    "(40 hex digits)", fpr_show(sign_fpr));
		crypt_free(c);
		return NULL;
	}
	/* Without the probe the key is listed with the first recipients. */
	if (probe && (signer_lookup(c, why, sizeof(why)) == -1 ||
	    sign_probe(c, why, sizeof(why)) == -1)) {
		log_warnx("%s", why);
		crypt_free(c);
		return NULL;
	}
	return c;
}

/* ------------------------------------------------- the helper process */

enum { OP_OPEN = 1, OP_CHECK, OP_ENCRYPT, OP_FLUSH, OP_FREE };

/* The helper's contexts; a request names one by its index in rc. */
static struct crypt	**served;
static size_t		  nserved;

/* The context a request names, or NULL. */
static struct crypt *
served_get(const struct helper_msg *q)
{
	if (q->rc < 0 || (size_t)q->rc >= nserved)
		return NULL;
	return served[q->rc];
}

/* Keeps c (not NULL): its index, or -1 (c freed). */
static int32_t
served_add(struct crypt *c)
{
	struct crypt	**v;
	size_t		  i;

	for (i = 0; i < nserved && served[i] != NULL; i++)
		;
	if (i == nserved) {
		/* An array of pointers. */
		if (nserved >= 1024 || (v = reallocarray(served, nserved + 1,
		    sizeof(*v))) == NULL) {	/* NOLINT(bugprone-sizeof-expression) */
			crypt_free(c);
			return -1;
		}
		served = v;
		nserved++;
	}
	served[i] = c;
	return (int32_t)i;
}

/* b[i] as a string, or NULL if flag is not in b[2]. */
static const char *
arg_str(const struct helper_msg *q, size_t i, char flag)
{
	return strchr(buf_str(&q->b[2]), flag) != NULL ? buf_str(&q->b[i]) :
	    NULL;
}

static void
serve_encrypt(struct crypt *c, const struct helper_msg *q,
    struct helper_msg *r, char *why, size_t whysz)
{
	const char	**v;
	const char	 *p, *end = q->b[0].data + q->b[0].len;
	size_t		  n = 0;

	/* b[0]: the fingerprints, each ended by a NUL, exactly as given. */
	for (p = q->b[0].data; p != NULL && p < end; p += strlen(p) + 1)
		n++;
	if ((v = calloc(n + 1, sizeof(*v))) == NULL) {
		set_why(why, whysz, "encryption helper: out of memory");
		r->rc = -1;
		return;
	}
	n = 0;
	for (p = q->b[0].data; p != NULL && p < end; p += strlen(p) + 1)
		v[n++] = p;
	r->rc = crypt_encrypt_sign(c, v, n, q->b[1].data, q->b[1].len,
	    &r->b[1], why, whysz);
	free(v);
}

static void
serve(const struct helper_msg *q, struct helper_msg *r)
{
	struct crypt	*c = served_get(q);
	const char	*flags = buf_str(&q->b[2]);
	char		 why[512] = "";

	r->rc = 0;
	if (c == NULL && q->op != OP_OPEN) {
		set_why(why, sizeof(why), "encryption helper: no context %d",
		    (int)q->rc);
		r->rc = -1;
	} else {
		switch (q->op) {
		case OP_OPEN:
			c = crypt_make(arg_str(q, 0, 'h'), arg_str(q, 1, 'f'),
			    strchr(flags, 'p') != NULL);
			r->rc = c != NULL ? served_add(c) : -1;
			break;
		case OP_CHECK:
			r->rc = crypt_check_recipient(c, buf_str(&q->b[0]),
			    why, sizeof(why));
			break;
		case OP_ENCRYPT:
			serve_encrypt(c, q, r, why, sizeof(why));
			break;
		case OP_FLUSH:
			crypt_flush(c);
			break;
		case OP_FREE:
			crypt_free(c);
			served[q->rc] = NULL;
			break;
		default:
			set_why(why, sizeof(why), "encryption helper: "
			    "unknown request %u", q->op);
			r->rc = -1;
			break;
		}
	}
	if (r->rc < 0)
		(void)buf_puts(&r->b[0], why);
}

int
crypt_helper_start(void)
{
	return helper_start(serve);
}

/* One request to the helper.  0, or -1 with why. */
static int
remote_call(const struct helper_msg *q, struct helper_msg *r, char *why,
    size_t whysz)
{
	if (helper_call(q, r) == -1) {
		set_why(why, whysz, "encryption helper process ended "
		    "(see above)");
		return -1;
	}
	if (r->rc < 0) {
		set_why(why, whysz, "%s", buf_str(&r->b[0]));
		return -1;
	}
	return 0;
}

/* Makes c's context in the helper.  0, or -1 (logged there or here). */
static int
remote_open(struct crypt *c)
{
	struct helper_msg	 q, r;
	char			 why[512];
	int			 rc;

	helper_msg_init(&q);
	helper_msg_init(&r);
	q.op = OP_OPEN;
	if (c->home != NULL)
		(void)buf_puts(&q.b[0], c->home);
	if (c->sign_arg != NULL)
		(void)buf_puts(&q.b[1], c->sign_arg);
	(void)buf_printf(&q.b[2], "%s%s%s", c->home != NULL ? "h" : "",
	    c->sign_arg != NULL ? "f" : "", c->probe ? "p" : "");
	rc = remote_call(&q, &r, why, sizeof(why));
	if (rc == -1 && !helper_alive())
		log_warnx("%s", why);
	c->id = rc == 0 ? r.rc : -1;
	helper_msg_free(&q);
	helper_msg_free(&r);
	return rc;
}

static struct crypt *
remote_make(const char *home, const char *sign_fpr, int probe)
{
	struct crypt	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (home != NULL && (c->home = strdup(home)) == NULL) ||
	    (sign_fpr != NULL && (c->sign_arg = strdup(sign_fpr)) == NULL)) {
		log_warn("crypt_new");
		crypt_free(c);
		return NULL;
	}
	c->remote = 1;
	c->probe = probe;
	if (remote_open(c) == -1) {
		crypt_free(c);
		return NULL;
	}
	return c;
}

/* A request with at most one string and no answer but its result. */
static int
remote_simple(const struct crypt *c, uint32_t op, const char *arg, char *why,
    size_t whysz)
{
	struct helper_msg	 q, r;
	int			 rc;

	helper_msg_init(&q);
	helper_msg_init(&r);
	q.op = op;
	q.rc = c->id;
	if (arg != NULL)
		(void)buf_puts(&q.b[0], arg);
	rc = remote_call(&q, &r, why, whysz);
	helper_msg_free(&q);
	helper_msg_free(&r);
	return rc;
}

static int
remote_encrypt(const struct crypt *c, const char *const *fprs, size_t nfprs,
    const void *in, size_t len, struct buf *out, char *why, size_t whysz)
{
	struct helper_msg	 q, r;
	size_t			 i;
	int			 rc;

	helper_msg_init(&q);
	helper_msg_init(&r);
	q.op = OP_ENCRYPT;
	q.rc = c->id;
	for (i = 0; i < nfprs; i++)
		(void)buf_add(&q.b[0], fprs[i], strlen(fprs[i]) + 1);
	(void)buf_add(&q.b[1], in, len);
	rc = remote_call(&q, &r, why, whysz);
	if (rc == 0 && buf_add(out, r.b[1].data, r.b[1].len) == -1) {
		set_why(why, whysz, "encrypt and sign: out of memory");
		rc = -1;
	}
	helper_msg_free(&q);
	helper_msg_free(&r);
	return rc;
}

/* ------------------------------------------------------- the contract */

struct crypt *
crypt_new(const char *home, const char *sign_fpr)
{
	if (helper_alive())
		return remote_make(home, sign_fpr, 1);
	return crypt_make(home, sign_fpr, 1);
}

struct crypt *
crypt_open(const char *home, const char *sign_fpr)
{
	if (helper_alive())
		return remote_make(home, sign_fpr, 0);
	return crypt_make(home, sign_fpr, 0);
}

/* Empties the recipient key cache. */
static void
cache_drop(struct crypt *c)
{
	size_t	i;

	for (i = 0; i < c->nkeys; i++)
		gpgme_key_unref(c->keys[i].key);
	c->nkeys = 0;
}

/*
 * The public keyrings of c's home: importing a key or a revocation, or
 * deleting a key, changes one of them.
 */
static void
rings_get(const struct crypt *c, struct file_id id[2])
{
	const char	*home = c->home, *h;
	char		 dir[PATH_MAX], path[PATH_MAX];

	memset(id, 0, 2 * sizeof(*id));
	if (home == NULL)
		home = getenv("GNUPGHOME");
	if (home == NULL && (h = getenv("HOME")) != NULL &&
	    xsnprintf(dir, sizeof(dir), "%s/.gnupg", h) != -1)
		home = dir;
	if (home == NULL)
		return;
	if (xsnprintf(path, sizeof(path), "%s/pubring.kbx", home) != -1)
		file_id_get(path, &id[0]);
	if (xsnprintf(path, sizeof(path), "%s/pubring.gpg", home) != -1)
		file_id_get(path, &id[1]);
}

void
crypt_flush(struct crypt *c)
{
	struct file_id	 now[2];
	char		 why[512];

	if (c == NULL)
		return;
	if (c->remote) {
		/* A helper that died is started again, with the context. */
		if (helper_alive() &&
		    remote_simple(c, OP_FLUSH, NULL, why, sizeof(why)) == 0)
			return;
		if (!helper_alive() && crypt_helper_start() == 0)
			(void)remote_open(c);
		return;
	}
	/* Keys as they were: keep them (expiry is checked at each use). */
	rings_get(c, now);
	if (file_id_eq(&now[0], &c->rings[0]) &&
	    file_id_eq(&now[1], &c->rings[1]) &&
	    (now[0].exists || now[1].exists))
		return;
	memcpy(c->rings, now, sizeof(c->rings));
	cache_drop(c);
}

void
crypt_free(struct crypt *c)
{
	char	why[512];

	if (c == NULL)
		return;
	if (c->remote) {
		if (helper_alive())
			(void)remote_simple(c, OP_FREE, NULL, why, sizeof(why));
		free(c->home);
		free(c->sign_arg);
		free(c);
		return;
	}
	cache_drop(c);
	free(c->keys);
	free(c->home);
	if (c->signer != NULL)
		gpgme_key_unref(c->signer);
	if (c->ctx != NULL)
		gpgme_release(c->ctx);
	free(c);
}

static gpgme_key_t
cache_find(const struct crypt *c, const char *fpr)
{
	size_t	i;

	for (i = 0; i < c->nkeys; i++)
		if (strcmp(c->keys[i].fpr, fpr) == 0)
			return c->keys[i].key;
	return NULL;
}

/* Takes over the reference k.  0, or -1 if out of memory (k released). */
static int
cache_add(struct crypt *c, const char *fpr, gpgme_key_t k)
{
	struct cached_key	*nk;
	size_t			 ncap;

	if (c->nkeys == c->capkeys) {
		ncap = c->capkeys ? c->capkeys * 2 : 8;
		if ((nk = reallocarray(c->keys, ncap, sizeof(*nk))) == NULL) {
			gpgme_key_unref(k);
			return -1;
		}
		c->keys = nk;
		c->capkeys = ncap;
	}
	memcpy(c->keys[c->nkeys].fpr, fpr, sizeof(c->keys[c->nkeys].fpr));
	c->keys[c->nkeys].key = k;
	c->nkeys++;
	return 0;
}

/* As crypt_check_recipient(), also returning the (cached) key. */
static int
recipient_get(struct crypt *c, const char *fpr_in, gpgme_key_t *kp,
    char *why, size_t whysz)
{
	char		 fpr[CRYPT_FPR_LEN + 1];
	const char	*p;
	gpgme_key_t	 k;

	if (fpr_norm(fpr_in, fpr) == -1) {
		set_why(why, whysz, "recipient %s: not a full fingerprint "
		    "(40 hex digits)", fpr_show(fpr_in));
		return -1;
	}
	if ((k = cache_find(c, fpr)) == NULL) {
		if (key_lookup(c->ctx, fpr, 0, &k, "recipient", why,
		    whysz) == -1)
			return -1;
		if (cache_add(c, fpr, k) == -1) {
			set_why(why, whysz, "recipient %s: out of memory", fpr);
			return -1;
		}
	}
	if ((p = recipient_problem(k, fpr, time(NULL))) != NULL) {
		why_key(why, whysz, "recipient", fpr, k, p);
		return -1;
	}
	*kp = k;
	return 0;
}

int
crypt_check_recipient(struct crypt *c, const char *fpr, char *why,
    size_t whysz)
{
	gpgme_key_t	k;

	if (c->remote)
		return remote_simple(c, OP_CHECK, fpr, why, whysz);
	return recipient_get(c, fpr, &k, why, whysz);
}

/*
 * Reads every recipient key not cached yet, and the signing key if it is
 * not set up yet, with one gpg run (gpgme_get_key() starts two per key).
 * The signing key found with its secret part is returned in *signer.
 * Keys it does not find as asked, by their primary fingerprint, are left
 * to recipient_get() and signer_lookup(), which name the problem.
 */
static void
keys_prefetch(struct crypt *c, const char *const *fprs, size_t nfprs,
    gpgme_key_t *signer)
{
	char		(*want)[CRYPT_FPR_LEN + 1];
	const char	**pat;
	gpgme_key_t	 k;
	size_t		 i, n = 0;
	int		 sign = c->signer == NULL && c->signer_why[0] == '\0';

	*signer = NULL;
	want = calloc(nfprs + 1, sizeof(*want));
	pat = calloc(nfprs + 2, sizeof(*pat));
	if (want == NULL || pat == NULL)
		goto out;
	for (i = 0; i < nfprs; i++)
		if (fpr_norm(fprs[i], want[n]) == 0 &&
		    cache_find(c, want[n]) == NULL) {
			pat[n] = want[n];
			n++;
		}
	if (sign)
		pat[n] = c->sign_fpr;
	if (n + sign == 0 || gpgme_set_keylist_mode(c->ctx,
	    GPGME_KEYLIST_MODE_LOCAL | (sign ?
	    GPGME_KEYLIST_MODE_WITH_SECRET : 0)) != 0)
		goto out;
	if (gpgme_op_keylist_ext_start(c->ctx, pat, 0, 0) != 0)
		goto mode;
	while (gpgme_op_keylist_next(c->ctx, &k) == 0) {
		if (sign && *signer == NULL && k->secret && k->fpr != NULL &&
		    strcasecmp(k->fpr, c->sign_fpr) == 0) {
			gpgme_key_ref(k);
			*signer = k;
		}
		for (i = 0; i < n; i++)
			if (k->fpr != NULL && strcasecmp(k->fpr, want[i]) == 0 &&
			    cache_find(c, want[i]) == NULL)
				break;
		if (i == n)
			gpgme_key_unref(k);
		else
			(void)cache_add(c, want[i], k);	/* unrefs on failure */
	}
	(void)gpgme_op_keylist_end(c->ctx);
mode:
	(void)gpgme_set_keylist_mode(c->ctx, GPGME_KEYLIST_MODE_LOCAL);
out:
	free(want);
	free(pat);
}

/*
 * Sets up the signing key on first use, from candidate (a reference the
 * caller gives up, may be NULL) or by a lookup of its own.  A failure is
 * kept, so that a run does not ask gpg again for every list.
 */
static int
signer_ready(struct crypt *c, gpgme_key_t candidate, char *why, size_t whysz)
{
	int	rc;

	if (c->signer != NULL)
		return 0;
	if (c->signer_why[0] != '\0') {
		set_why(why, whysz, "%s", c->signer_why);
		return -1;
	}
	rc = candidate != NULL ? signer_use(c, candidate, why, whysz) :
	    signer_lookup(c, why, whysz);
	if (rc == -1)
		set_why(c->signer_why, sizeof(c->signer_why), "%s", why);
	return rc;
}

/*
 * Fills keys (nfprs + 1 slots) with the distinct checked recipient keys,
 * NULL-terminated.  0, or -1 with why.
 */
static int
recipients_collect(struct crypt *c, const char *const *fprs, size_t nfprs,
    gpgme_key_t *keys, char *why, size_t whysz)
{
	gpgme_key_t	k, signer;
	size_t		i, j, n = 0;

	keys_prefetch(c, fprs, nfprs, &signer);
	if (signer_ready(c, signer, why, whysz) == -1)
		return -1;
	for (i = 0; i < nfprs; i++) {
		if (recipient_get(c, fprs[i], &k, why, whysz) == -1)
			return -1;
		for (j = 0; j < n && keys[j] != k; j++)
			;
		if (j == n)
			keys[n++] = k;
	}
	keys[n] = NULL;
	return 0;
}

/* 1 (with why) if gpg refused a recipient in the last operation. */
static int
recipients_refused(struct crypt *c, char *why, size_t whysz)
{
	gpgme_encrypt_result_t	er;
	char			es[128];

	er = gpgme_op_encrypt_result(c->ctx);
	if (er == NULL || er->invalid_recipients == NULL)
		return 0;
	set_why(why, whysz, "recipient %s: %s",
	    fpr_show(er->invalid_recipients->fpr),
	    gerr(er->invalid_recipients->reason, es, sizeof(es)));
	return 1;
}

/* After a failed encryption: name the key gpg refused, if any. */
static void
why_encrypt(struct crypt *c, gpgme_error_t err, char *why, size_t whysz)
{
	char	es[128];

	if (!recipients_refused(c, why, whysz) &&
	    !signer_refused(c, why, whysz))
		set_why(why, whysz, "encrypt and sign: %s",
		    gerr(err, es, sizeof(es)));
}

static int
run_encrypt(struct crypt *c, gpgme_key_t *keys, const void *in, size_t len,
    struct buf *out, char *why, size_t whysz)
{
	gpgme_data_t	 din = NULL, dout = NULL;
	gpgme_error_t	 err;
	char		*mem = NULL, es[128];
	size_t		 n = 0;
	int		 rc = -1;

	if ((err = gpgme_data_new_from_mem(&din, len ? in : "", len, 0)) != 0 ||
	    (err = gpgme_data_new(&dout)) != 0) {
		set_why(why, whysz, "gpgme data: %s", gerr(err, es, sizeof(es)));
		goto done;
	}
	err = gpgme_op_encrypt_sign(c->ctx, keys, ENCRYPT_FLAGS, din, dout);
	if (err != 0) {
		why_encrypt(c, err, why, whysz);
		goto done;
	}
	if (sign_result_ok(c, why, whysz) == -1)
		goto done;
	if (recipients_refused(c, why, whysz))
		goto done;
	mem = gpgme_data_release_and_get_mem(dout, &n);
	dout = NULL;
	if (mem == NULL || n < sizeof(ARMOR_HEAD) - 1 ||
	    memcmp(mem, ARMOR_HEAD, sizeof(ARMOR_HEAD) - 1) != 0) {
		set_why(why, whysz, "encrypt and sign: no armoured output");
		goto done;
	}
	if (buf_add(out, mem, n) == -1) {
		set_why(why, whysz, "encrypt and sign: out of memory");
		goto done;
	}
	rc = 0;
done:
	gpgme_free(mem);
	gpgme_data_release(din);
	gpgme_data_release(dout);
	return rc;
}

int
crypt_encrypt_sign(struct crypt *c, const char *const *fprs, size_t nfprs,
    const void *in, size_t len, struct buf *out, char *why, size_t whysz)
{
	gpgme_key_t	*keys;
	int		 rc;

	if (nfprs == 0) {
		/* GPGME would encrypt symmetrically. */
		set_why(why, whysz, "no recipients");
		return -1;
	}
	if (in == NULL && len != 0) {
		set_why(why, whysz, "no input");
		return -1;
	}
	if (c->remote)
		return remote_encrypt(c, fprs, nfprs, in, len, out, why, whysz);
	/* gpgme_key_t is a pointer: an array of them. */
	if ((keys = calloc(nfprs + 1,
	    sizeof(*keys))) == NULL) {	/* NOLINT(bugprone-sizeof-expression) */
		set_why(why, whysz, "out of memory");
		return -1;
	}
	rc = recipients_collect(c, fprs, nfprs, keys, why, whysz);
	if (rc == 0)
		rc = run_encrypt(c, keys, in, len, out, why, whysz);
	free(keys);		/* the keys belong to the cache */
	return rc;
}

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

int
crypt_keys_id(const char *sign_fpr, const char *const *fprs, size_t n,
    char out[65])
{
	char			 sfpr[CRYPT_FPR_LEN + 1];
	char			(*v)[CRYPT_FPR_LEN + 1] = NULL;
	struct hash_ctx		*h = NULL;
	size_t			 i;
	int			 rc = -1;

	if (fpr_norm(sign_fpr, sfpr) == -1)
		return -1;
	if (n > 0 && (v = calloc(n, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (fpr_norm(fprs[i], v[i]) == -1)
			goto done;
	if (n > 1)
		qsort(v, n, sizeof(*v), fpr_cmp);
	/* "listfeed-keys-1\nsigner FPR\nrecipient FPR..." */
	if ((h = hash_new()) == NULL ||
	    hash_str(h, "listfeed-keys-1\nsigner ") == -1 ||
	    hash_str(h, sfpr) == -1)
		goto done;
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
			continue;
		if (hash_str(h, "\nrecipient ") == -1 ||
		    hash_str(h, v[i]) == -1)
			goto done;
	}
	rc = hash_final_hex(h, out);
	h = NULL;		/* hash_final_hex() frees */
done:
	if (h != NULL)
		hash_free(h);
	free(v);
	return rc;
}
