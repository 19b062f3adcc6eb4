/*
 * cryptmsg: the messages between listfeed-gen and its encryption helper
 * (crypthelper.c), and their one codec.
 *
 * A message is a sequence of fields.  A field is a tag (1 byte), a length
 * (4 bytes, little-endian) and that many bytes of value.  The first field
 * is the kind (tag CM_T_KIND, 1 byte); each kind then has its own fields,
 * in this order ([X]: optional, X...: any number, FPR up to CM_FPRS_MAX,
 * DATA at least one and up to CM_DATA_MAX):
 *
 *   request            fields              answer
 *   CM_NEW, CM_OPEN    [HOME] [SIGNER]     CM_OPENED CTX
 *   CM_CHECK           CTX FPR             CM_DONE
 *   CM_ENCRYPT         CTX FPR... DATA...  CM_ENCRYPTED DATA...
 *   CM_FLUSH, CM_FREE  CTX               CM_DONE
 *   CM_EXPIRY          CTX               CM_EXPIRES EXPIRES
 *
 * and any request may be answered CM_FAILED WHY.  CM_NEW is crypt_new()
 * (the signing key checked at once), CM_OPEN crypt_open(), CM_EXPIRY
 * crypt_sign_key() (crypt.h; CM_FAILED: not known).  CM_ENCRYPT is
 * crypt_encrypt_sign_many(): its answer has one DATA per DATA asked, in
 * the same order, or is CM_FAILED for them all.
 * CTX: 4 bytes, little-endian: a context the helper made (CM_OPENED).
 * EXPIRES: 8 bytes, little-endian, at most INT64_MAX: seconds since the
 * epoch, 0 for never.
 * HOME, SIGNER, FPR, WHY: a string: its bytes and one NUL that ends the
 * value, no other NUL, at most CM_STR_MAX bytes with it.  DATA: any bytes.
 *
 * cm_decode() accepts exactly what cm_encode() makes: an unknown kind or
 * tag, a field missing, repeated or out of order, a length past the end,
 * or bytes left over are refused.
 */
#ifndef LF_CRYPTMSG_H
#define LF_CRYPTMSG_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "pgp.h"

#define CM_STR_MAX	4096
#define CM_FPRS_MAX	65536
#define CM_DATA_MAX	PGP_BATCH_MAX

enum cm_kind {
	CM_NEW = 1,
	CM_OPEN,
	CM_CHECK,
	CM_ENCRYPT,
	CM_FLUSH,
	CM_FREE,
	CM_OPENED,
	CM_DONE,
	CM_ENCRYPTED,
	CM_FAILED,
	CM_EXPIRY,
	CM_EXPIRES,
	CM_KIND_END
};

enum cm_tag {
	CM_T_KIND = 1,
	CM_T_CTX,
	CM_T_HOME,
	CM_T_SIGNER,
	CM_T_FPR,
	CM_T_DATA,
	CM_T_WHY,
	CM_T_EXPIRES
};

/*
 * One message.  The fields its kind does not have are ignored by
 * cm_encode() and zero after cm_decode().  A decoded message points into
 * the bytes it was decoded from: keep them while it is used.
 */
struct cm_msg {
	enum cm_kind	 kind;
	uint32_t	 ctx;
	const char	*home;		/* NULL: absent */
	const char	*signer;	/* NULL: absent */
	const char *const *fprs;
	size_t		 nfprs;
	const struct pgp_bytes *data;
	size_t		 ndata;
	const char	*why;
	long long	 expires;
	const char	**own;		/* cm_decode()'s fprs, for cm_free() */
	struct pgp_bytes *owndata;	/* cm_decode()'s data, for cm_free() */
};

/* Appends m to out.  0, or -1 (a value too long, or out of memory). */
int	cm_encode(const struct cm_msg *m, struct buf *out);
/*
 * Fills m from the len bytes at p.  0, or -1 with the reason in why
 * (m then needs no cm_free()).
 */
int	cm_decode(const void *p, size_t len, struct cm_msg *m, char *why,
	    size_t whysz);
void	cm_free(struct cm_msg *);
/* The name of a kind, for messages ("unknown" if none). */
const char *cm_kind_name(enum cm_kind);

#endif
