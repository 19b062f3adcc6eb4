/* verify: see verify.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gpgme.h>

#include "log.h"
#include "verify.h"

#define GPGME_MIN	"1.18.0"
#define FPR_LEN		40

struct verify {
	gpgme_ctx_t	 ctx;
	char		 fpr[FPR_LEN + 1];	/* upper case */
};

struct sinkctx {
	verify_sink	 fn;
	void		*ctx;
};

static void	set_why(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
set_why(char *why, size_t whysz, const char *fmt, ...)
{
	va_list	 ap;

	if (whysz == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
}

static const char *
gerr(gpgme_error_t err, char *buf, size_t sz)
{
	if (gpgme_strerror_r(err, buf, sz) != 0)
		(void)snprintf(buf, sz, "gpgme error %u", (unsigned)err);
	return buf;
}

int
verify_global_init(const char *home)
{
	if (home != NULL && setenv("GNUPGHOME", home, 1) == -1) {
		log_warn("setenv GNUPGHOME");
		return -1;
	}
	if (gpgme_set_global_flag("disable-gpgconf", "1") != 0)
		log_debug("gpgme: cannot disable gpgconf");
	if (gpgme_check_version(GPGME_MIN) == NULL) {
		log_warnx("gpgme %s is older than %s",
		    gpgme_check_version(NULL), GPGME_MIN);
		return -1;
	}
	return 0;
}

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
fpr_norm(const char *in, char out[FPR_LEN + 1])
{
	size_t	 i;

	if (in == NULL || strlen(in) != FPR_LEN)
		return -1;
	for (i = 0; i < FPR_LEN; i++) {
		if (strchr("0123456789abcdefABCDEF", in[i]) == NULL)
			return -1;
		out[i] = (char)(in[i] >= 'a' ? in[i] - 32 : in[i]);
	}
	out[FPR_LEN] = '\0';
	return 0;
}

/* The key of fpr (primary or subkey), usable: 0, or -1 with why. */
static int
key_ok(struct verify *v, const char *fpr, gpgme_key_t *out, char *why,
    size_t whysz)
{
	gpgme_key_t	 key = NULL;
	gpgme_error_t	 err;
	char		 es[128];

	if ((err = gpgme_get_key(v->ctx, fpr, &key, 0)) != 0) {
		set_why(why, whysz, "key %s: %s", fpr,
		    gerr(err, es, sizeof(es)));
		return -1;
	}
	if (key->revoked || key->expired || key->disabled || key->invalid ||
	    key->subkeys == NULL) {
		set_why(why, whysz, "key %s: revoked, expired, disabled or "
		    "invalid", fpr);
		gpgme_key_unref(key);
		return -1;
	}
	*out = key;
	return 0;
}

struct verify *
verify_new(const char *feed_fpr, char *why, size_t whysz)
{
	struct verify	*v;
	gpgme_key_t	 key;
	gpgme_error_t	 err;
	char		 es[128];

	if ((v = calloc(1, sizeof(*v))) == NULL) {
		set_why(why, whysz, "%s", strerror(errno));
		return NULL;
	}
	if (fpr_norm(feed_fpr, v->fpr) == -1) {
		set_why(why, whysz, "feed key: not a 40-digit fingerprint");
		goto fail;
	}
	if ((err = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP)) != 0 ||
	    (err = gpgme_new(&v->ctx)) != 0 ||
	    (err = gpgme_set_protocol(v->ctx, GPGME_PROTOCOL_OpenPGP)) != 0 ||
	    (err = gpgme_set_pinentry_mode(v->ctx,
	    GPGME_PINENTRY_MODE_LOOPBACK)) != 0 ||
	    (err = gpgme_set_keylist_mode(v->ctx,
	    GPGME_KEYLIST_MODE_LOCAL)) != 0) {
		set_why(why, whysz, "gpg: %s", gerr(err, es, sizeof(es)));
		goto fail;
	}
	gpgme_set_passphrase_cb(v->ctx, no_passphrase, NULL);
	gpgme_set_offline(v->ctx, 1);
	if (key_ok(v, v->fpr, &key, why, whysz) == -1)
		goto fail;
	gpgme_key_unref(key);
	return v;
fail:
	verify_free(v);
	return NULL;
}

void
verify_free(struct verify *v)
{
	if (v == NULL)
		return;
	if (v->ctx != NULL)
		gpgme_release(v->ctx);
	free(v);
}

static ssize_t
sink_write(void *handle, const void *buf, size_t size)
{
	struct sinkctx	*s = handle;

	if (s->fn(s->ctx, buf, size) == -1)
		return -1;
	return (ssize_t)size;
}

/* The message was encrypted, with integrity protection. */
static int
check_decrypt(gpgme_ctx_t ctx, char *why, size_t whysz)
{
	gpgme_decrypt_result_t	 dr = gpgme_op_decrypt_result(ctx);

	if (dr == NULL || dr->recipients == NULL) {
		set_why(why, whysz, "not encrypted");
		return -1;
	}
	if (dr->unsupported_algorithm != NULL || dr->wrong_key_usage ||
	    dr->legacy_cipher_nomdc) {
		set_why(why, whysz, "encryption without integrity protection "
		    "or with an unsupported algorithm");
		return -1;
	}
	return 0;
}

/* Exactly one good signature, by the pinned key (or its subkey). */
static int
check_signature(struct verify *v, char *why, size_t whysz)
{
	gpgme_verify_result_t	 vr = gpgme_op_verify_result(v->ctx);
	gpgme_signature_t	 sig;
	gpgme_key_t		 key;
	char			 es[128];
	int			 same;

	if (vr == NULL || (sig = vr->signatures) == NULL) {
		set_why(why, whysz, "not signed");
		return -1;
	}
	if (sig->next != NULL) {
		set_why(why, whysz, "more than one signature");
		return -1;
	}
	if (sig->status != 0) {
		set_why(why, whysz, "signature by %s: %s",
		    sig->fpr != NULL ? sig->fpr : "?",
		    gerr(sig->status, es, sizeof(es)));
		return -1;
	}
	if (sig->summary & (GPGME_SIGSUM_RED | GPGME_SIGSUM_KEY_REVOKED |
	    GPGME_SIGSUM_KEY_EXPIRED | GPGME_SIGSUM_SIG_EXPIRED |
	    GPGME_SIGSUM_KEY_MISSING) || sig->wrong_key_usage) {
		set_why(why, whysz, "signature by %s: revoked, expired or "
		    "not for signing", sig->fpr);
		return -1;
	}
	if (sig->fpr != NULL && strcasecmp(sig->fpr, v->fpr) == 0)
		return 0;
	if (sig->fpr == NULL || key_ok(v, sig->fpr, &key, why, whysz) == -1) {
		set_why(why, whysz, "signed by %s, not by the feed key %s",
		    sig->fpr != NULL ? sig->fpr : "an unknown key", v->fpr);
		return -1;
	}
	same = key->subkeys->fpr != NULL &&
	    strcasecmp(key->subkeys->fpr, v->fpr) == 0;
	gpgme_key_unref(key);
	if (!same) {
		set_why(why, whysz, "signed by %s, not by the feed key %s",
		    sig->fpr, v->fpr);
		return -1;
	}
	return 0;
}

int
verify_decrypt(struct verify *v, const void *in, size_t len,
    verify_sink sink, void *sinkctx, char *why, size_t whysz)
{
	struct gpgme_data_cbs	 cbs = { NULL, sink_write, NULL, NULL };
	struct sinkctx		 sc = { sink, sinkctx };
	gpgme_data_t		 cipher = NULL, plain = NULL;
	gpgme_error_t		 err;
	char			 es[128];
	int			 rc = -1;

	if (len == 0) {
		set_why(why, whysz, "empty file");
		return -1;
	}
	if ((err = gpgme_data_new_from_mem(&cipher, in, len, 0)) != 0 ||
	    (err = gpgme_data_new_from_cbs(&plain, &cbs, &sc)) != 0) {
		set_why(why, whysz, "gpgme: %s", gerr(err, es, sizeof(es)));
		goto out;
	}
	err = gpgme_op_decrypt_verify(v->ctx, cipher, plain);
	if (err != 0) {
		set_why(why, whysz, "cannot decrypt: %s",
		    gerr(err, es, sizeof(es)));
		goto out;
	}
	if (check_decrypt(v->ctx, why, whysz) == -1 ||
	    check_signature(v, why, whysz) == -1)
		goto out;
	rc = 0;
out:
	gpgme_data_release(cipher);
	gpgme_data_release(plain);
	return rc;
}
