/*
 * valid: allow-list checks and normalisation for every external string
 * (rows from the database, names in the config, URL parts).
 *
 * Rules:
 *  - list names: [a-z0-9][a-z0-9._-]{0,63}
 *  - format names: [a-z0-9][a-z0-9_-]{0,31}
 *  - emails: RFC 5321 dot-atom local part (not starting with '#': Sympa's
 *    file source reads such a line as a comment) @ a DNS name with at least two
 *    labels; no quoted local parts, no address literals; at most
 *    VALID_EMAIL_MAX bytes (Sympa stores 100 and silently truncates
 *    longer ones, which would deliver to a different address).
 *    The domain is lower-cased; the local part keeps its case.
 *  - display names: valid UTF-8 only (each byte of an invalid sequence
 *    becomes U+FFFD); runs of white space (ASCII white space, NEL, the
 *    line and paragraph separators U+2028/U+2029, the Unicode spaces)
 *    folded to one space and trimmed; then every code point
 *    uni_invisible() names (lib/unicode.h) removed: controls (C0, DEL,
 *    C1), format characters (category Cf: zero-width characters, the
 *    bidirectional marks, embeddings, overrides and isolates, the word
 *    joiner and invisible operators, the tag characters, the BOM),
 *    private use and unassigned code points; capped at VALID_NAME_MAX
 *    code points without splitting a character.  The result can never
 *    contain a line break, a tab or an invisible character.
 */
#ifndef LF_VALID_H
#define LF_VALID_H

#include <stddef.h>

#define VALID_LIST_MAX		64	/* bytes, without NUL */
#define VALID_FORMAT_MAX	32
#define VALID_EMAIL_MAX		100
#define VALID_NAME_MAX		150	/* code points */
#define VALID_NAME_BYTES	(VALID_NAME_MAX * 4)

enum email_status {
	EMAIL_OK = 0,
	EMAIL_EMPTY,
	EMAIL_TOO_LONG,
	EMAIL_NO_AT,
	EMAIL_BAD_LOCAL,
	EMAIL_BAD_DOMAIN
};

int	valid_list_name(const char *);			/* 1 valid, 0 not */
int	valid_list_name_n(const char *, size_t);	/* not NUL-terminated */
int	valid_format_name(const char *);
/* SHA-1 fingerprint as nginx gives it: 40 lower-case hex digits. */
int	valid_fingerprint(const char *);

/*
 * A full OpenPGP v4 fingerprint: exactly VALID_PGP_FPR_LEN hex digits,
 * either case, nothing else (no spaces, no "0x", no newline).  Copies it
 * upper-cased into out (VALID_PGP_FPR_LEN + 1 bytes; may be in itself).
 * 1 valid, 0 not (in NULL, or out left unspecified).
 */
#define VALID_PGP_FPR_LEN	40
int	valid_pgp_fingerprint(const char *in, char *out);

/*
 * Checks and normalises an email of len bytes into out (size >=
 * VALID_EMAIL_MAX + 1).  Returns EMAIL_OK or the reason.
 */
enum email_status valid_email(const char *in, size_t len, char *out,
	    size_t outsz);

/*
 * Cleans a display name of len bytes (may contain NULs or invalid UTF-8)
 * into out (size >= VALID_NAME_BYTES + 1).  Returns the byte length.
 */
size_t	valid_clean_name(const char *in, size_t len, char *out, size_t outsz);

/*
 * 1 if the name of len bytes is one that valid_clean_name() with any
 * version of the Unicode data could have written: well-formed UTF-8, 1
 * to VALID_NAME_MAX code points, no white space but single inner U+0020,
 * and nothing uni_control() names (controls, format and bidirectional
 * characters).  Unassigned and private-use code points pass: a newer
 * table may assign them.  Else 0.
 */
int	valid_name_safe(const char *in, size_t len);

/*
 * A path inside the feed, as the manifest names it and X-Accel-Redirect
 * passes it on: relative, segments of [A-Za-z0-9._-], none empty or ".",
 * no ".." anywhere, at most VALID_REL_PATH_MAX bytes.
 */
#define VALID_REL_PATH_MAX	256
int	valid_rel_path(const char *);

/* Lower-cases an ASCII string of at most outsz - 1 bytes (dedup keys). */
void	valid_lower(const char *in, char *out, size_t outsz);

#endif
