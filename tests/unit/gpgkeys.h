/*
 * gpgkeys: throwaway OpenPGP keys in temporary GNUPGHOMEs for the unit
 * tests that run a real gpg (test_pgp_*.c, test_gen_crypt.c), and the
 * small file and command helpers they share.  Each function is static
 * inline, for the test files that include it.
 */
#ifndef LF_TEST_GPGKEYS_H
#define LF_TEST_GPGKEYS_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "buf.h"

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
};

static inline int run(const char *, ...)
	    __attribute__((format(printf, 1, 2)));

static inline int
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
static inline int
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

static inline int
gen_key(const char *home, const char *uid, const char *algo,
    const char *usage, const char *expire, const char *faketime)
{
	return run(GPG " --homedir %s %s%s --quick-gen-key '%s' %s %s %s "
	    ">/dev/null 2>&1", home, faketime ? "--faked-system-time " : "",
	    faketime ? faketime : "", uid, algo, usage, expire);
}

/* Copies the public key uid from one home to another. */
static inline int
copy_pub(const char *from, const char *to, const char *uid)
{
	return run("gpg --homedir %s --batch --export '%s' | "
	    GPG " --homedir %s --import >/dev/null 2>&1", from, uid, to);
}

/*
 * Makes the keys: in feed_home the feed's, and expired, revoked and
 * sign-only keys with their secret parts, and A's and B's public keys;
 * A and B each in a home of their own with the feed's public key.
 * 0 or -1.
 */
static inline int
keys_make(struct keys *k)
{
	const char	*f;

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
	return 0;
}

/* Ends the homes' agents and removes the keys. */
static inline void
keys_remove(struct keys *k)
{
	if (k->root[0] == '\0' || strncmp(k->root, "/tmp/lfc.", 9) != 0)
		return;
	(void)run("gpgconf --homedir %s --kill all >/dev/null 2>&1",
	    k->feed_home);
	(void)run("gpgconf --homedir %s --kill all >/dev/null 2>&1",
	    k->a_home);
	(void)run("gpgconf --homedir %s --kill all >/dev/null 2>&1",
	    k->b_home);
	(void)run("rm -rf %s", k->root);
}

static inline int
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
static inline int
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

/* fpr with lower-case hex digits. */
static inline void
fpr_lower(const char *fpr, char low[41])
{
	size_t	 i;

	for (i = 0; i < 41; i++)
		low[i] = (char)(fpr[i] >= 'A' && fpr[i] <= 'F' ?
		    fpr[i] - 'A' + 'a' : fpr[i]);
}

#endif
