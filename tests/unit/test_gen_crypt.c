/*
 * Unit test of gen/crypt.c (and through it pgp/'s encryption) against a
 * real gpg: throwaway keys in a temporary GNUPGHOME (gpgkeys.h),
 * decryption and signature check with the gpg command line.  Every test
 * runs with the contexts in this process, then again through the helper
 * process (crypthelper.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "crypt.h"
#include "gpgkeys.h"
#include "helper.h"

/* The context the tests use, in this process or in the helper. */
static struct crypt	*cr;

static int
group_setup(void **state)
{
	struct keys	*k;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return -1;
	*state = k;
	if (keys_make(k) == -1 || crypt_global_init(k->feed_home) == -1)
		return -1;
	return (cr = crypt_new(k->feed_home, k->feed)) == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	struct keys	*k = *state;

	crypt_free(cr);
	cr = NULL;
	if (k == NULL)
		return 0;
	keys_remove(k);
	free(k);
	return 0;
}

/*
 * Decrypts ct with the secret keys of home and checks the plaintext,
 * a good signature by the feed key and hidden recipient key ids.
 */
static void
assert_decrypts(const struct keys *k, const char *home, const struct buf *ct,
    const void *pt, size_t ptlen)
{
	char		ctp[128], ptp[128], stp[128];
	struct buf	got = BUF_INIT, st = BUF_INIT;
	int		rc;

	(void)snprintf(ctp, sizeof(ctp), "%s/ct.asc", k->root);
	(void)snprintf(ptp, sizeof(ptp), "%s/pt", k->root);
	(void)snprintf(stp, sizeof(stp), "%s/status", k->root);
	assert_int_equal(write_file(ctp, ct->data, ct->len), 0);
	/*
	 * With hidden key ids gpg tries its secret key on every session key
	 * packet; one that is not its own logs "Checksum error" and makes
	 * the exit status 2 even though decryption succeeds.  Accept 2 and
	 * judge by the status lines.
	 */
	rc = run(GPG " --homedir %s --yes --try-all-secrets --status-file %s "
	    "-o %s --decrypt %s 2>/dev/null", home, stp, ptp, ctp);
	assert_true(rc == 0 || rc == 2);
	assert_int_equal(read_file(ptp, &got), 0);
	assert_int_equal(read_file(stp, &st), 0);
	assert_null(strstr(buf_str(&st), "DECRYPTION_FAILED"));
	assert_null(strstr(buf_str(&st), "BADSIG"));
	assert_null(strstr(buf_str(&st), "ERRSIG"));
	assert_int_equal(got.len, ptlen);
	if (ptlen > 0)
		assert_memory_equal(got.data, pt, ptlen);
	assert_non_null(strstr(buf_str(&st), "[GNUPG:] DECRYPTION_OKAY"));
	assert_non_null(strstr(buf_str(&st), "[GNUPG:] GOODSIG "));
	assert_non_null(strstr(buf_str(&st), "[GNUPG:] VALIDSIG "));
	assert_non_null(strstr(buf_str(&st), k->feed));
	/* GPGME_ENCRYPT_THROW_KEYIDS: the key ids are zero. */
	assert_non_null(strstr(buf_str(&st), "ENC_TO 0000000000000000"));
	buf_free(&got);
	buf_free(&st);
}

static void
test_encrypt_decrypt(void **state)
{
	struct keys	*k = *state;
	const char	*r[] = { k->a, k->b };
	const char	 pt[] = "alice@example.org\tAlice\nbob@example.org\tBob\n";
	char		 why[256];
	struct buf	 out = BUF_INIT;

	assert_int_equal(crypt_encrypt_sign(cr, r, 2, pt, sizeof(pt) - 1,
	    &out, why, sizeof(why)), 0);
	assert_true(strncmp(buf_str(&out), "-----BEGIN PGP MESSAGE-----\n",
	    28) == 0);
	assert_non_null(strstr(buf_str(&out), "-----END PGP MESSAGE-----"));
	assert_decrypts(k, k->a_home, &out, pt, sizeof(pt) - 1);
	assert_decrypts(k, k->b_home, &out, pt, sizeof(pt) - 1);
	buf_free(&out);
}

/*
 * A batch: every input encrypted on its own, each output appended to its
 * buffer in the order of the inputs (different sizes, an empty one).
 */
static void
test_many(void **state)
{
	struct keys		*k = *state;
	const char		*r[] = { k->a, k->b };
	const char		*pt[] = { "whole\nlist\n", "mail\n", "",
	    "digest\n", "fifth\n" };
	struct pgp_bytes	 in[5];
	struct buf		 out[5];
	char			 why[256];
	size_t			 i;

	memset(out, 0, sizeof(out));
	for (i = 0; i < 5; i++) {
		in[i].data = pt[i];
		in[i].len = strlen(pt[i]);
	}
	buf_add(&out[1], "head", 4);
	assert_true(crypt_workers() >= 1 && crypt_workers() <= PGP_WORKERS_MAX);
	assert_int_equal(crypt_encrypt_sign_many(cr, r, 2, in, 5, out, why,
	    sizeof(why)), 0);
	assert_true(strncmp(out[1].data, "head-----BEGIN PGP", 18) == 0);
	memmove(out[1].data, out[1].data + 4, out[1].len - 3);
	out[1].len -= 4;
	for (i = 0; i < 5; i++)
		assert_decrypts(k, i % 2 ? k->b_home : k->a_home, &out[i],
		    pt[i], in[i].len);
	/* All or nothing: one bad input and no output grows. */
	for (i = 0; i < 5; i++)
		buf_reset(&out[i]);
	in[3].data = NULL;
	assert_int_equal(crypt_encrypt_sign_many(cr, r, 2, in, 5, out, why,
	    sizeof(why)), -1);
	assert_string_equal(why, "no input");
	for (i = 0; i < 5; i++) {
		assert_int_equal(out[i].len, 0);
		buf_free(&out[i]);
	}
}

static void
test_appends(void **state)
{
	struct keys	*k = *state;
	const char	*r[] = { k->a };
	char		 why[256];
	struct buf	 out = BUF_INIT;

	buf_add(&out, "head", 4);
	assert_int_equal(crypt_encrypt_sign(cr, r, 1, "x", 1, &out, why,
	    sizeof(why)), 0);
	assert_true(strncmp(buf_str(&out), "head-----BEGIN PGP MESSAGE", 26)
	    == 0);
	buf_free(&out);
}

static void
test_empty_input(void **state)
{
	struct keys	*k = *state;
	const char	*r[] = { k->a };
	char		 why[256];
	struct buf	 out = BUF_INIT;

	assert_int_equal(crypt_encrypt_sign(cr, r, 1, NULL, 0, &out, why,
	    sizeof(why)), 0);
	assert_non_null(strstr(buf_str(&out), "-----BEGIN PGP MESSAGE-----"));
	assert_decrypts(k, k->a_home, &out, "", 0);
	buf_free(&out);
}

static void
test_lower_case_and_duplicates(void **state)
{
	struct keys	*k = *state;
	char		 low[41], why[256];
	const char	*r[] = { low, k->a };
	struct buf	 out = BUF_INIT;

	fpr_lower(k->a, low);
	assert_int_equal(crypt_check_recipient(cr, low, why, sizeof(why)),
	    0);
	assert_int_equal(crypt_encrypt_sign(cr, r, 2, "x\n", 2, &out, why,
	    sizeof(why)), 0);
	assert_decrypts(k, k->a_home, &out, "x\n", 2);
	buf_free(&out);
}

/* Checks a refused recipient: -1, why names fpr and contains reason. */
static void
assert_refused(struct keys *k, const char *fpr, const char *reason)
{
	const char	*r[] = { k->a, fpr };
	char		 why[256];
	struct buf	 out = BUF_INIT;

	why[0] = '\0';
	assert_int_equal(crypt_check_recipient(cr, fpr, why, sizeof(why)),
	    -1);
	assert_non_null(strstr(why, fpr));
	assert_non_null(strstr(why, reason));
	assert_true(strncmp(why, "recipient ", 10) == 0);
	/* The whole operation fails, with no output. */
	why[0] = '\0';
	assert_int_equal(crypt_encrypt_sign(cr, r, 2, "x", 1, &out, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, fpr));
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

/* Encrypting to a and fpr fails as a whole, naming a malformed key. */
static void
assert_whole_list_refused(struct keys *k, const char *fpr)
{
	const char	*r[] = { k->a, fpr };
	char		 why[256] = "";
	struct buf	 out = BUF_INIT;

	assert_int_equal(crypt_encrypt_sign(cr, r, 2, "x", 1, &out, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "not a full fingerprint"));
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

static void
test_unknown(void **state)
{
	assert_refused(*state, UNKNOWN_FPR, "no such key");
}

static void
test_subkey_fpr(void **state)
{
	struct keys	*k = *state;

	assert_refused(k, k->a_sub, "subkey");
}

static void
test_short_id(void **state)
{
	struct keys	*k = *state;

	assert_refused(k, k->a + 24, "not a full fingerprint");
	assert_refused(k, "", "not a full fingerprint");
}

static void
test_malformed(void **state)
{
	struct keys	*k = *state;
	char		 s[64];

	(void)snprintf(s, sizeof(s), "%sA", k->a);	/* 41 digits */
	assert_refused(k, s, "not a full fingerprint");
	(void)snprintf(s, sizeof(s), "0x%.38s", k->a);
	assert_refused(k, s, "not a full fingerprint");
	assert_refused(k, "a@x", "not a full fingerprint");
	/* Refused, not skipped, also on the way to the helper. */
	(void)snprintf(s, sizeof(s), "%s\n", k->b);
	assert_whole_list_refused(k, s);
	assert_whole_list_refused(k, "");
}

static void
test_expired(void **state)
{
	struct keys	*k = *state;

	assert_refused(k, k->expired, "expired");
}

static void
test_sign_only(void **state)
{
	struct keys	*k = *state;

	assert_refused(k, k->signonly, "no usable encryption subkey");
}

/* A revocation imported while running is seen after crypt_flush(). */
static void
test_revoked(void **state)
{
	struct keys	*k = *state;
	char		 why[256];

	assert_int_equal(crypt_check_recipient(cr, k->revoked, why,
	    sizeof(why)), 0);
	assert_int_equal(run("sed 's/^:-----BEGIN/-----BEGIN/' "
	    "%s/openpgp-revocs.d/%s.rev | " GPG " --homedir %s --import "
	    ">/dev/null 2>&1", k->feed_home, k->revoked, k->feed_home), 0);
	crypt_flush(cr);
	assert_refused(k, k->revoked, "revoked");
}

static void
test_no_recipients(void **state)
{
	char		 why[256];
	struct buf	 out = BUF_INIT;

	(void)state;
	assert_int_equal(crypt_encrypt_sign(cr, NULL, 0, "x", 1, &out, why,
	    sizeof(why)), -1);
	assert_int_equal(out.len, 0);
}

static void
test_bad_signer(void **state)
{
	struct keys	*k = *state;
	struct crypt	*c;

	/* Unknown, public key only, not a fingerprint, expired. */
	assert_null(crypt_new(k->feed_home, UNKNOWN_FPR));
	assert_null(crypt_new(k->feed_home, k->a));
	assert_null(crypt_new(k->feed_home, k->feed + 24));
	assert_null(crypt_new(k->feed_home, NULL));
	assert_null(crypt_new(k->feed_home, k->expired));
	/* Another thread's context works side by side. */
	c = crypt_new(k->feed_home, k->feed);
	assert_non_null(c);
	crypt_free(c);
}

/* A signing key that vanishes after start-up: an error, never unsigned. */
static void
test_sign_failure(void **state)
{
	struct keys	*k = *state;
	const char	*r[] = { k->a };
	char		 fpr[41], why[256];
	struct crypt	*c;
	struct buf	 out = BUF_INIT;

	assert_int_equal(gen_key(k->feed_home, "Tmp <tmp@x>", "ed25519",
	    "sign", "never", NULL), 0);
	assert_int_equal(key_fprs(k->feed_home, "tmp@x", fpr, NULL), 0);
	c = crypt_new(k->feed_home, fpr);
	assert_non_null(c);
	assert_int_equal(run("gpg --homedir %s --batch --yes "
	    "--delete-secret-keys %s >/dev/null 2>&1", k->feed_home, fpr), 0);
	why[0] = '\0';
	assert_int_equal(crypt_encrypt_sign(c, r, 1, "x", 1, &out, why,
	    sizeof(why)), -1);
	assert_int_equal(out.len, 0);
	assert_true(why[0] != '\0');
	print_message("# %s\n", why);
	crypt_free(c);
	/* A passphrase-protected key is refused at start-up, no prompt. */
	assert_int_equal(run("gpg --homedir %s --batch --quiet --no-tty "
	    "--pinentry-mode loopback --passphrase secret --quick-gen-key "
	    "'Pw <pw@x>' ed25519 sign never >/dev/null 2>&1", k->feed_home),
	    0);
	assert_int_equal(key_fprs(k->feed_home, "pw@x", fpr, NULL), 0);
	assert_null(crypt_new(k->feed_home, fpr));
}

/* crypt_open(): the signing key is checked with the first recipients. */
static void
test_open_lazy_signer(void **state)
{
	struct keys	*k = *state;
	const char	*r[] = { k->a };
	char		 why[256], why2[256];
	struct crypt	*c;
	struct buf	 out = BUF_INIT;

	c = crypt_open(k->feed_home, k->feed);
	assert_non_null(c);
	assert_int_equal(crypt_encrypt_sign(c, r, 1, "x\n", 2, &out, why,
	    sizeof(why)), 0);
	assert_decrypts(k, k->a_home, &out, "x\n", 2);
	crypt_free(c);
	buf_reset(&out);
	/* Public key only: the same message as crypt_new(), every time. */
	c = crypt_open(k->feed_home, k->a);
	assert_non_null(c);
	assert_int_equal(crypt_encrypt_sign(c, r, 1, "x", 1, &out, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "no such secret key"));
	assert_non_null(strstr(why, k->a));
	assert_int_equal(crypt_encrypt_sign(c, r, 1, "x", 1, &out, why2,
	    sizeof(why2)), -1);
	assert_string_equal(why, why2);
	assert_int_equal(out.len, 0);
	crypt_free(c);
	/* Malformed fingerprints are refused at once. */
	assert_null(crypt_open(k->feed_home, "feed@x"));
	buf_free(&out);
}

/*
 * The signing key's expiry comes from the listing a context makes of it
 * anyway: known after crypt_new() and after the first encryption of a
 * crypt_open(), not before; kept when the key proves expired.
 */
static void
test_sign_key_expiry(void **state)
{
	struct keys		*k = *state;
	const char		*r[] = { k->a };
	char			 why[256];
	struct crypt		*c;
	struct buf		 out = BUF_INIT;
	struct lf_keyinfo	 ki = { 0, 0 };

	crypt_sign_key(NULL, &ki);
	assert_int_equal(ki.known, 0);
	crypt_sign_key(cr, &ki);
	assert_int_equal(ki.known, 1);
	assert_true(ki.expires == 0);		/* the feed key: never */
	c = crypt_open(k->feed_home, k->expired);
	assert_non_null(c);
	ki.known = 0;
	crypt_sign_key(c, &ki);
	assert_int_equal(ki.known, 0);		/* not listed yet */
	assert_int_equal(crypt_encrypt_sign(c, r, 1, "x", 1, &out, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "expired"));
	crypt_sign_key(c, &ki);
	assert_int_equal(ki.known, 1);
	assert_true(ki.expires > 0 && ki.expires < (long long)time(NULL));
	crypt_free(c);
	buf_free(&out);
}

/* A list larger than any socket buffer crosses to the helper and back. */
static void
test_large(void **state)
{
	struct keys	*k = *state;
	const char	*r[] = { k->a };
	char		 why[256];
	struct buf	 pt = BUF_INIT, out = BUF_INIT;
	unsigned	 i;

	for (i = 0; i < 60000; i++)
		buf_printf(&pt, "member%u@example.org\tMember %u\n", i, i);
	assert_false(buf_failed(&pt));
	why[0] = '\0';
	if (crypt_encrypt_sign(cr, r, 1, pt.data, pt.len, &out, why,
	    sizeof(why)) != 0)
		fail_msg("%s", why);
	assert_decrypts(k, k->a_home, &out, pt.data, pt.len);
	buf_free(&pt);
	buf_free(&out);
}

/* The one child process of this test: the helper.  Its pid, or -1. */
static long
helper_child(void)
{
	char	 path[64];
	long	 pid = -1, extra = -1;
	FILE	*fp;
	int	 n;

	(void)snprintf(path, sizeof(path), "/proc/self/task/%ld/children",
	    (long)getpid());
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	n = fscanf(fp, "%ld %ld", &pid, &extra);
	(void)fclose(fp);
	return n == 1 ? pid : -1;
}

/* The helper killed: the operation fails, crypt_flush() brings it back. */
static void
test_helper_dies(void **state)
{
	struct keys	*k = *state;
	const char	*r[] = { k->a };
	char		 why[256];
	struct buf	 out = BUF_INIT;
	long		 pid = helper_child();

	assert_true(pid > 0);
	assert_int_equal(kill((pid_t)pid, SIGKILL), 0);
	assert_int_equal(crypt_encrypt_sign(cr, r, 1, "x", 1, &out, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "helper process ended"));
	assert_int_equal(out.len, 0);
	assert_false(helper_alive());
	crypt_flush(cr);
	assert_true(helper_alive());
	assert_true(helper_child() > 0 && helper_child() != pid);
	assert_int_equal(crypt_encrypt_sign(cr, r, 1, "y", 1, &out, why,
	    sizeof(why)), 0);
	assert_decrypts(k, k->a_home, &out, "y", 1);
	buf_free(&out);
}

/* The same tests with the contexts in the helper process. */
static int
group_setup_helper(void **state)
{
	struct keys	*k;

	if (group_setup(state) == -1)
		return -1;
	k = *state;
	crypt_free(cr);
	if (crypt_helper_start() == -1 || !helper_alive())
		return -1;
	return (cr = crypt_new(k->feed_home, k->feed)) == NULL ? -1 : 0;
}

static int
group_teardown_helper(void **state)
{
	int	rc = group_teardown(state);

	helper_stop();
	return helper_alive() ? -1 : rc;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encrypt_decrypt),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_lower_case_and_duplicates),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_subkey_fpr),
		cmocka_unit_test(test_short_id),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_sign_only),
		cmocka_unit_test(test_revoked),
		cmocka_unit_test(test_no_recipients),
		cmocka_unit_test(test_bad_signer),
		cmocka_unit_test(test_sign_failure),
		cmocka_unit_test(test_open_lazy_signer),
		cmocka_unit_test(test_sign_key_expiry),
		cmocka_unit_test(test_large),
	};
	const struct CMUnitTest helper_tests[] = {
		cmocka_unit_test(test_encrypt_decrypt),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_lower_case_and_duplicates),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_subkey_fpr),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_revoked),
		cmocka_unit_test(test_no_recipients),
		cmocka_unit_test(test_bad_signer),
		cmocka_unit_test(test_sign_failure),
		cmocka_unit_test(test_open_lazy_signer),
		cmocka_unit_test(test_sign_key_expiry),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_helper_dies),
	};
	int	rc;

	rc = cmocka_run_group_tests_name("gen_crypt", tests, group_setup,
	    group_teardown);
	return rc + cmocka_run_group_tests_name("gen_crypt_helper",
	    helper_tests, group_setup_helper, group_teardown_helper);
}
