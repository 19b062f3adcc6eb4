/*
 * fuzz_cryptmsg: the messages between listfeed-gen and its encryption
 * helper through cm_decode() (gen/cryptmsg.c).
 *
 * Invariants, against an oracle written here from cryptmsg.h alone:
 *  - cm_decode() accepts exactly the inputs the oracle accepts: fields
 *    (tag, 4-byte little-endian length, value) covering the input, the
 *    first the kind, then the kind's fields in its order (a tiny pattern
 *    per kind), strings ending with their only NUL and at most
 *    CM_STR_MAX bytes, contexts of 4 bytes, expiry times of 8 bytes at
 *    most INT64_MAX, at most CM_FPRS_MAX FPRs and CM_DATA_MAX DATA;
 *  - what it accepts, cm_encode() writes back byte for byte, and the
 *    decoded values point inside the input.
 */
#include "fuzz.h"
#include "buf.h"
#include "cryptmsg.h"

/*
 * Per kind, its fields as letters: k kind, c ctx, h home, s signer,
 * f fpr, d data, w why, e expires; "?" after a letter: optional, "*":
 * any number.
 */
static const char *const pattern[] = {
	[CM_NEW] = "h?s?", [CM_OPEN] = "h?s?", [CM_CHECK] = "cf",
	[CM_ENCRYPT] = "cf*dd*", [CM_FLUSH] = "c", [CM_FREE] = "c",
	[CM_OPENED] = "c", [CM_DONE] = "", [CM_ENCRYPTED] = "dd*",
	[CM_FAILED] = "w", [CM_EXPIRY] = "c", [CM_EXPIRES] = "e",
};

static char
letter(int tag)
{
	const char	*l = "?kchsfdwe";

	return tag >= 1 && tag <= 8 ? l[tag] : '?';
}

/* Does the string t match pattern p? */
static int
match(const char *p, const char *t)
{
	if (*p == '\0')
		return *t == '\0';
	if (p[1] == '*')
		return match(p + 2, t) || (*t == *p && match(p, t + 1));
	if (p[1] == '?')
		return match(p + 2, t) || (*t == *p && match(p + 2, t + 1));
	return *t == *p && match(p + 1, t + 1);
}

static uint32_t
le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
}

/* The oracle: 1 if data is a well-formed message. */
static int
oracle(const uint8_t *data, size_t len)
{
	static char	 seq[CM_FPRS_MAX + 8];
	size_t		 at = 0, n = 0, vlen, nf = 0, nd = 0;
	const uint8_t	*v;
	int		 kind = -1;
	char		 c;

	while (at < len) {
		if (len - at < 5 || (vlen = le32(data + at + 1)) >
		    len - at - 5 || n + 1 >= sizeof(seq))
			return 0;
		c = letter(data[at]);
		v = data + at + 5;
		if (c == '?' || (c == 'k' && (n > 0 || vlen != 1)) ||
		    (c != 'k' && n == 0) || (c == 'c' && vlen != 4) ||
		    (c == 'e' && (vlen != 8 || (v[7] & 0x80) != 0)))
			return 0;
		if (strchr("hsfw", c) != NULL && (vlen == 0 ||
		    vlen > CM_STR_MAX || memchr(v, 0, vlen) != v + vlen - 1))
			return 0;
		if (c == 'k')
			kind = v[0];
		if ((c == 'f' && ++nf > CM_FPRS_MAX) ||
		    (c == 'd' && ++nd > CM_DATA_MAX))
			return 0;
		if (c != 'k')
			seq[n - 1] = c;
		n++;
		at += 5 + vlen;
	}
	if (kind < CM_NEW || kind >= CM_KIND_END)
		return 0;
	seq[n - 1] = '\0';
	return match(pattern[kind], seq);
}

static int
inside(const void *p, const uint8_t *data, size_t len)
{
	return p == NULL || ((const uint8_t *)p >= data &&
	    (const uint8_t *)p <= data + len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct cm_msg	 m;
	struct buf	 out = BUF_INIT;
	char		 why[256];
	size_t		 i;
	int		 ok, want = oracle(data, len);

	ok = cm_decode(data, len, &m, why, sizeof(why)) == 0;
	FUZZ_ASSERT(ok == want, "cm_decode %s, the oracle %s (%s)",
	    ok ? "accepts" : "refuses", want ? "accepts" : "refuses",
	    ok ? "" : why);
	if (!ok)
		return 0;
	FUZZ_ASSERT(inside(m.home, data, len) && inside(m.signer, data, len) &&
	    inside(m.why, data, len), "a value outside the input");
	for (i = 0; i < m.ndata; i++)
		FUZZ_ASSERT(inside(m.data[i].data, data, len), "data %zu "
		    "outside", i);
	for (i = 0; i < m.nfprs; i++)
		FUZZ_ASSERT(inside(m.fprs[i], data, len), "fpr %zu outside", i);
	FUZZ_ASSERT(cm_encode(&m, &out) == 0, "cannot encode what it decoded");
	FUZZ_ASSERT(out.len == len && memcmp(out.data, data, len) == 0,
	    "encoded back differently (%zu bytes for %zu)", out.len, len);
	cm_free(&m);
	buf_free(&out);
	return 0;
}
