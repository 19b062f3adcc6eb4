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

/* Appends one field as cryptmsg.h describes it, independently of it. */
static void
field(struct buf *b, int tag, const void *v, size_t n)
{
	unsigned char	 h[5];

	h[0] = (unsigned char)tag;
	h[1] = (unsigned char)(n & 0xff);
	h[2] = (unsigned char)((n >> 8) & 0xff);
	h[3] = (unsigned char)((n >> 16) & 0xff);
	h[4] = (unsigned char)((n >> 24) & 0xff);
	buf_add(b, h, sizeof(h));
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

/* Each malformed message: built by fn, refused. */
static void
assert_refused(void (*fn)(struct buf *))
{
	struct buf	 b = BUF_INIT;

	fn(&b);
	assert_false(buf_failed(&b));
	assert_false(decodes(&b));
	buf_free(&b);
}

static void
no_kind(struct buf *b)
{
	str(b, CM_T_HOME, "/h");
}

static void
kind_zero(struct buf *b)
{
	kind(b, 0);
}

static void
kind_end(struct buf *b)
{
	kind(b, CM_KIND_END);
}

static void
kind_255(struct buf *b)
{
	kind(b, 255);
}

static void
kind_long(struct buf *b)
{
	field(b, CM_T_KIND, "\3\0", 2);
}

static void
kind_twice(struct buf *b)
{
	kind(b, CM_DONE);
	kind(b, CM_DONE);
}

static void
check_no_fpr(struct buf *b)
{
	kind(b, CM_CHECK);
	ctx(b, 1);
}

static void
check_no_ctx(struct buf *b)
{
	kind(b, CM_CHECK);
	str(b, CM_T_FPR, "A");
}

static void
check_two_fprs(struct buf *b)
{
	check_no_fpr(b);
	str(b, CM_T_FPR, "A");
	str(b, CM_T_FPR, "B");
}

static void
encrypt_no_data(struct buf *b)
{
	kind(b, CM_ENCRYPT);
	ctx(b, 1);
	str(b, CM_T_FPR, "A");
}

static void
encrypt_data_first(struct buf *b)
{
	kind(b, CM_ENCRYPT);
	ctx(b, 1);
	field(b, CM_T_DATA, "x", 1);
	str(b, CM_T_FPR, "A");
}

static void
encrypt_data_between(struct buf *b)
{
	kind(b, CM_ENCRYPT);
	ctx(b, 1);
	field(b, CM_T_DATA, "x", 1);
	str(b, CM_T_FPR, "A");
	field(b, CM_T_DATA, "y", 1);
}

static void
open_swapped(struct buf *b)
{
	kind(b, CM_NEW);
	str(b, CM_T_SIGNER, "S");
	str(b, CM_T_HOME, "/h");
}

static void
open_home_twice(struct buf *b)
{
	kind(b, CM_NEW);
	str(b, CM_T_HOME, "/h");
	str(b, CM_T_HOME, "/h");
}

static void
open_unknown_tag(struct buf *b)
{
	kind(b, CM_NEW);
	str(b, 99, "x");
}

static void
str_no_nul(struct buf *b)
{
	kind(b, CM_NEW);
	field(b, CM_T_HOME, "/h", 2);
}

static void
str_inner_nul(struct buf *b)
{
	kind(b, CM_NEW);
	field(b, CM_T_HOME, "/\0h", 4);
}

static void
str_empty(struct buf *b)
{
	kind(b, CM_NEW);
	field(b, CM_T_HOME, "", 0);
}

static void
ctx_short(struct buf *b)
{
	kind(b, CM_FLUSH);
	field(b, CM_T_CTX, "\1\0\0", 3);
}

static void
ctx_long(struct buf *b)
{
	kind(b, CM_FLUSH);
	field(b, CM_T_CTX, "\1\0\0\0\0", 5);
}

static void
why_missing(struct buf *b)
{
	kind(b, CM_FAILED);
}

static void
request_field_in_answer(struct buf *b)
{
	kind(b, CM_DONE);
	ctx(b, 1);
}

static void
str_too_long(struct buf *b)
{
	char	*s;

	if ((s = malloc(CM_STR_MAX + 1)) == NULL)
		return;
	memset(s, 'a', CM_STR_MAX);
	s[CM_STR_MAX] = '\0';
	kind(b, CM_NEW);
	str(b, CM_T_HOME, s);
	free(s);
}

static void
expires_short(struct buf *b)
{
	kind(b, CM_EXPIRES);
	field(b, CM_T_EXPIRES, "\0\0\0\0", 4);
}

/* Past INT64_MAX: not a time. */
static void
expires_negative(struct buf *b)
{
	kind(b, CM_EXPIRES);
	field(b, CM_T_EXPIRES, "\0\0\0\0\0\0\0\x80", 8);
}

static void
expires_missing(struct buf *b)
{
	kind(b, CM_EXPIRES);
}

/* A length far past the end (and past any size_t sum with it). */
static void
len_huge(struct buf *b)
{
	kind(b, CM_ENCRYPTED);
	buf_add(b, "\6\377\377\377\377xyz", 8);
}

static void
test_refused(void **state)
{
	void	(*bad[])(struct buf *) = {
		no_kind, kind_zero, kind_end, kind_255, kind_long, kind_twice,
		check_no_fpr, check_no_ctx, check_two_fprs, encrypt_no_data,
		encrypt_data_first, encrypt_data_between, open_swapped,
		open_home_twice, open_unknown_tag, str_no_nul, str_inner_nul,
		str_empty, str_too_long, ctx_short, ctx_long, why_missing,
		request_field_in_answer, len_huge, expires_short,
		expires_negative, expires_missing,
	};
	struct buf	 empty = BUF_INIT;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("# case %zu\n", i);
		assert_refused(bad[i]);
	}
	assert_false(decodes(&empty));
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
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_encode_refuses),
	};

	return cmocka_run_group_tests_name("gen_cryptmsg", tests, NULL, NULL);
}
