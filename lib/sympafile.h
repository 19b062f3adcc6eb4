/*
 * sympafile: the one codec of a Sympa list file as listfeed writes it,
 * with its signed header.  listfeed-gen writes the header in front of
 * every file of the sympa format (inside the cleartext, so inside the
 * OpenPGP signature); listfeed-relay parses the decrypted file with
 * sympafile_parse() before it serves a byte of it to Sympa.
 *
 * An OpenPGP signature does not cover the literal packet's file name or
 * date, so whatever binds a file to its URL must be in the signed bytes.
 * The header is six comment lines, which Sympa's file source skips:
 *
 *   # listfeed 1
 *   # list: NAME
 *   # reception: all|mail|digest
 *   # generation: N         (the generation that last changed this file)
 *   # count: N              (member lines that follow)
 *   # time: YYYY-MM-DDTHH:MM:SSZ   (when that generation was made)
 *
 * then one line per member: "EMAIL" or "EMAIL<TAB>NAME", each ending in
 * "\n".  The parser is strict: the header lines in this order, exactly
 * as written here; a list name and an address that pass valid.h's rules
 * unchanged (already normalised); a name that valid_name_safe() accepts
 * (as valid_clean_name() leaves one, but for code points a newer Unicode
 * may have assigned: a file from a generator built with newer Unicode
 * data passes); no other comment or blank line; exactly count member lines,
 * the last one ending in "\n"; no NUL or CR anywhere.
 */
#ifndef LF_SYMPAFILE_H
#define LF_SYMPAFILE_H

#include <stddef.h>

#include "buf.h"
#include "valid.h"

#define SYMPAFILE_VERSION	1
#define SYMPAFILE_HEADER_LINES	6

enum sympafile_reception {
	SF_RECEPTION_ALL = 0,
	SF_RECEPTION_MAIL,
	SF_RECEPTION_DIGEST
};

struct sympafile_hdr {
	char			 list[VALID_LIST_MAX + 1];
	enum sympafile_reception reception;
	long long		 generation;	/* >= 1 */
	unsigned long		 count;
	char			 time[21];	/* "2026-11-30T00:17:16Z" */
};

/* "all", "mail", "digest"; NULL for anything else. */
const char *sympafile_reception_name(enum sympafile_reception);

/* Appends the header for h to out.  0, or -1 (h invalid, or no memory). */
int	sympafile_header(struct buf *out, const struct sympafile_hdr *h);

/*
 * Called once per member line, in file order: the address (normalised as
 * valid_email() leaves it) and the name ("" if none).  A non-zero return
 * stops the parse, which then fails.
 */
typedef int (*sympafile_member_fn)(void *ctx, const char *email,
	    const char *name);

/*
 * Parses a whole file of len bytes: fills *h and calls fn (may be NULL)
 * for each member.  0 when the file is whole and valid; -1 otherwise,
 * with the reason in err (e.g. "line 9: not an address").
 */
int	sympafile_parse(const char *data, size_t len,
	    struct sympafile_hdr *h, sympafile_member_fn fn, void *ctx,
	    char *err, size_t errsz);

#endif
