/*
 * tmpl: the one template expander (list formats in gen/, the index page
 * in cgi/).  A template is text with {key} placeholders; "{{" and "}}"
 * stand for literal braces.  Keys are [a-z_]{1,31}.  Every value passes
 * through the template's escape before it is written; the literal text of
 * the template is copied as it is.
 *
 * Escapes:
 *  ESC_NONE     the value as it is (values are validated upstream)
 *  ESC_CSV      RFC 4180 field: a value starting with = + - @ TAB or CR
 *               gets a leading ' (formula injection), then the field is
 *               quoted, with "" for ", when it holds , " CR or LF
 *  ESC_HTML     & < > " ' as entities
 *  ESC_MAILBOX  an RFC 5322 display name: as it is when it is only atext
 *               and spaces, else a quoted-string with \" and \\
 */
#ifndef LF_TMPL_H
#define LF_TMPL_H

#include <stddef.h>

#include "buf.h"

enum esc { ESC_NONE = 0, ESC_CSV, ESC_HTML, ESC_MAILBOX };

#define TMPL_KEY_MAX	31

/* Returns 0 and sets *val, *vallen for a known key; -1 for an unknown one. */
typedef int (*tmpl_lookup)(void *ctx, const char *key, const char **val,
	    size_t *vallen);

/* 0, or -1 (unknown key, bad syntax, or out of memory). */
int	tmpl_expand(struct buf *out, const char *tmpl, size_t tmpllen,
	    tmpl_lookup lookup, void *ctx, enum esc esc);
/* The same, but the keys in the NULL-terminated raw[] are not escaped
 * (an addr-spec in a mailbox line is not a display name). */
int	tmpl_expand_raw(struct buf *out, const char *tmpl, size_t tmpllen,
	    tmpl_lookup lookup, void *ctx, enum esc esc,
	    const char *const raw[]);
/* Checks syntax and that every key is in the NULL-terminated keys[].
 * 0, or -1 with a reason written to why (may be NULL). */
int	tmpl_check(const char *tmpl, size_t tmpllen, const char *const keys[],
	    char *why, size_t whysz);
int	esc_append(struct buf *out, const char *s, size_t len, enum esc esc);
/* "none", "csv", "html", "mailbox"; -1 if unknown. */
int	esc_parse(const char *);

#endif
