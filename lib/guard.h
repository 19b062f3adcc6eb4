/*
 * guard: the shrink guard, one rule for everything that hands member
 * counts to Sympa (listfeed-gen before it publishes a file,
 * listfeed-relay before it serves one).  Sympa removes every member
 * missing from a successful fetch, so a file that would lose too many
 * members is held and the last good one stays served.
 *
 * A file is held when it would become empty (it had members), or when it
 * would lose more than max_shrink percent of its members AND more than
 * min_shrink members: small lists can change by a few members without
 * anyone running --force.  A file that grows, or had no members, passes.
 * Each file a client can fetch is guarded by its own count (the whole
 * list, and each reception's file).
 */
#ifndef LF_GUARD_H
#define LF_GUARD_H

#include <stddef.h>

/* What publishes a held list anyway: GUARD_RELEASE " NAME". */
#define GUARD_RELEASE			"listfeed-gen --force"

#define GUARD_DEFAULT_MAX_SHRINK	20	/* percent */
#define GUARD_DEFAULT_MIN_SHRINK	5	/* members */

enum guard_verdict {
	GUARD_PASS = 0,
	GUARD_EMPTY,		/* before > 0, after == 0: always held */
	GUARD_SHRINK		/* lost > max_shrink % and > min_shrink */
};

/* max_shrink: 0..100 (larger counts as 100). */
enum guard_verdict guard_check(unsigned long before, unsigned long after,
	    unsigned max_shrink, unsigned min_shrink);

/*
 * One line for logs and reports, without the list's name:
 * "would be emptied (was 12)" or "would shrink from 40 to 20 (more than
 * max_shrink 20% and min_shrink 5)".  "" for GUARD_PASS.  Truncated to
 * outsz; 0 or -1 (truncated).
 */
int	guard_describe(enum guard_verdict, unsigned long before,
	    unsigned long after, unsigned max_shrink, unsigned min_shrink,
	    char *out, size_t outsz);

#endif
