/* cryptmsg: see cryptmsg.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cryptmsg.h"

#define FIELD_HEAD	5	/* tag and length */

/* A field of a kind's layout; tag 0 ends the layout. */
struct slot {
	uint8_t		 tag;
	uint8_t		 optional;
	uint8_t		 many;
};

/* The one table of which fields each kind has, in order. */
static const struct slot layout[CM_KIND_END][4] = {
	[CM_NEW] =	{ { CM_T_HOME, 1, 0 }, { CM_T_SIGNER, 1, 0 } },
	[CM_OPEN] =	{ { CM_T_HOME, 1, 0 }, { CM_T_SIGNER, 1, 0 } },
	[CM_CHECK] =	{ { CM_T_CTX, 0, 0 }, { CM_T_FPR, 0, 0 } },
	[CM_ENCRYPT] =	{ { CM_T_CTX, 0, 0 }, { CM_T_FPR, 1, 1 },
			  { CM_T_DATA, 0, 1 } },
	[CM_FLUSH] =	{ { CM_T_CTX, 0, 0 } },
	[CM_FREE] =	{ { CM_T_CTX, 0, 0 } },
	[CM_OPENED] =	{ { CM_T_CTX, 0, 0 } },
	[CM_DONE] =	{ { 0, 0, 0 } },
	[CM_ENCRYPTED] = { { CM_T_DATA, 0, 1 } },
	[CM_FAILED] =	{ { CM_T_WHY, 0, 0 } },
	[CM_EXPIRY] =	{ { CM_T_CTX, 0, 0 } },
	[CM_EXPIRES] =	{ { CM_T_EXPIRES, 0, 0 } },
};

static const char *const kind_names[CM_KIND_END] = {
	[CM_NEW] = "new", [CM_OPEN] = "open", [CM_CHECK] = "check",
	[CM_ENCRYPT] = "encrypt", [CM_FLUSH] = "flush", [CM_FREE] = "free",
	[CM_OPENED] = "opened", [CM_DONE] = "done",
	[CM_ENCRYPTED] = "encrypted", [CM_FAILED] = "failed",
	[CM_EXPIRY] = "expiry", [CM_EXPIRES] = "expires",
};

const char *
cm_kind_name(enum cm_kind k)
{
	return k > 0 && k < CM_KIND_END ? kind_names[k] : "unknown";
}

static int
valid_kind(uint32_t k)
{
	return k >= CM_NEW && k < CM_KIND_END;
}

/* ------------------------------------------------------------ encode */

static int
put_field(struct buf *out, uint8_t tag, const void *v, size_t n)
{
	unsigned char	 h[FIELD_HEAD];

	if (n > UINT32_MAX)
		return -1;
	h[0] = tag;
	h[1] = (unsigned char)(n & 0xff);
	h[2] = (unsigned char)((n >> 8) & 0xff);
	h[3] = (unsigned char)((n >> 16) & 0xff);
	h[4] = (unsigned char)((n >> 24) & 0xff);
	if (buf_add(out, h, sizeof(h)) == -1)
		return -1;
	return n > 0 ? buf_add(out, v, n) : 0;
}

static int
put_str(struct buf *out, uint8_t tag, const char *s)
{
	size_t	 n;

	if (s == NULL)
		s = "";
	if ((n = strlen(s) + 1) > CM_STR_MAX)
		return -1;
	return put_field(out, tag, s, n);
}

static int
put_u32(struct buf *out, uint8_t tag, uint32_t v)
{
	unsigned char	 b[4];

	b[0] = (unsigned char)(v & 0xff);
	b[1] = (unsigned char)((v >> 8) & 0xff);
	b[2] = (unsigned char)((v >> 16) & 0xff);
	b[3] = (unsigned char)((v >> 24) & 0xff);
	return put_field(out, tag, b, sizeof(b));
}

static int
put_u64(struct buf *out, uint8_t tag, long long v)
{
	unsigned char	 b[8];
	uint64_t	 u = (uint64_t)v;
	size_t		 i;

	if (v < 0)
		return -1;
	for (i = 0; i < sizeof(b); i++)
		b[i] = (unsigned char)((u >> (8 * i)) & 0xff);
	return put_field(out, tag, b, sizeof(b));
}

/* The fields of one slot of m's layout. */
static int
put_slot(const struct cm_msg *m, const struct slot *s, struct buf *out)
{
	size_t	 i;

	switch (s->tag) {
	case CM_T_CTX:
		return put_u32(out, s->tag, m->ctx);
	case CM_T_EXPIRES:
		return put_u64(out, s->tag, m->expires);
	case CM_T_HOME:
		return m->home == NULL ? 0 : put_str(out, s->tag, m->home);
	case CM_T_SIGNER:
		return m->signer == NULL ? 0 : put_str(out, s->tag, m->signer);
	case CM_T_WHY:
		return put_str(out, s->tag, m->why);
	case CM_T_DATA:
		if (m->ndata == 0 || m->ndata > CM_DATA_MAX)
			return -1;
		for (i = 0; i < m->ndata; i++)
			if ((m->data[i].data == NULL && m->data[i].len > 0) ||
			    put_field(out, s->tag, m->data[i].data,
			    m->data[i].len) == -1)
				return -1;
		return 0;
	case CM_T_FPR:
		if (m->nfprs > (s->many ? CM_FPRS_MAX : 1) ||
		    (!s->optional && m->nfprs == 0))
			return -1;
		for (i = 0; i < m->nfprs; i++)
			if (put_str(out, s->tag, m->fprs[i]) == -1)
				return -1;
		return 0;
	default:
		return -1;
	}
}

int
cm_encode(const struct cm_msg *m, struct buf *out)
{
	const struct slot	*s;
	unsigned char		 k;

	if (!valid_kind(m->kind))
		return -1;
	k = (unsigned char)m->kind;
	if (put_field(out, CM_T_KIND, &k, 1) == -1)
		return -1;
	for (s = layout[m->kind]; s < layout[m->kind] + 4 && s->tag != 0; s++)
		if (put_slot(m, s, out) == -1)
			return -1;
	return buf_failed(out) ? -1 : 0;
}

/* ------------------------------------------------------------ decode */

struct reader {
	const unsigned char	*p;
	size_t			 len, off;
};

static uint32_t
get_u32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
}

/* An EXPIRES value: 8 bytes, at most INT64_MAX.  0, or -1. */
static int
get_u64(const unsigned char *b, size_t n, long long *v)
{
	uint64_t	 u = 0;
	size_t		 i;

	if (n != 8)
		return -1;
	for (i = 0; i < n; i++)
		u |= (uint64_t)b[i] << (8 * i);
	if (u > INT64_MAX)
		return -1;
	*v = (long long)u;
	return 0;
}

/* The tag of the next field, or 0 at the end. */
static int
next_tag(const struct reader *r)
{
	return r->off < r->len ? r->p[r->off] : 0;
}

/* Takes the next field.  0, or -1 if it runs past the end. */
static int
take(struct reader *r, const unsigned char **v, size_t *n)
{
	uint32_t	 len;

	if (r->len - r->off < FIELD_HEAD)
		return -1;
	len = get_u32(r->p + r->off + 1);
	if (len > r->len - r->off - FIELD_HEAD)
		return -1;
	*v = r->p + r->off + FIELD_HEAD;
	*n = len;
	r->off += FIELD_HEAD + (size_t)len;
	return 0;
}

/* A string value: ended by its only NUL. */
static const char *
as_str(const unsigned char *v, size_t n)
{
	if (n == 0 || n > CM_STR_MAX || memchr(v, '\0', n) != v + n - 1)
		return NULL;
	return (const char *)v;
}

static int
add_fpr(struct cm_msg *m, const char *s)
{
	const char	**v;
	size_t		  cap;

	if (m->nfprs >= CM_FPRS_MAX)
		return -1;
	/* Room for powers of two: grow at 0, 1, 2, 4, 8... */
	if ((m->nfprs & (m->nfprs - 1)) == 0) {
		cap = m->nfprs == 0 ? 1 : m->nfprs * 2;
		/* An array of pointers. */
		if ((v = reallocarray(m->own, cap,
		    sizeof(*v))) == NULL)	/* NOLINT(bugprone-sizeof-expression) */
			return -1;
		m->own = v;
		m->fprs = v;
	}
	m->own[m->nfprs++] = s;
	return 0;
}

static int
add_data(struct cm_msg *m, const void *v, size_t n)
{
	if (m->ndata >= CM_DATA_MAX)
		return -1;
	if (m->owndata == NULL && (m->owndata = calloc(CM_DATA_MAX,
	    sizeof(*m->owndata))) == NULL)
		return -1;
	m->owndata[m->ndata].data = v;
	m->owndata[m->ndata].len = n;
	m->ndata++;
	m->data = m->owndata;
	return 0;
}

/* Stores one field of tag into m.  0, or -1 if its value is malformed. */
static int
store(struct cm_msg *m, int tag, const unsigned char *v, size_t n)
{
	const char	*s = NULL;

	if (tag != CM_T_CTX && tag != CM_T_DATA && tag != CM_T_EXPIRES &&
	    (s = as_str(v, n)) == NULL)
		return -1;
	switch (tag) {
	case CM_T_EXPIRES:
		return get_u64(v, n, &m->expires);
	case CM_T_CTX:
		if (n != 4)
			return -1;
		m->ctx = get_u32(v);
		return 0;
	case CM_T_DATA:
		return add_data(m, v, n);
	case CM_T_HOME:
		m->home = s;
		return 0;
	case CM_T_SIGNER:
		m->signer = s;
		return 0;
	case CM_T_WHY:
		m->why = s;
		return 0;
	case CM_T_FPR:
		return add_fpr(m, s);
	default:
		return -1;
	}
}

/* The fields of one slot.  0, or -1 with why. */
static int
take_slot(struct reader *r, const struct slot *s, struct cm_msg *m,
    char *why, size_t whysz)
{
	const unsigned char	*v;
	size_t			 n, count = 0;

	while (next_tag(r) == s->tag && (s->many || count == 0)) {
		if (take(r, &v, &n) == -1) {
			(void)snprintf(why, whysz, "field %u runs past the end",
			    s->tag);
			return -1;
		}
		if (store(m, s->tag, v, n) == -1) {
			(void)snprintf(why, whysz, "field %u: bad value",
			    s->tag);
			return -1;
		}
		count++;
	}
	if (count == 0 && !s->optional) {
		(void)snprintf(why, whysz, "%s: field %u missing",
		    cm_kind_name(m->kind), s->tag);
		return -1;
	}
	return 0;
}

int
cm_decode(const void *p, size_t len, struct cm_msg *m, char *why,
    size_t whysz)
{
	struct reader		 r = { p, len, 0 };
	const struct slot	*s;
	const unsigned char	*v;
	size_t			 n;

	memset(m, 0, sizeof(*m));
	if (next_tag(&r) != CM_T_KIND || take(&r, &v, &n) == -1 || n != 1 ||
	    !valid_kind(v[0])) {
		(void)snprintf(why, whysz, "no known message kind");
		return -1;
	}
	m->kind = (enum cm_kind)v[0];
	for (s = layout[m->kind]; s < layout[m->kind] + 4 && s->tag != 0; s++)
		if (take_slot(&r, s, m, why, whysz) == -1)
			goto fail;
	if (r.off != r.len) {
		(void)snprintf(why, whysz, "%s: unexpected field %d",
		    cm_kind_name(m->kind), next_tag(&r));
		goto fail;
	}
	return 0;
fail:
	cm_free(m);
	memset(m, 0, sizeof(*m));
	return -1;
}

void
cm_free(struct cm_msg *m)
{
	free(m->own);
	m->own = NULL;
	m->fprs = NULL;
	m->nfprs = 0;
	free(m->owndata);
	m->owndata = NULL;
	m->data = NULL;
	m->ndata = 0;
}
