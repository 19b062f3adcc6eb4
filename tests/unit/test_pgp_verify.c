/*
 * Unit test of pgp/verify.c against a real gpg: files made by
 * pgp_encrypt_sign() and by the gpg command line (gpgkeys.h's throwaway
 * keys), decrypted by recipient A with the feed key pinned.  Only a file
 * encrypted to A and signed once, well, by the feed key is accepted.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "gpgkeys.h"
#include "pgp.h"

#define CLEAR	"alice@example.org\tAlice\nbob@example.org\tBob\n"
#define ARMOURED_JUNK	"-----BEGIN PGP MESSAGE-----\n\nAAAA\n" \
			"-----END PGP MESSAGE-----\n"

struct world {
	struct keys	 k;
	char		 other[41];	/* signs; A has its public key */
	struct pgp	*feed;		/* signs with the feed key */
	struct pgp	*a;		/* A's home: decrypts */
	struct buf	 good;		/* CLEAR from the feed to A */
};

static int
group_setup(void **state)
{
	struct world	*w;
	struct keys	*k;
	char		 why[512];

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	*state = w;
	k = &w->k;
	if (keys_make(k) == -1 ||
	    gen_key(k->feed_home, "Other <other@x>", "ed25519", "sign",
	    "never", NULL) ||
	    key_fprs(k->feed_home, "other@x", w->other, NULL) ||
	    copy_pub(k->feed_home, k->a_home, "other@x") ||
	    pgp_global_init(k->feed_home, why, sizeof(why)) == -1)
		return -1;
	w->feed = pgp_new(k->feed_home, k->feed, PGP_PROBE, why, sizeof(why));
	w->a = pgp_new(k->a_home, NULL, PGP_NO_SIGNER, why, sizeof(why));
	if (w->feed == NULL || w->a == NULL) {
		print_error("%s\n", why);
		return -1;
	}
	return pgp_encrypt_sign(w->feed, (const char *[]){ k->a }, 1, CLEAR,
	    sizeof(CLEAR) - 1, &w->good, why, sizeof(why));
}

static int
group_teardown(void **state)
{
	struct world	*w = *state;

	if (w == NULL)
		return 0;
	pgp_free(w->feed);
	pgp_free(w->a);
	buf_free(&w->good);
	keys_remove(&w->k);
	free(w);
	return 0;
}

static void	gpg_make(struct world *, struct buf *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Runs "gpg --homedir FEED_HOME ARGS..." on CLEAR; the output in out. */
static void
gpg_make(struct world *w, struct buf *out, const char *fmt, ...)
{
	char	 in[128], res[128], args[512];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	(void)snprintf(in, sizeof(in), "%s/clear", w->k.root);
	(void)snprintf(res, sizeof(res), "%s/made", w->k.root);
	assert_int_equal(write_file(in, CLEAR, sizeof(CLEAR) - 1), 0);
	assert_int_equal(run(GPG " --homedir %s --trust-model always --yes "
	    "-o %s %s %s >/dev/null 2>&1", w->k.feed_home, res, args, in), 0);
	buf_reset(out);
	assert_int_equal(read_file(res, out), 0);
}

/* CLEAR to A, signed by the key fpr (secret in the feed's home). */
static void
signed_by(struct world *w, const char *fpr, struct buf *out)
{
	struct pgp	*o;
	char		 why[512];

	o = pgp_new(w->k.feed_home, fpr, PGP_LAZY, why, sizeof(why));
	assert_non_null(o);
	buf_reset(out);
	assert_int_equal(pgp_encrypt_sign(o, (const char *[]){ w->k.a }, 1,
	    CLEAR, sizeof(CLEAR) - 1, out, why, sizeof(why)), 0);
	pgp_free(o);
}

#define MAX_CLEAR	(1024 * 1024)

/* A pgp_sink into a struct buf. */
static int
to_buf(void *ctx, const void *data, size_t len)
{
	return buf_add(ctx, data, len);
}

/* A pgp_sink that takes nothing. */
static int
refuse_all(void *ctx, const void *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	errno = ENOSPC;
	return -1;
}

/* Decrypts msg as A with signer pinned: -1, why holds reason. */
static void
assert_refused(struct world *w, const char *signer, const void *msg,
    size_t len, const char *reason)
{
	struct buf	 out = BUF_INIT;
	char		 why[512] = "";

	assert_int_equal(pgp_decrypt_verify(w->a, signer, msg, len, MAX_CLEAR,
	    to_buf, &out, why, sizeof(why)), -1);
	print_message("# %s\n", why);
	if (strstr(why, reason) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", why, reason);
	buf_free(&out);
}

static void
assert_accepted(struct world *w, struct pgp *p, const char *signer,
    const struct buf *msg)
{
	struct buf	 out = BUF_INIT;
	char		 why[512] = "";

	if (pgp_decrypt_verify(p, signer, msg->data, msg->len, MAX_CLEAR,
	    to_buf, &out, why, sizeof(why)) != 0)
		fail_msg("%s", why);
	assert_int_equal(out.len, sizeof(CLEAR) - 1);
	assert_memory_equal(out.data, CLEAR, out.len);
	(void)w;
	buf_free(&out);
}

static void
test_good(void **state)
{
	struct world	*w = *state;
	char		 low[41];

	assert_accepted(w, w->a, w->k.feed, &w->good);
	fpr_lower(w->k.feed, low);
	assert_accepted(w, w->a, low, &w->good);
}

/* Several hidden recipients: each one decrypts (gpg 2.2 may exit 2). */
static void
test_good_two_recipients(void **state)
{
	struct world	*w = *state;
	struct pgp	*b;
	struct buf	 msg = BUF_INIT;
	char		 why[512];

	assert_int_equal(pgp_encrypt_sign(w->feed, (const char *[]){ w->k.b,
	    w->k.a }, 2, CLEAR, sizeof(CLEAR) - 1, &msg, why, sizeof(why)), 0);
	assert_accepted(w, w->a, w->k.feed, &msg);
	b = pgp_new(w->k.b_home, NULL, PGP_NO_SIGNER, why, sizeof(why));
	assert_non_null(b);
	assert_accepted(w, b, w->k.feed, &msg);
	pgp_free(b);
	buf_free(&msg);
}

/* A binary (not armoured) message is accepted too. */
static void
test_good_binary(void **state)
{
	struct world	*w = *state;
	struct buf	 msg = BUF_INIT;

	gpg_make(w, &msg, "-u %s -r %s --sign --encrypt", w->k.feed, w->k.a);
	assert_true(msg.len > 0 && (unsigned char)msg.data[0] != '-');
	assert_accepted(w, w->a, w->k.feed, &msg);
	buf_free(&msg);
}

static void
test_unsigned(void **state)
{
	struct world	*w = *state;
	struct buf	 msg = BUF_INIT;

	gpg_make(w, &msg, "--armor -r %s --encrypt", w->k.a);
	assert_refused(w, w->k.feed, msg.data, msg.len, "not signed");
	buf_free(&msg);
}

static void
test_signed_not_encrypted(void **state)
{
	struct world	*w = *state;
	struct buf	 msg = BUF_INIT;

	gpg_make(w, &msg, "--armor -u %s --sign", w->k.feed);
	assert_refused(w, w->k.feed, msg.data, msg.len, "");
	gpg_make(w, &msg, "-u %s --clearsign", w->k.feed);
	assert_refused(w, w->k.feed, msg.data, msg.len, "");
	buf_free(&msg);
}

/* Encrypted with a passphrase only: no passphrase is ever given. */
static void
test_symmetric(void **state)
{
	struct world	*w = *state;
	struct buf	 msg = BUF_INIT;

	gpg_make(w, &msg, "--armor --passphrase secret -u %s --sign "
	    "--symmetric", w->k.feed);
	assert_refused(w, w->k.feed, msg.data, msg.len, "decrypt: ");
	buf_free(&msg);
}

/* Encrypted to B only: A cannot read it. */
static void
test_not_for_us(void **state)
{
	struct world	*w = *state;
	struct buf	 msg = BUF_INIT;
	char		 why[512];

	assert_int_equal(pgp_encrypt_sign(w->feed, (const char *[]){ w->k.b },
	    1, CLEAR, sizeof(CLEAR) - 1, &msg, why, sizeof(why)), 0);
	assert_refused(w, w->k.feed, msg.data, msg.len, "decrypt: ");
	buf_free(&msg);
}

/* Signed by a key A knows, and by one it does not: neither is the feed. */
static void
test_signed_by_another_key(void **state)
{
	struct world	*w = *state;
	struct buf	 msg = BUF_INIT;

	signed_by(w, w->other, &msg);
	assert_refused(w, w->k.feed, msg.data, msg.len, "not by signer");
	/* The same file is good for whoever pins that key. */
	assert_accepted(w, w->a, w->other, &msg);
	signed_by(w, w->k.signonly, &msg);
	assert_refused(w, w->k.feed, msg.data, msg.len, "signature by ");
	buf_free(&msg);
}

/* Signed by the feed and by another key: one signature too many. */
static void
test_two_signatures(void **state)
{
	struct world	*w = *state;
	struct buf	 msg = BUF_INIT;

	gpg_make(w, &msg, "--armor -u %s -u %s -r %s --sign --encrypt",
	    w->k.feed, w->other, w->k.a);
	assert_refused(w, w->k.feed, msg.data, msg.len,
	    "more than one signature");
	assert_refused(w, w->other, msg.data, msg.len,
	    "more than one signature");
	buf_free(&msg);
}

static void
test_garbage(void **state)
{
	struct world	*w = *state;
	unsigned char	 junk[512];
	size_t		 i;

	assert_refused(w, w->k.feed, "", 0, "empty input");
	assert_refused(w, w->k.feed, NULL, 0, "empty input");
	assert_refused(w, w->k.feed, CLEAR, sizeof(CLEAR) - 1, "decrypt: ");
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 151 + 7);
	assert_refused(w, w->k.feed, junk, sizeof(junk), "decrypt: ");
	assert_refused(w, w->k.feed, ARMOURED_JUNK, sizeof(ARMOURED_JUNK) - 1,
	    "decrypt: ");
}

/*
 * Cut anywhere in the data: refused, never part of the list.  Without
 * only its armour's last line the message still holds all its signed,
 * integrity-protected data, and gpg reads it whole.
 */
static void
test_truncated(void **state)
{
	struct world	*w = *state;
	struct buf	 msg = BUF_INIT, whole = BUF_INIT;
	const char	*end, *sum;
	size_t		 cut;

	end = strstr(w->good.data, "-----END");
	sum = strstr(w->good.data, "\n=");
	assert_true(end != NULL && sum != NULL && sum < end);
	buf_add(&whole, w->good.data, (size_t)(end - w->good.data));
	assert_accepted(w, w->a, w->k.feed, &whole);
	/* Base64 padding carries no data: cuts start before it. */
	while (sum > w->good.data && sum[-1] == '=')
		sum--;
	for (cut = 1; cut < 300 && cut < (size_t)(sum - w->good.data);
	    cut += 13)
		assert_refused(w, w->k.feed, w->good.data,
		    (size_t)(sum - w->good.data) - cut, "");
	assert_refused(w, w->k.feed, w->good.data, w->good.len / 2, "");
	buf_free(&whole);
	gpg_make(w, &msg, "-u %s -r %s --sign --encrypt", w->k.feed, w->k.a);
	for (cut = 1; cut < 64 && cut < msg.len; cut += 7)
		assert_refused(w, w->k.feed, msg.data, msg.len - cut, "");
	assert_refused(w, w->k.feed, msg.data, msg.len / 2, "");
	buf_free(&msg);
}

static void
test_bad_pin(void **state)
{
	struct world	*w = *state;

	assert_refused(w, "feed@x", w->good.data, w->good.len,
	    "not a full fingerprint");
	assert_refused(w, NULL, w->good.data, w->good.len,
	    "not a full fingerprint");
	assert_refused(w, UNKNOWN_FPR, w->good.data, w->good.len,
	    "no such key");
	/* A's key, a subkey fingerprint: never the signer. */
	assert_refused(w, w->k.a, w->good.data, w->good.len, "not by signer");
	assert_refused(w, w->k.a_sub, w->good.data, w->good.len, "subkey");
}

static void
test_check_signer(void **state)
{
	struct world	*w = *state;
	char		 why[512];

	assert_int_equal(pgp_check_signer(w->a, w->k.feed, why, sizeof(why)),
	    0);
	assert_int_equal(pgp_check_signer(w->a, UNKNOWN_FPR, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "no such key"));
	assert_int_equal(pgp_check_signer(w->a, w->k.a_sub, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "subkey"));
	assert_int_equal(pgp_check_signer(w->a, "", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not a full fingerprint"));
	/* A context without a signing key does not sign. */
	assert_int_equal(pgp_encrypt_sign(w->a, (const char *[]){ w->k.a }, 1,
	    "x", 1, &w->good, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "no signing key"));
}

/* Good until A imports the signer's revocation. */
static void
test_signer_revoked(void **state)
{
	struct world	*w = *state;
	struct buf	 msg = BUF_INIT;
	char		 why[512];

	signed_by(w, w->other, &msg);
	assert_accepted(w, w->a, w->other, &msg);
	assert_int_equal(run("sed 's/^:-----BEGIN/-----BEGIN/' "
	    "%s/openpgp-revocs.d/%s.rev | " GPG " --homedir %s --import "
	    ">/dev/null 2>&1", w->k.feed_home, w->other, w->k.a_home), 0);
	assert_refused(w, w->other, msg.data, msg.len, "");
	assert_int_equal(pgp_check_signer(w->a, w->other, why, sizeof(why)),
	    -1);
	assert_non_null(strstr(why, "revoked"));
	buf_free(&msg);
}

/*
 * A key disabled in the trust database right after its last change, in
 * the same tick of a coarse file clock: gpg writes it in place (same
 * inode and size) and its time stays (put back here).  The snapshot of
 * the keyrings taken when the key was listed was that new (a time ahead
 * of the clock stands for it), so it was not kept: the next use lists
 * the key again and sees it disabled.
 */
static void
test_signer_disabled_same_time(void **state)
{
	struct world	*w = *state;
	char		 why[512], fpr[41], tdb[512];
	struct stat	 before, after;

	assert_int_equal(gen_key(w->k.feed_home, "Dis <dis@x>", "ed25519",
	    "sign", "never", NULL), 0);
	assert_int_equal(key_fprs(w->k.feed_home, "dis@x", fpr, NULL), 0);
	assert_int_equal(copy_pub(w->k.feed_home, w->k.a_home, "dis@x"), 0);
	(void)snprintf(tdb, sizeof(tdb), "%s/trustdb.gpg", w->k.a_home);
	/* The key's record in the trust database, so that the disable
	 * below rewrites it in place. */
	assert_int_equal(run("printf 'disable\\nsave\\n' | " GPG " --homedir %s "
	    "--command-fd 0 --edit-key %s >/dev/null 2>&1 && "
	    "printf 'enable\\nsave\\n' | " GPG " --homedir %s "
	    "--command-fd 0 --edit-key %s >/dev/null 2>&1", w->k.a_home, fpr,
	    w->k.a_home, fpr), 0);
	/* Listed once (gpg may update the trust database as it lists a new
	 * key), then with the trust database's time ahead of the clock. */
	assert_int_equal(pgp_check_signer(w->a, fpr, why, sizeof(why)), 0);
	assert_int_equal(run("touch -d '+1 hour' %s", tdb), 0);
	assert_int_equal(stat(tdb, &before), 0);
	assert_int_equal(pgp_check_signer(w->a, fpr, why, sizeof(why)), 0);
	assert_int_equal(stat(tdb, &after), 0);
	assert_true(after.st_mtim.tv_sec == before.st_mtim.tv_sec);
	assert_int_equal(run("printf 'disable\\nsave\\n' | " GPG " --homedir %s "
	    "--command-fd 0 --edit-key %s >/dev/null 2>&1", w->k.a_home, fpr),
	    0);
	assert_int_equal(run("touch -d @%lld.%09ld %s",
	    (long long)before.st_mtim.tv_sec, before.st_mtim.tv_nsec, tdb), 0);
	assert_int_equal(stat(tdb, &after), 0);
	assert_true(after.st_ino == before.st_ino &&
	    after.st_size == before.st_size &&
	    after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
	    after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
	assert_int_equal(pgp_check_signer(w->a, fpr, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "disabled"));
}

/*
 * The cleartext cap: one byte short of a good file stops it, and a
 * compressed file of zeros (signed or not) stops at the cap, whatever it
 * would expand to.  A sink that refuses stops it too.
 */
static void
test_too_big(void **state)
{
	struct world	*w = *state;
	struct buf	 msg = BUF_INIT, out = BUF_INIT;
	char		 why[512], in[128];

	assert_int_equal(pgp_decrypt_verify(w->a, w->k.feed, w->good.data,
	    w->good.len, sizeof(CLEAR) - 2, to_buf, &out, why, sizeof(why)),
	    -1);
	assert_non_null(strstr(why, "cleartext larger than"));
	assert_true(out.len <= sizeof(CLEAR) - 2);
	buf_reset(&out);
	assert_int_equal(pgp_decrypt_verify(w->a, w->k.feed, w->good.data,
	    w->good.len, MAX_CLEAR, refuse_all, NULL, why, sizeof(why)), -1);
	assert_non_null(strstr(why, strerror(ENOSPC)));
	(void)snprintf(in, sizeof(in), "%s/zeros", w->k.root);
	assert_int_equal(run("head -c 64M /dev/zero >%s", in), 0);
	assert_int_equal(run(GPG " --homedir %s --trust-model always --yes "
	    "--compress-level 9 -o %s.gpg -r %s --encrypt %s >/dev/null 2>&1",
	    w->k.feed_home, in, w->k.a, in), 0);
	(void)snprintf(in + strlen(in), sizeof(in) - strlen(in), ".gpg");
	assert_int_equal(read_file(in, &msg), 0);
	assert_true(msg.len < 1024 * 1024);
	assert_int_equal(pgp_decrypt_verify(w->a, w->k.feed, msg.data,
	    msg.len, MAX_CLEAR, to_buf, &out, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "cleartext larger than 1048576 bytes"));
	assert_true(out.len <= MAX_CLEAR);
	buf_free(&msg);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_good_two_recipients),
		cmocka_unit_test(test_good_binary),
		cmocka_unit_test(test_unsigned),
		cmocka_unit_test(test_signed_not_encrypted),
		cmocka_unit_test(test_symmetric),
		cmocka_unit_test(test_not_for_us),
		cmocka_unit_test(test_signed_by_another_key),
		cmocka_unit_test(test_two_signatures),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_pin),
		cmocka_unit_test(test_check_signer),
		cmocka_unit_test(test_signer_revoked),
		cmocka_unit_test(test_signer_disabled_same_time),
		cmocka_unit_test(test_too_big),
	};

	return cmocka_run_group_tests_name("pgp_verify", tests, group_setup,
	    group_teardown);
}
