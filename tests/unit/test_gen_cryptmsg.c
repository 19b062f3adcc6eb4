/*
 * Unit test of gen/cryptmsg.c, the codec of the messages between
 * listfeed-gen and its encryption helper: the wire format pinned by
 * bytes built here by hand, round trips of every kind, and each way a
 * message can be malformed refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "cryptmsg.h"

/*
 * Appends a field's header, then one field, as cryptmsg.h describes them,
 * independently of it.
 */
static void
header(struct buf *b, int tag, uint32_t n)
{
	unsigned char	 h[5];

	h[0] = (unsigned char)tag;
	h[1] = (unsigned char)(n & 0xff);
	h[2] = (unsigned char)((n >> 8) & 0xff);
	h[3] = (unsigned char)((n >> 16) & 0xff);
	h[4] = (unsigned char)((n >> 24) & 0xff);
	buf_add(b, h, sizeof(h));
}

static void
field(struct buf *b, int tag, const void *v, size_t n)
{
	header(b, tag, (uint32_t)n);
	buf_add(b, v, n);
}

static void
kind(struct buf *b, int k)
{
	unsigned char	 c = (unsigned char)k;

	field(b, CM_T_KIND, &c, 1);
}

/* A string field: its bytes and the NUL. */
static void
str(struct buf *b, int tag, const char *s)
{
	field(b, tag, s, strlen(s) + 1);
}

static void
ctx(struct buf *b, uint32_t v)
{
	unsigned char	 c[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
	    (v >> 24) & 0xff };

	field(b, CM_T_CTX, c, 4);
}

/* 1 if a field of b ends at off. */
static int
field_end(const struct buf *b, size_t off)
{
	const unsigned char	*p = (const unsigned char *)b->data;
	size_t			 at = 0;

	while (at < off && b->len - at >= 5)
		at += 5 + ((size_t)p[at + 1] | (size_t)p[at + 2] << 8 |
		    (size_t)p[at + 3] << 16 | (size_t)p[at + 4] << 24);
	return at == off;
}

static int
decodes(const struct buf *b)
{
	struct cm_msg	 m;
	char		 why[200];

	if (cm_decode(b->data, b->len, &m, why, sizeof(why)) == -1)
		return 0;
	cm_free(&m);
	return 1;
}

/* Encodes m; checks it is exactly want, decodes to m and encodes again. */
static void
assert_wire(const struct cm_msg *m, const struct buf *want)
{
	struct buf	 got = BUF_INIT, again = BUF_INIT;
	struct cm_msg	 d, tmp;
	char		 why[200];
	size_t		 i;

	assert_int_equal(cm_encode(m, &got), 0);
	assert_int_equal(got.len, want->len);
	assert_memory_equal(got.data, want->data, got.len);
	assert_int_equal(cm_decode(got.data, got.len, &d, why, sizeof(why)),
	    0);
	assert_int_equal(d.kind, m->kind);
	assert_int_equal(cm_encode(&d, &again), 0);
	assert_int_equal(again.len, got.len);
	assert_memory_equal(again.data, got.data, got.len);
	/*
	 * Cut inside a field: refused (a cut between fields may leave a
	 * shorter message of its own, without optional fields).  One byte
	 * more: refused.
	 */
	for (i = 0; i < got.len; i++)
		if (!field_end(&got, i))
			assert_int_equal(cm_decode(got.data, i, &tmp, why,
			    sizeof(why)), -1);
	buf_addc(&got, '\0');
	assert_false(decodes(&got));
	cm_free(&d);
	buf_free(&got);
	buf_free(&again);
}

static void
test_open(void **state)
{
	struct cm_msg	 m = { .kind = CM_NEW, .home = "/h", .signer = "AB" };
	struct buf	 b = BUF_INIT;

	(void)state;
	kind(&b, CM_NEW);
	str(&b, CM_T_HOME, "/h");
	str(&b, CM_T_SIGNER, "AB");
	assert_wire(&m, &b);
	/* Both are optional: absent is NULL, not "". */
	buf_reset(&b);
	kind(&b, CM_OPEN);
	m.kind = CM_OPEN;
	m.home = NULL;
	m.signer = NULL;
	assert_wire(&m, &b);
	buf_free(&b);
}

static void
test_check_flush_free(void **state)
{
	const char	*fpr = "0123";
	struct cm_msg	 m = { .kind = CM_CHECK, .ctx = 0x01020304,
	    .fprs = &fpr, .nfprs = 1 };
	struct buf	 b = BUF_INIT;
	struct cm_msg	 d;
	char		 why[200];

	(void)state;
	kind(&b, CM_CHECK);
	ctx(&b, 0x01020304);
	str(&b, CM_T_FPR, "0123");
	assert_wire(&m, &b);
	assert_int_equal(cm_decode(b.data, b.len, &d, why, sizeof(why)), 0);
	assert_int_equal(d.ctx, 0x01020304);
	assert_int_equal(d.nfprs, 1);
	assert_string_equal(d.fprs[0], "0123");
	cm_free(&d);
	buf_reset(&b);
	kind(&b, CM_FREE);
	ctx(&b, 7);
	m.kind = CM_FREE;
	m.ctx = 7;
	assert_wire(&m, &b);
	buf_free(&b);
}

static void
test_encrypt(void **state)
{
	const char		*fprs[] = { "A", "", "B\n" };
	const struct pgp_bytes	 data[] = { { "x\0y", 3 }, { NULL, 0 },
	    { "z", 1 } };
	struct cm_msg		 m = { .kind = CM_ENCRYPT, .ctx = 3,
	    .fprs = fprs, .nfprs = 3, .data = data, .ndata = 1 };
	struct buf	 b = BUF_INIT;
	struct cm_msg	 d;
	char		 why[200];

	(void)state;
	kind(&b, CM_ENCRYPT);
	ctx(&b, 3);
	str(&b, CM_T_FPR, "A");
	str(&b, CM_T_FPR, "");
	str(&b, CM_T_FPR, "B\n");
	field(&b, CM_T_DATA, "x\0y", 3);
	assert_wire(&m, &b);
	assert_int_equal(cm_decode(b.data, b.len, &d, why, sizeof(why)), 0);
	assert_int_equal(d.nfprs, 3);
	assert_string_equal(d.fprs[2], "B\n");
	assert_int_equal(d.ndata, 1);
	assert_int_equal(d.data[0].len, 3);
	assert_memory_equal(d.data[0].data, "x\0y", 3);
	cm_free(&d);
	/* Several DATA: a batch, in order, an empty one among them. */
	field(&b, CM_T_DATA, "", 0);
	field(&b, CM_T_DATA, "z", 1);
	m.ndata = 3;
	assert_wire(&m, &b);
	assert_int_equal(cm_decode(b.data, b.len, &d, why, sizeof(why)), 0);
	assert_int_equal(d.ndata, 3);
	assert_int_equal(d.data[1].len, 0);
	assert_int_equal(d.data[2].len, 1);
	assert_memory_equal(d.data[2].data, "z", 1);
	cm_free(&d);
	/* No recipients and no data are messages too (the helper says no). */
	buf_reset(&b);
	kind(&b, CM_ENCRYPT);
	ctx(&b, 3);
	field(&b, CM_T_DATA, "", 0);
	m.nfprs = 0;
	m.data = data + 1;
	m.ndata = 1;
	assert_wire(&m, &b);
	buf_free(&b);
}

static void
test_answers(void **state)
{
	const struct pgp_bytes	 data[] = { { "-----BEGIN", 10 }, { "-", 1 } };
	struct cm_msg		 m = { .kind = CM_OPENED, .ctx = 9 };
	struct buf		 b = BUF_INIT;

	(void)state;
	kind(&b, CM_OPENED);
	ctx(&b, 9);
	assert_wire(&m, &b);
	buf_reset(&b);
	kind(&b, CM_DONE);
	m.kind = CM_DONE;
	assert_wire(&m, &b);
	buf_reset(&b);
	kind(&b, CM_ENCRYPTED);
	field(&b, CM_T_DATA, "-----BEGIN", 10);
	m.kind = CM_ENCRYPTED;
	m.data = data;
	m.ndata = 1;
	assert_wire(&m, &b);
	field(&b, CM_T_DATA, "-", 1);
	m.ndata = 2;
	assert_wire(&m, &b);
	buf_reset(&b);
	kind(&b, CM_FAILED);
	str(&b, CM_T_WHY, "recipient X: expired");
	m.kind = CM_FAILED;
	m.why = "recipient X: expired";
	assert_wire(&m, &b);
	buf_free(&b);
}

/* CM_EXPIRY CTX, answered CM_EXPIRES with 8 little-endian bytes. */
static void
test_expiry(void **state)
{
	struct cm_msg	 m = { .kind = CM_EXPIRY, .ctx = 5 };
	struct buf	 b = BUF_INIT;
	struct cm_msg	 d;
	char		 why[200];

	(void)state;
	kind(&b, CM_EXPIRY);
	ctx(&b, 5);
	assert_wire(&m, &b);
	buf_reset(&b);
	kind(&b, CM_EXPIRES);
	field(&b, CM_T_EXPIRES, "\x01\x02\x03\x04\x05\x06\x07\x7f", 8);
	m = (struct cm_msg){ .kind = CM_EXPIRES,
	    .expires = 0x7f07060504030201LL };
	assert_wire(&m, &b);
	assert_int_equal(cm_decode(b.data, b.len, &d, why, sizeof(why)), 0);
	assert_true(d.expires == 0x7f07060504030201LL);
	cm_free(&d);
	/* 0: never. */
	buf_reset(&b);
	kind(&b, CM_EXPIRES);
	field(&b, CM_T_EXPIRES, "\0\0\0\0\0\0\0\0", 8);
	m.expires = 0;
	assert_wire(&m, &b);
	buf_free(&b);
}

/*
 * The malformed messages, each next to well-formed ones it differs from
 * by one field, so that a refusal is for that field.  A case is its
 * fields, the kind first (as on the wire), and whether cm_decode()
 * accepts it.  A field is its tag, the length its header says, and its
 * value: n bytes at v (n below the length: a length past the end), or
 * without v the number num in that length, little-endian.
 */
struct mfield {
	int		 tag;		/* 0: no more fields */
	uint32_t	 len;
	const char	*v;
	size_t		 n;
	uint64_t	 num;
};

struct mcase {
	int		 line;
	int		 ok;
	struct mfield	 f[5];
};

#define NUM(t, w, x)	{ (t), (w), NULL, 0, (x) }
#define K(k)		NUM(CM_T_KIND, 1, (k))
#define C(x)		NUM(CM_T_CTX, 4, (x))
#define B(t, s, n)	{ (t), (n), (s), (n), 0 }
#define S(t, s)		B((t), (s), sizeof(s))	/* a string: with its NUL */
#define D(s)		B(CM_T_DATA, (s), sizeof(s) - 1)
#define REFUSED(...)	{ __LINE__, 0, { __VA_ARGS__ } }
#define ACCEPTED(...)	{ __LINE__, 1, { __VA_ARGS__ } }

/* CM_STR_MAX 'a' and a NUL: one byte too long; from long_str + 1, not. */
static char	 long_str[CM_STR_MAX + 1];

static const struct mcase mcases[] = {
	REFUSED(S(CM_T_HOME, "/h")),			/* no kind */
	REFUSED(K(0)),
	REFUSED(K(CM_KIND_END)),
	REFUSED(K(255)),
	ACCEPTED(K(CM_NEW)),
	REFUSED(B(CM_T_KIND, "\3\0", 2)),
	ACCEPTED(B(CM_T_KIND, "\3", 1), C(1), S(CM_T_FPR, "A")),
	REFUSED(K(CM_DONE), K(CM_DONE)),
	ACCEPTED(K(CM_DONE)),
	REFUSED(K(CM_DONE), C(1)),			/* a request's field */
	REFUSED(K(CM_CHECK), C(1)),
	REFUSED(K(CM_CHECK), S(CM_T_FPR, "A")),
	REFUSED(K(CM_CHECK), C(1), S(CM_T_FPR, "A"), S(CM_T_FPR, "B")),
	REFUSED(K(CM_CHECK), S(CM_T_FPR, "A"), C(1)),
	ACCEPTED(K(CM_CHECK), C(1), S(CM_T_FPR, "A")),
	REFUSED(K(CM_ENCRYPT), C(1), S(CM_T_FPR, "A")),
	REFUSED(K(CM_ENCRYPT), C(1), D("x"), S(CM_T_FPR, "A")),
	REFUSED(K(CM_ENCRYPT), C(1), D("x"), S(CM_T_FPR, "A"), D("y")),
	ACCEPTED(K(CM_ENCRYPT), C(1), S(CM_T_FPR, "A"), D("x"), D("y")),
	REFUSED(K(CM_NEW), S(CM_T_SIGNER, "S"), S(CM_T_HOME, "/h")),
	REFUSED(K(CM_NEW), S(CM_T_HOME, "/h"), S(CM_T_HOME, "/h")),
	REFUSED(K(CM_NEW), S(99, "x")),
	ACCEPTED(K(CM_NEW), S(CM_T_HOME, "/h"), S(CM_T_SIGNER, "S")),
	REFUSED(K(CM_NEW), B(CM_T_HOME, "/h", 2)),	/* no NUL */
	REFUSED(K(CM_NEW), B(CM_T_HOME, "/\0h", 4)),	/* a NUL inside */
	REFUSED(K(CM_NEW), B(CM_T_HOME, "", 0)),
	REFUSED(K(CM_NEW), B(CM_T_HOME, long_str, CM_STR_MAX + 1)),
	ACCEPTED(K(CM_NEW), B(CM_T_HOME, long_str + 1, CM_STR_MAX)),
	ACCEPTED(K(CM_NEW), S(CM_T_HOME, "")),
	REFUSED(K(CM_FLUSH), B(CM_T_CTX, "\1\0\0", 3)),
	REFUSED(K(CM_FLUSH), B(CM_T_CTX, "\1\0\0\0\0", 5)),
	ACCEPTED(K(CM_FLUSH), B(CM_T_CTX, "\1\0\0\0", 4)),
	REFUSED(K(CM_FAILED)),
	ACCEPTED(K(CM_FAILED), S(CM_T_WHY, "x")),
	/* A length far past the end (and past any size_t sum with it). */
	REFUSED(K(CM_ENCRYPTED), { CM_T_DATA, 0xffffffff, "xyz", 3, 0 }),
	ACCEPTED(K(CM_ENCRYPTED), D("xyz")),
	REFUSED(K(CM_EXPIRES), B(CM_T_EXPIRES, "\0\0\0\0", 4)),
	/* Past INT64_MAX: not a time. */
	REFUSED(K(CM_EXPIRES), B(CM_T_EXPIRES, "\0\0\0\0\0\0\0\x80", 8)),
	ACCEPTED(K(CM_EXPIRES), NUM(CM_T_EXPIRES, 8, INT64_MAX)),
	REFUSED(K(CM_EXPIRES)),
};

/* Appends the fields of c to b. */
static void
build(struct buf *b, const struct mcase *c)
{
	const struct mfield	*f;
	unsigned char		 v[8];
	size_t			 i, j;

	for (i = 0; i < 5 && c->f[i].tag != 0; i++) {
		f = &c->f[i];
		if (f->v != NULL) {
			header(b, f->tag, f->len);
			buf_add(b, f->v, f->n);
			continue;
		}
		for (j = 0; j < f->len && j < sizeof(v); j++)
			v[j] = (unsigned char)((f->num >> (8 * j)) & 0xff);
		field(b, f->tag, v, j);
	}
}

static void
test_malformed(void **state)
{
	struct buf	 b = BUF_INIT;
	size_t		 i;

	(void)state;
	memset(long_str, 'a', CM_STR_MAX);
	long_str[CM_STR_MAX] = '\0';
	for (i = 0; i < sizeof(mcases) / sizeof(mcases[0]); i++) {
		print_message("# case at line %d\n", mcases[i].line);
		buf_reset(&b);
		build(&b, &mcases[i]);
		assert_false(buf_failed(&b));
		assert_int_equal(decodes(&b), mcases[i].ok);
	}
	buf_reset(&b);
	assert_false(decodes(&b));			/* no bytes */
	buf_free(&b);
}

static void
test_encode_refuses(void **state)
{
	static const struct pgp_bytes	 none = { NULL, 1 };
	static struct pgp_bytes		 many[CM_DATA_MAX + 1];
	const char			*two[] = { "A", "B" };
	char				*s;
	struct buf			 b = BUF_INIT;
	struct cm_msg			 m = { .kind = CM_CHECK, .fprs = two,
	    .nfprs = 0 };

	(void)state;
	assert_int_equal(cm_encode(&m, &b), -1);	/* no fpr */
	m.nfprs = 2;
	assert_int_equal(cm_encode(&m, &b), -1);	/* two */
	m = (struct cm_msg){ .kind = CM_ENCRYPTED, .data = &none, .ndata = 1 };
	assert_int_equal(cm_encode(&m, &b), -1);	/* NULL, 1 byte */
	m.ndata = 0;
	assert_int_equal(cm_encode(&m, &b), -1);	/* no DATA */
	m.data = many;
	m.ndata = CM_DATA_MAX + 1;
	assert_int_equal(cm_encode(&m, &b), -1);	/* too many */
	m.ndata = CM_DATA_MAX;
	buf_reset(&b);
	assert_int_equal(cm_encode(&m, &b), 0);
	assert_true(decodes(&b));
	field(&b, CM_T_DATA, "", 0);
	assert_false(decodes(&b));			/* one more */
	buf_reset(&b);
	m = (struct cm_msg){ .kind = CM_KIND_END };
	assert_int_equal(cm_encode(&m, &b), -1);
	m = (struct cm_msg){ .kind = CM_EXPIRES, .expires = -1 };
	assert_int_equal(cm_encode(&m, &b), -1);
	s = malloc(CM_STR_MAX + 1);
	assert_non_null(s);
	memset(s, 'a', CM_STR_MAX);
	s[CM_STR_MAX] = '\0';
	m = (struct cm_msg){ .kind = CM_FAILED, .why = s };
	assert_int_equal(cm_encode(&m, &b), -1);
	s[CM_STR_MAX - 1] = '\0';
	buf_reset(&b);
	assert_int_equal(cm_encode(&m, &b), 0);
	assert_true(decodes(&b));
	free(s);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_check_flush_free),
		cmocka_unit_test(test_encrypt),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_encode_refuses),
	};

	return cmocka_run_group_tests_name("gen_cryptmsg", tests, NULL, NULL);
}
