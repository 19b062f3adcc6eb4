/* guard: see guard.h. */
#include <stdio.h>

#include "guard.h"

enum guard_verdict
guard_check(unsigned long before, unsigned long after, unsigned max_shrink,
    unsigned min_shrink)
{
	unsigned long	 loss, q, r, allowed;

	if (before == 0 || after >= before)
		return GUARD_PASS;
	if (after == 0)
		return GUARD_EMPTY;
	if (max_shrink > 100)
		max_shrink = 100;
	loss = before - after;
	/* floor(before * max_shrink / 100), without overflow. */
	q = before / 100;
	r = before % 100;
	allowed = q * max_shrink + r * max_shrink / 100;
	if (loss > allowed && loss > min_shrink)
		return GUARD_SHRINK;
	return GUARD_PASS;
}

int
guard_describe(enum guard_verdict v, unsigned long before, unsigned long after,
    unsigned max_shrink, unsigned min_shrink, char *out, size_t outsz)
{
	int	 n;

	switch (v) {
	case GUARD_EMPTY:
		n = snprintf(out, outsz, "would be emptied (was %lu)", before);
		break;
	case GUARD_SHRINK:
		n = snprintf(out, outsz, "would shrink from %lu to %lu (more "
		    "than max_shrink %u%% and min_shrink %u)", before, after,
		    max_shrink, min_shrink);
		break;
	default:
		n = snprintf(out, outsz, "%s", "");
		break;
	}
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}
