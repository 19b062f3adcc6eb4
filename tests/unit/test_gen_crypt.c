/*
 * Unit test of gen/crypt.c against a real gpg: throwaway keys in a
 * temporary GNUPGHOME, decryption and signature check with the gpg
 * command line.
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
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "crypt.h"
#include "helper.h"

#define UNKNOWN_FPR	"0123456789ABCDEF0123456789ABCDEF01234567"
#define GPG		"gpg --batch --quiet --no-tty --pinentry-mode loopback " \
			"--passphrase ''"

struct keys {
	char	 root[64];
	char	 feed_home[96];		/* the feed's GNUPGHOME */
	char	 a_home[96];		/* recipient A's secret key */
	char	 b_home[96];		/* recipient B's secret key */
	char	 feed[41];		/* ed25519 sign-only */
	char	 a[41], a_sub[41];	/* future-default */
	char	 b[41];
	char	 expired[41];
	char	 revoked[41];
	char	 signonly[41];		/* no encryption subkey */
	struct crypt *c;
};

static int	run(const char *, ...) __attribute__((format(printf, 1, 2)));

static int
run(const char *fmt, ...)
{
	char	cmd[2048];
	va_list	ap;
	int	n, st;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Primary and (if sub != NULL) first subkey fingerprint of uid in home. */
static int
key_fprs(const char *home, const char *uid, char prim[41], char *sub)
{
	char	 cmd[512], line[512], *p;
	FILE	*fp;
	int	 n = 0;

	(void)snprintf(cmd, sizeof(cmd), "gpg --homedir %s --batch "
	    "--with-colons --list-keys '%s' 2>/dev/null", home, uid);
	if ((fp = popen(cmd, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, "fpr:::::::::", 12) != 0)
			continue;
		p = line + 12;
		if (strlen(p) < 41 || p[40] != ':')
			continue;
		if (n == 0)
			memcpy(prim, p, 40), prim[40] = '\0';
		else if (n == 1 && sub != NULL)
			memcpy(sub, p, 40), sub[40] = '\0';
		n++;
	}
	if (pclose(fp) != 0 || n == 0)
		return -1;
	return 0;
}

static int
gen_key(const char *home, const char *uid, const char *algo,
    const char *usage, const char *expire, const char *faketime)
{
	return run(GPG " --homedir %s %s%s --quick-gen-key '%s' %s %s %s "
	    ">/dev/null 2>&1", home, faketime ? "--faked-system-time " : "",
	    faketime ? faketime : "", uid, algo, usage, expire);
}

/* Copies the public key uid from one home to another. */
static int
copy_pub(const char *from, const char *to, const char *uid)
{
	return run("gpg --homedir %s --batch --export '%s' | "
	    GPG " --homedir %s --import >/dev/null 2>&1", from, uid, to);
}

static int
group_setup(void **state)
{
	struct keys	*k;
	const char	*f;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return -1;
	*state = k;
	/* Short: gpg-agent's socket path must fit in sun_path. */
	(void)snprintf(k->root, sizeof(k->root), "/tmp/lfc.XXXXXX");
	if (mkdtemp(k->root) == NULL)
		return -1;
	(void)snprintf(k->feed_home, sizeof(k->feed_home), "%s/f", k->root);
	(void)snprintf(k->a_home, sizeof(k->a_home), "%s/a", k->root);
	(void)snprintf(k->b_home, sizeof(k->b_home), "%s/b", k->root);
	if (mkdir(k->feed_home, 0700) == -1 || mkdir(k->a_home, 0700) == -1 ||
	    mkdir(k->b_home, 0700) == -1)
		return -1;
	f = k->feed_home;
	if (gen_key(f, "Feed <feed@x>", "ed25519", "sign", "never", NULL) ||
	    gen_key(k->a_home, "A <a@x>", "future-default", "default",
	    "never", NULL) ||
	    gen_key(k->b_home, "B <b@x>", "future-default", "default",
	    "never", NULL) ||
	    gen_key(f, "Old <old@x>", "future-default", "default",
	    "2021-01-01", "20200101T000000") ||
	    gen_key(f, "Rev <rev@x>", "future-default", "default", "never",
	    NULL) ||
	    gen_key(f, "So <so@x>", "ed25519", "sign", "never", NULL))
		return -1;
	if (copy_pub(k->a_home, f, "a@x") || copy_pub(k->b_home, f, "b@x") ||
	    copy_pub(f, k->a_home, "feed@x") || copy_pub(f, k->b_home, "feed@x"))
		return -1;
	if (key_fprs(f, "feed@x", k->feed, NULL) ||
	    key_fprs(f, "a@x", k->a, k->a_sub) ||
	    key_fprs(f, "b@x", k->b, NULL) ||
	    key_fprs(f, "old@x", k->expired, NULL) ||
	    key_fprs(f, "rev@x", k->revoked, NULL) ||
	    key_fprs(f, "so@x", k->signonly, NULL))
		return -1;
	if (crypt_global_init(f) == -1)
		return -1;
	if ((k->c = crypt_new(f, k->feed)) == NULL)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	struct keys	*k = *state;

	if (k == NULL)
		return 0;
	crypt_free(k->c);
	if (k->root[0] != '\0' && strncmp(k->root, "/tmp/lfc.", 9) == 0) {
		(void)run("gpgconf --homedir %s --kill all >/dev/null 2>&1",
		    k->feed_home);
		(void)run("gpgconf --homedir %s --kill all >/dev/null 2>&1",
		    k->a_home);
		(void)run("gpgconf --homedir %s --kill all >/dev/null 2>&1",
		    k->b_home);
		(void)run("rm -rf %s", k->root);
	}
	free(k);
	return 0;
}

static int
write_file(const char *path, const void *p, size_t n)
{
	FILE	*fp;
	int	 rc = 0;

	if ((fp = fopen(path, "wb")) == NULL)
		return -1;
	if (n > 0 && fwrite(p, 1, n, fp) != n)
		rc = -1;
	if (fclose(fp) != 0)
		rc = -1;
	return rc;
}

/* Reads a whole file into b.  0 or -1. */
static int
read_file(const char *path, struct buf *b)
{
	char	 tmp[4096];
	size_t	 n;
	FILE	*fp;

	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		buf_add(b, tmp, n);
	fclose(fp);
	return buf_failed(b) ? -1 : 0;
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

	assert_int_equal(crypt_encrypt_sign(k->c, r, 2, pt, sizeof(pt) - 1,
	    &out, why, sizeof(why)), 0);
	assert_true(strncmp(buf_str(&out), "-----BEGIN PGP MESSAGE-----\n",
	    28) == 0);
	assert_non_null(strstr(buf_str(&out), "-----END PGP MESSAGE-----"));
	assert_decrypts(k, k->a_home, &out, pt, sizeof(pt) - 1);
	assert_decrypts(k, k->b_home, &out, pt, sizeof(pt) - 1);
	buf_free(&out);
}

static void
test_appends(void **state)
{
	struct keys	*k = *state;
	const char	*r[] = { k->a };
	char		 why[256];
	struct buf	 out = BUF_INIT;

	buf_add(&out, "head", 4);
	assert_int_equal(crypt_encrypt_sign(k->c, r, 1, "x", 1, &out, why,
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

	assert_int_equal(crypt_encrypt_sign(k->c, r, 1, NULL, 0, &out, why,
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
	size_t		 i;

	for (i = 0; i < 41; i++)
		low[i] = (char)(k->a[i] >= 'A' && k->a[i] <= 'F' ?
		    k->a[i] - 'A' + 'a' : k->a[i]);
	assert_int_equal(crypt_check_recipient(k->c, low, why, sizeof(why)),
	    0);
	assert_int_equal(crypt_encrypt_sign(k->c, r, 2, "x\n", 2, &out, why,
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
	assert_int_equal(crypt_check_recipient(k->c, fpr, why, sizeof(why)),
	    -1);
	assert_non_null(strstr(why, fpr));
	assert_non_null(strstr(why, reason));
	assert_true(strncmp(why, "recipient ", 10) == 0);
	/* The whole operation fails, with no output. */
	why[0] = '\0';
	assert_int_equal(crypt_encrypt_sign(k->c, r, 2, "x", 1, &out, why,
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

	assert_int_equal(crypt_encrypt_sign(k->c, r, 2, "x", 1, &out, why,
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

	assert_int_equal(crypt_check_recipient(k->c, k->revoked, why,
	    sizeof(why)), 0);
	assert_int_equal(run("sed 's/^:-----BEGIN/-----BEGIN/' "
	    "%s/openpgp-revocs.d/%s.rev | " GPG " --homedir %s --import "
	    ">/dev/null 2>&1", k->feed_home, k->revoked, k->feed_home), 0);
	crypt_flush(k->c);
	assert_refused(k, k->revoked, "revoked");
}

static void
test_no_recipients(void **state)
{
	struct keys	*k = *state;
	char		 why[256];
	struct buf	 out = BUF_INIT;

	assert_int_equal(crypt_encrypt_sign(k->c, NULL, 0, "x", 1, &out, why,
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

static void
test_keys_id(void **state)
{
	struct keys	*k = *state;
	char		 low[41], i1[65], i2[65], i3[65], i4[65], i5[65];
	const char	*ab[] = { k->a, k->b };
	const char	*ba[] = { k->b, low };
	const char	*a[] = { k->a };
	const char	*aa[] = { k->a, low };
	const char	*bad[] = { k->a, "a@x" };
	size_t		 i;

	for (i = 0; i < 41; i++)
		low[i] = (char)(k->a[i] >= 'A' && k->a[i] <= 'F' ?
		    k->a[i] - 'A' + 'a' : k->a[i]);
	assert_int_equal(crypt_keys_id(k->feed, ab, 2, i1), 0);
	assert_int_equal(crypt_keys_id(k->feed, ba, 2, i2), 0);
	assert_string_equal(i1, i2);
	assert_int_equal(strlen(i1), 64);
	assert_int_equal(crypt_keys_id(k->signonly, ab, 2, i3), 0);
	assert_string_not_equal(i1, i3);
	assert_int_equal(crypt_keys_id(k->feed, a, 1, i4), 0);
	assert_string_not_equal(i1, i4);
	assert_int_equal(crypt_keys_id(k->feed, aa, 2, i5), 0);
	assert_string_equal(i4, i5);
	assert_int_equal(crypt_keys_id(k->feed, bad, 2, i5), -1);
	assert_int_equal(crypt_keys_id("feed", ab, 2, i5), -1);
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
	if (crypt_encrypt_sign(k->c, r, 1, pt.data, pt.len, &out, why,
	    sizeof(why)) != 0)
		fail_msg("%s", why);
	assert_decrypts(k, k->a_home, &out, pt.data, pt.len);
	buf_free(&pt);
	buf_free(&out);
}

/* The helper killed: the operation fails, crypt_flush() brings it back. */
static void
test_helper_dies(void **state)
{
	struct keys	*k = *state;
	const char	*r[] = { k->a };
	char		 why[256];
	struct buf	 out = BUF_INIT;
	long		 pid = helper_pid();

	assert_true(pid > 0);
	assert_int_equal(kill((pid_t)pid, SIGKILL), 0);
	assert_int_equal(crypt_encrypt_sign(k->c, r, 1, "x", 1, &out, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "helper process ended"));
	assert_int_equal(out.len, 0);
	assert_false(helper_alive());
	crypt_flush(k->c);
	assert_true(helper_alive());
	assert_true(helper_pid() != pid);
	assert_int_equal(crypt_encrypt_sign(k->c, r, 1, "y", 1, &out, why,
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
	crypt_free(k->c);
	if (crypt_helper_start() == -1 || !helper_alive())
		return -1;
	return (k->c = crypt_new(k->feed_home, k->feed)) == NULL ? -1 : 0;
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
		cmocka_unit_test(test_keys_id),
		cmocka_unit_test(test_open_lazy_signer),
		cmocka_unit_test(test_large),
	};
	const struct CMUnitTest helper_tests[] = {
		cmocka_unit_test(test_encrypt_decrypt),
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
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_helper_dies),
	};
	int	rc;

	rc = cmocka_run_group_tests_name("gen_crypt", tests, group_setup,
	    group_teardown);
	return rc + cmocka_run_group_tests_name("gen_crypt_helper",
	    helper_tests, group_setup_helper, group_teardown_helper);
}
