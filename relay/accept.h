/*
 * accept: the relay's decision on a decrypted, verified file, before a
 * byte of it reaches Sympa.  Pure: no I/O, no clock.
 *
 * The file must parse as a whole (sympafile_parse(): header, every
 * member line valid, exactly count lines), its header must name the
 * source's list and reception (a genuine file of another list or
 * reception at this URL is refused), its generation must not be lower
 * than the last accepted one, and the same generation again must carry
 * the same count and time (a file is never re-made under the number of
 * another).  Then the guard (guard.h) compares its count with the last
 * accepted count; with no earlier copy, an empty whole list is held (a
 * replayed old file must not empty Sympa's list): only --force serves it.
 */
#ifndef LF_ACCEPT_H
#define LF_ACCEPT_H

#include <stddef.h>

#include "rstate.h"
#include "sympafile.h"

enum accept_verdict {
	ACCEPT_OK = 0,
	ACCEPT_HELD,		/* the guard held it */
	ACCEPT_REFUSED		/* identity, replay or content */
};

struct accept_rules {
	unsigned	 max_shrink, min_shrink;
	const char	*force;		/* a list whose guard is lifted, or NULL */
};

/*
 * data, len: the cleartext.  last: the last accepted entry of this
 * source (NULL: none).  On ACCEPT_OK, *h is the file's header; otherwise
 * why says what was wrong ("names list X", "generation 4 is older than
 * 5", "would shrink from ...", "line 9: not a normalised address").
 */
enum accept_verdict accept_check(const char *list,
	    enum sympafile_reception rec, const struct rstate_entry *last,
	    const struct accept_rules *, const char *data, size_t len,
	    struct sympafile_hdr *h, char *why, size_t whysz);

#endif
