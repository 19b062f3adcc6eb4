/*
 * crypthelper: crypt.h through the helper process.  The parent's side is
 * the implementation of crypt_ops that sends each call as a message
 * (cryptmsg.h); the helper's side keeps the pgp.h contexts it made and
 * answers.  See crypt.h for the contract, helper.h for the process.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "crypt.h"
#include "crypt_impl.h"
#include "cryptmsg.h"
#include "helper.h"
#include "keyinfo.h"
#include "log.h"
#include "pgp.h"

#define WHY_MAX		512
#define CTXS_MAX	1024

/* ------------------------------------------------- the helper's side */

/* The helper's contexts; a request names one by its index. */
static struct pgp	**ctxs;
static size_t		  nctxs;

static struct pgp *
ctx_get(uint32_t ctx)
{
	return ctx < nctxs ? ctxs[ctx] : NULL;
}

/* Keeps p (not NULL) as *ctx.  0, or -1 if there is no room. */
static int
ctx_add(struct pgp *p, uint32_t *ctx)
{
	struct pgp	**v;
	size_t		  i;

	for (i = 0; i < nctxs && ctxs[i] != NULL; i++)
		;
	if (i == nctxs) {
		/* An array of pointers. */
		if (nctxs >= CTXS_MAX || (v = reallocarray(ctxs,
		    nctxs + 1, sizeof(*v))) == NULL)	/* NOLINT(bugprone-sizeof-expression) */
			return -1;
		ctxs = v;
		nctxs++;
	}
	ctxs[i] = p;
	*ctx = (uint32_t)i;
	return 0;
}

static void
answer_open(const struct cm_msg *q, struct cm_msg *a, char *why,
    size_t whysz)
{
	struct pgp	*p;

	p = pgp_new(q->home, q->signer, q->kind == CM_NEW ? PGP_PROBE :
	    PGP_LAZY, why, whysz);
	if (p == NULL)
		return;
	if (ctx_add(p, &a->ctx) == -1) {
		pgp_free(p);
		(void)snprintf(why, whysz, "encryption helper: too many "
		    "contexts");
		return;
	}
	a->kind = CM_OPENED;
}

/*
 * CM_ENCRYPT: all its DATA at once, on crypt_workers() threads; the
 * outputs (out, CM_DATA_MAX of them) and their list (res) stay with the
 * caller until a is encoded.
 */
static void
answer_encrypt(struct pgp *p, const struct cm_msg *q, struct cm_msg *a,
    struct buf *out, struct pgp_bytes *res, char *why, size_t whysz)
{
	size_t	 i;

	if (pgp_encrypt_sign_many(p, q->fprs, q->nfprs, q->data, q->ndata,
	    crypt_workers(), out, why, whysz) == -1)
		return;
	for (i = 0; i < q->ndata; i++) {
		res[i].data = out[i].data;
		res[i].len = out[i].len;
	}
	a->kind = CM_ENCRYPTED;
	a->data = res;
	a->ndata = q->ndata;
}

/* Answers q in a (kind CM_FAILED and why until it succeeds). */
static void
answer_one(const struct cm_msg *q, struct cm_msg *a, struct buf *out,
    struct pgp_bytes *res, char *why, size_t whysz)
{
	struct pgp	*p = ctx_get(q->ctx);

	if (q->kind == CM_NEW || q->kind == CM_OPEN) {
		answer_open(q, a, why, whysz);
		return;
	}
	if (p == NULL) {
		(void)snprintf(why, whysz, "encryption helper: no context %u",
		    q->ctx);
		return;
	}
	switch (q->kind) {
	case CM_CHECK:
		if (pgp_check_recipient(p, q->fprs[0], why, whysz) == 0)
			a->kind = CM_DONE;
		break;
	case CM_ENCRYPT:
		answer_encrypt(p, q, a, out, res, why, whysz);
		break;
	case CM_EXPIRY:
		if (pgp_signer_expiry(p, &a->expires) == 0)
			a->kind = CM_EXPIRES;
		else
			(void)snprintf(why, whysz, "signing key: not listed");
		break;
	case CM_FLUSH:
		pgp_flush(p);
		a->kind = CM_DONE;
		break;
	case CM_FREE:
		pgp_free(p);
		ctxs[q->ctx] = NULL;
		a->kind = CM_DONE;
		break;
	default:
		(void)snprintf(why, whysz, "encryption helper: %s is not a "
		    "request", cm_kind_name(q->kind));
		break;
	}
}

/* helper_answer_fn: one request, one answer. */
static void
answer_request(const void *req, size_t len, struct buf *rep)
{
	struct cm_msg		 q, a;
	struct buf		 out[CM_DATA_MAX];
	struct pgp_bytes	 res[CM_DATA_MAX];
	char			 why[WHY_MAX] = "", w[200];
	size_t			 i;

	memset(&a, 0, sizeof(a));
	memset(out, 0, sizeof(out));
	a.kind = CM_FAILED;
	if (cm_decode(req, len, &q, w, sizeof(w)) == -1)
		(void)snprintf(why, sizeof(why), "encryption helper: bad "
		    "request: %s", w);
	else
		answer_one(&q, &a, out, res, why, sizeof(why));
	a.why = why;
	if (cm_encode(&a, rep) == -1) {
		buf_reset(rep);
		memset(&a, 0, sizeof(a));
		a.kind = CM_FAILED;
		a.why = "encryption helper: answer too large";
		(void)cm_encode(&a, rep);
	}
	cm_free(&q);
	for (i = 0; i < CM_DATA_MAX; i++)
		buf_free(&out[i]);
}

int
crypt_helper_start(void)
{
	return helper_start(answer_request);
}

/* ------------------------------------------------- the parent's side */

struct crypt_remote {
	struct crypt	 base;		/* first */
	char		*home, *signer;
	enum cm_kind	 open;		/* CM_NEW or CM_OPEN */
	uint32_t	 ctx;		/* in the helper */
};

static struct crypt_remote *
remote(struct crypt *c)
{
	return (struct crypt_remote *)(void *)c;
}

/*
 * Sends q and reads an answer of kind want into a (pointing into ans).
 * 0, or -1 with why.
 */
static int
remote_call(const struct cm_msg *q, enum cm_kind want, struct buf *ans,
    struct cm_msg *a, char *why, size_t whysz)
{
	struct buf	 req = BUF_INIT;
	char		 w[200];
	int		 rc = -1;

	memset(a, 0, sizeof(*a));
	if (cm_encode(q, &req) == -1)
		(void)snprintf(why, whysz, "encryption helper: request too "
		    "large or out of memory");
	else if (helper_call(&req, ans) == -1)
		(void)snprintf(why, whysz, "encryption helper process ended "
		    "(see above)");
	else if (cm_decode(ans->data, ans->len, a, w, sizeof(w)) == -1)
		(void)snprintf(why, whysz, "encryption helper: bad answer: %s",
		    w);
	else if (a->kind == CM_FAILED)
		(void)snprintf(why, whysz, "%s", a->why);
	else if (a->kind != want)
		(void)snprintf(why, whysz, "encryption helper: answered %s to "
		    "%s", cm_kind_name(a->kind), cm_kind_name(q->kind));
	else
		rc = 0;
	if (rc == -1)
		cm_free(a);
	buf_free(&req);
	return rc;
}

/* A request with no answer but its result.  0, or -1 with why. */
static int
remote_simple(struct crypt_remote *r, enum cm_kind kind, const char *fpr,
    char *why, size_t whysz)
{
	struct cm_msg	 q, a;
	struct buf	 ans = BUF_INIT;
	int		 rc;

	memset(&q, 0, sizeof(q));
	q.kind = kind;
	q.ctx = r->ctx;
	q.fprs = &fpr;
	q.nfprs = fpr != NULL ? 1 : 0;
	rc = remote_call(&q, CM_DONE, &ans, &a, why, whysz);
	cm_free(&a);
	buf_free(&ans);
	return rc;
}

/* Makes r's context in the helper.  0, or -1 logged. */
static int
remote_open(struct crypt_remote *r)
{
	struct cm_msg	 q, a;
	struct buf	 ans = BUF_INIT;
	char		 why[WHY_MAX];
	int		 rc;

	memset(&q, 0, sizeof(q));
	q.kind = r->open;
	q.home = r->home;
	q.signer = r->signer;
	if ((rc = remote_call(&q, CM_OPENED, &ans, &a, why,
	    sizeof(why))) == 0)
		r->ctx = a.ctx;
	else
		log_warnx("%s", why);
	cm_free(&a);
	buf_free(&ans);
	return rc;
}

static int
remote_check(struct crypt *c, const char *fpr, char *why, size_t whysz)
{
	return remote_simple(remote(c), CM_CHECK, fpr != NULL ? fpr : "",
	    why, whysz);
}

/* Appends each of a's n outputs to its out, all or none.  0, or -1. */
static int
outputs_take(const struct cm_msg *a, size_t n, struct buf *out, char *why,
    size_t whysz)
{
	if (a->ndata != n) {
		(void)snprintf(why, whysz, "encryption helper: %zu outputs "
		    "for %zu inputs", a->ndata, n);
		return -1;
	}
	if (pgp_bytes_append(out, a->data, n) == -1) {
		(void)snprintf(why, whysz, "encrypt and sign: out of memory");
		return -1;
	}
	return 0;
}

static int
remote_encrypt(struct crypt *c, const char *const *fprs, size_t nfprs,
    const struct pgp_bytes *in, size_t n, struct buf *out, char *why,
    size_t whysz)
{
	struct cm_msg	 q, a;
	struct buf	 ans = BUF_INIT;
	size_t		 i;
	int		 rc;

	for (i = 0; i < n; i++)
		if (in[i].data == NULL && in[i].len != 0) {
			(void)snprintf(why, whysz, "no input");
			return -1;
		}
	if (n == 0 || n > CM_DATA_MAX) {
		(void)snprintf(why, whysz, "encrypt and sign: %zu inputs", n);
		return -1;
	}
	memset(&q, 0, sizeof(q));
	q.kind = CM_ENCRYPT;
	q.ctx = remote(c)->ctx;
	q.fprs = fprs;
	q.nfprs = nfprs;
	q.data = in;
	q.ndata = n;
	rc = remote_call(&q, CM_ENCRYPTED, &ans, &a, why, whysz);
	if (rc == 0)
		rc = outputs_take(&a, n, out, why, whysz);
	cm_free(&a);
	buf_free(&ans);
	return rc;
}

static int
remote_expiry(struct crypt *c, long long *expires)
{
	struct cm_msg	 q, a;
	struct buf	 ans = BUF_INIT;
	char		 why[WHY_MAX];
	int		 rc;

	memset(&q, 0, sizeof(q));
	q.kind = CM_EXPIRY;
	q.ctx = remote(c)->ctx;
	rc = remote_call(&q, CM_EXPIRES, &ans, &a, why, sizeof(why));
	if (rc == 0)
		*expires = a.expires;
	cm_free(&a);
	buf_free(&ans);
	return rc;
}

static void
remote_flush(struct crypt *c)
{
	char	why[WHY_MAX];

	/* A helper that died is started again, with the context. */
	if (helper_alive() &&
	    remote_simple(remote(c), CM_FLUSH, NULL, why, sizeof(why)) == 0)
		return;
	if (!helper_alive() && crypt_helper_start() == 0)
		(void)remote_open(remote(c));
}

static void
remote_destroy(struct crypt_remote *r)
{
	if (r == NULL)
		return;
	free(r->home);
	free(r->signer);
	free(r);
}

static void
remote_free(struct crypt *c)
{
	char	why[WHY_MAX];

	if (helper_alive())
		(void)remote_simple(remote(c), CM_FREE, NULL, why,
		    sizeof(why));
	remote_destroy(remote(c));
}

static const struct crypt_ops remote_ops = {
	remote_check, remote_encrypt, remote_expiry, remote_flush, remote_free
};

struct crypt *
crypt_remote_new(const char *home, const char *sign_fpr,
    enum pgp_signer mode)
{
	struct crypt_remote	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (home != NULL && (r->home = strdup(home)) == NULL) ||
	    (sign_fpr != NULL && (r->signer = strdup(sign_fpr)) == NULL)) {
		log_warn("crypt_new");
		remote_destroy(r);
		return NULL;
	}
	r->base.ops = &remote_ops;
	r->open = mode == PGP_PROBE ? CM_NEW : CM_OPEN;
	if (remote_open(r) == -1) {
		remote_destroy(r);
		return NULL;
	}
	return &r->base;
}
