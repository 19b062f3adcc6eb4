/*
 * pgp encrypt and sign, several inputs side by side: each operation is a
 * gpg process that mostly waits for itself, so a list's files (the whole
 * list, its mail and its digest members) take about the time of one when
 * there are cores for them.  See pgp_encrypt_sign_many() in pgp.h.
 *
 * What the threads share: the keys (owned by p's cache, filled before
 * any thread starts and only read while they run; GPGME's key reference
 * counts are thread-safe), p's signing key and fingerprint (read only),
 * and the job's queue, guarded by its mutex.  Each thread has its own
 * GPGME context and output buffers of its own inputs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gpgme.h>

#include "buf.h"
#include "pgp_int.h"

/* One call's inputs and how far the threads are with them. */
struct job {
	const struct pgp	*p;
	gpgme_key_t		*keys;
	const struct pgp_bytes	*in;
	struct buf		*tmp;		/* n outputs */
	size_t			 n;
	pthread_mutex_t		 mu;		/* guards what follows */
	size_t			 next;		/* the next input to take */
	size_t			 failed;	/* first input that failed, or n */
	char			 why[PGP_WHY_MAX];	/* its reason */
};

/* Takes the next input worth starting: *i, 1; or 0 when there is none. */
static int
job_take(struct job *j, size_t *i)
{
	int	 ok;

	pthread_mutex_lock(&j->mu);
	ok = j->next < j->failed;
	if (ok)
		*i = j->next++;
	pthread_mutex_unlock(&j->mu);
	return ok;
}

/* Records that input i failed; the first in order wins. */
static void
job_fail(struct job *j, size_t i, const char *why)
{
	pthread_mutex_lock(&j->mu);
	if (i < j->failed) {
		j->failed = i;
		set_why(j->why, sizeof(j->why), "%s", why);
	}
	pthread_mutex_unlock(&j->mu);
}

/* Encrypts inputs on ctx until none is left. */
static void
job_work(struct job *j, gpgme_ctx_t ctx)
{
	char	 why[PGP_WHY_MAX];
	size_t	 i;

	while (job_take(j, &i))
		if (encrypt_on(j->p, ctx, j->keys, j->in[i].data, j->in[i].len,
		    &j->tmp[i], why, sizeof(why)) == -1)
			job_fail(j, i, why);
}

/* A thread's body: the same work on a context of its own.  A thread
 * without a context takes nothing: the others do its share. */
static void *
worker(void *arg)
{
	struct job	*j = arg;
	gpgme_ctx_t	 ctx;
	char		 why[PGP_WHY_MAX];

	if (ctx_worker(j->p, &ctx, why, sizeof(why)) == -1)
		return NULL;
	job_work(j, ctx);
	gpgme_release(ctx);
	return NULL;
}

/* Runs the job on up to workers threads, the caller's one of them. */
static void
job_run(struct job *j, gpgme_ctx_t own, unsigned workers)
{
	pthread_t	 tid[PGP_WORKERS_MAX];
	size_t		 nt = 0, i;

	if (workers > PGP_WORKERS_MAX)
		workers = PGP_WORKERS_MAX;
	while (nt + 1 < workers && nt + 1 < j->n &&
	    pthread_create(&tid[nt], NULL, worker, j) == 0)
		nt++;
	job_work(j, own);
	for (i = 0; i < nt; i++)
		(void)pthread_join(tid[i], NULL);
}

/* Checks the arguments as pgp_encrypt_sign() does.  0, or -1 with why. */
static int
args_ok(const struct pgp *p, size_t nfprs, const struct pgp_bytes *in,
    size_t n, char *why, size_t whysz)
{
	size_t	 i;

	if (nfprs == 0) {
		/* GPGME would encrypt symmetrically. */
		set_why(why, whysz, "no recipients");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (in[i].data == NULL && in[i].len != 0) {
			set_why(why, whysz, "no input");
			return -1;
		}
	if (n == 0) {
		set_why(why, whysz, "no input");
		return -1;
	}
	if (p->sign_fpr[0] == '\0') {
		set_why(why, whysz, "encrypt and sign: no signing key");
		return -1;
	}
	return 0;
}

int
pgp_bytes_append(struct buf *out, const struct pgp_bytes *src, size_t n)
{
	size_t	 i, len[PGP_BATCH_MAX];

	if (n > PGP_BATCH_MAX)
		return -1;
	for (i = 0; i < n; i++)
		len[i] = out[i].len;
	for (i = 0; i < n; i++)
		if (buf_add(&out[i], src[i].data, src[i].len) == -1)
			break;
	if (i == n)
		return 0;
	while (i-- > 0) {
		out[i].len = len[i];
		if (out[i].data != NULL)
			out[i].data[len[i]] = '\0';
	}
	return -1;
}

/* Appends each output to its out, all or none.  0, or -1 with why. */
static int
outputs_give(const struct job *j, struct buf *out, char *why, size_t whysz)
{
	struct pgp_bytes	 b[PGP_BATCH_MAX];
	size_t			 i;

	for (i = 0; i < j->n; i++) {
		b[i].data = j->tmp[i].data;
		b[i].len = j->tmp[i].len;
	}
	if (pgp_bytes_append(out, b, j->n) == 0)
		return 0;
	set_why(why, whysz, "encrypt and sign: out of memory");
	return -1;
}

int
pgp_encrypt_sign_many(struct pgp *p, const char *const *fprs, size_t nfprs,
    const struct pgp_bytes *in, size_t n, unsigned workers, struct buf *out,
    char *why, size_t whysz)
{
	struct job	 j;
	gpgme_key_t	*keys = NULL;
	size_t		 i;
	int		 rc = -1;

	if (args_ok(p, nfprs, in, n, why, whysz) == -1)
		return -1;
	if (n > PGP_BATCH_MAX) {
		set_why(why, whysz, "encrypt and sign: more than %d inputs",
		    PGP_BATCH_MAX);
		return -1;
	}
	memset(&j, 0, sizeof(j));
	/* gpgme_key_t is a pointer: an array of them. */
	if ((keys = calloc(nfprs + 1,
	    sizeof(*keys))) == NULL ||	/* NOLINT(bugprone-sizeof-expression) */
	    (j.tmp = calloc(n, sizeof(*j.tmp))) == NULL) {
		set_why(why, whysz, "out of memory");
		goto out;
	}
	if (recipients_collect(p, fprs, nfprs, keys, why, whysz) == -1)
		goto out;
	j.p = p;
	j.keys = keys;
	j.in = in;
	j.n = n;
	j.failed = n;
	pthread_mutex_init(&j.mu, NULL);
	job_run(&j, p->ctx, workers);
	pthread_mutex_destroy(&j.mu);
	if (j.failed < n)
		set_why(why, whysz, "%s", j.why);
	else
		rc = outputs_give(&j, out, why, whysz);
out:
	for (i = 0; j.tmp != NULL && i < n; i++)
		buf_free(&j.tmp[i]);
	free(j.tmp);
	free(keys);		/* the keys belong to the cache */
	return rc;
}

int
pgp_encrypt_sign(struct pgp *p, const char *const *fprs, size_t nfprs,
    const void *in, size_t len, struct buf *out, char *why, size_t whysz)
{
	struct pgp_bytes	 b = { in, len };

	return pgp_encrypt_sign_many(p, fprs, nfprs, &b, 1, 1, out, why,
	    whysz);
}
