/*
 * unicode: the one UTF-8 decoder and encoder, and the one table of code
 * points that never belong in a name.
 *
 * uni_decode() accepts exactly well-formed UTF-8 (RFC 3629): no overlong
 * forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no
 * sequence cut short by the end of the input.  Every caller decides what
 * an invalid byte becomes (valid.c: U+FFFD; manifest.c: '?').
 *
 * uni_invisible() is generated at build time from the Unicode Character
 * Database (UnicodeData.txt, Debian's unicode-data package) by
 * lib/unicode_data.awk: a code point whose General Category is Cc
 * (control), Cf (format: zero-width, bidi and tag characters, invisible
 * operators, soft hyphen), Co (private use) or Cn (unassigned, including
 * the noncharacters), or a surrogate (Cs).  A code point assigned after
 * that version of Unicode counts as unassigned.
 *
 * uni_control() is the part of that table that no later version of
 * Unicode makes harmless: Cc, Cf (with every bidirectional control) and
 * Cs.  A reader that must accept what a generator built with newer
 * Unicode data wrote (listfeed-relay) checks this one, not
 * uni_invisible(): a code point unassigned here may be a letter there.
 */
#ifndef LF_UNICODE_H
#define LF_UNICODE_H

#include <stddef.h>
#include <stdint.h>

#define UNI_MAX		0x10ffff
#define UNI_REPLACEMENT	0xfffd
#define UNI_LEN_MAX	4	/* bytes of one encoded code point */

/*
 * Decodes the sequence at s (n bytes available, n >= 1).  Returns its
 * length (1..4) with the code point in *cp, or 0 if s does not start a
 * well-formed sequence (*cp is then UNI_REPLACEMENT).
 */
size_t	uni_decode(const char *s, size_t n, uint32_t *cp);

/*
 * Encodes cp (<= UNI_MAX, not a surrogate) into out, which has room for
 * UNI_LEN_MAX bytes; returns the length.  Not NUL-terminated.
 */
size_t	uni_encode(uint32_t cp, char *out);

/* 1 if cp is Cc, Cf, Co, Cn or Cs (above), else 0. */
int	uni_invisible(uint32_t cp);

/* 1 if cp is Cc, Cf or Cs (above), or above UNI_MAX, else 0. */
int	uni_control(uint32_t cp);

/* The generated tables: sorted, disjoint, inclusive ranges. */
struct uni_range {
	uint32_t	 lo, hi;
};
extern const struct uni_range	uni_invisible_ranges[];
extern const size_t		uni_invisible_nranges;
extern const struct uni_range	uni_control_ranges[];
extern const size_t		uni_control_nranges;

#endif
