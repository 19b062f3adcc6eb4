/*
 * conf_int: what lib/conf.c (the file, its sections and the list
 * lookups) and lib/conf_client.c (the [client] sections and the client
 * lookups) share.  Not for use outside lib/conf*.c.
 */
#ifndef LF_CONF_INT_H
#define LF_CONF_INT_H

#include <stddef.h>

#include "conf.h"
#include "inifile.h"

/* A fingerprint or subject, and the client that has it. */
struct claim {
	char		*id;		/* "fingerprint HEX", "subject DN" */
	char		*client;
	unsigned long	 line;
};

struct parse {
	struct inifile		 ini;
	struct lf_config	*c;
	struct strlist		 sections;	/* every section seen */
	char			 last[256];	/* section of the last key */
	size_t			 cur;	/* [list]/[client] of the last key */
	struct claim		*claims;
	size_t			 nclaims;
};

/* What add_words() checks each word as. */
enum word { W_PGP_FPR, W_X509_FPR, W_FORMAT, W_LIST };

/*
 * Appends each white-space separated word of v to l, once, checked (and
 * normalised) as kind; with star, "*" sets *star instead.  1, or 0 after
 * ini_fail().
 */
int	conf_add_words(struct parse *, struct strlist *l, const char *v,
	    const char *key, enum word kind, int *star);

/* The array v of n elements of size bytes with room for one more,
 * zeroed, at [n]; NULL after ini_fail() naming section (out of memory;
 * v is still whole). */
void	*conf_grow(struct parse *, const char *section, void *v, size_t n,
	    size_t size);
/* The NAME of [list NAME] or [client NAME], checked, copied to *dst.
 * 1, or 0 after ini_fail(). */
int	conf_section_name(struct parse *, const char *section,
	    const char *name, char **dst);

/* nginx's form of an X.509 SHA-1 fingerprint ("AB:CD:.." or "abcd..")
 * into out: 40 lower-case hex digits.  0, or -1 if it is not one. */
int	conf_x509_fpr(const char *in, char out[41]);

/* [client NAME]: the section's start, then each key of it. */
int	conf_client_start(struct parse *, const char *section,
	    const char *name);
int	conf_client_key(struct parse *, const char *section, const char *k,
	    const char *v);
void	conf_claims_free(struct parse *);
/* After the parse: each client has a fingerprint or a subject.  0, or
 * -1 logged as "FILE: reason". */
int	conf_clients_check(const struct lf_config *);

#endif
