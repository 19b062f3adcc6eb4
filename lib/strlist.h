/*
 * strlist: a growable list of owned strings, in the order added (the
 * configuration's word lists: recipients, formats, lists, fingerprints).
 * Lookups are linear: the lists are short.
 */
#ifndef LF_STRLIST_H
#define LF_STRLIST_H

#include <stddef.h>

struct strlist {
	char	**v;
	size_t	  n;
};

/* 1 if s is in l (exact bytes), else 0. */
int	strlist_has(const struct strlist *, const char *s);
/* Appends a copy of s.  0, or -1 (out of memory; l is still whole). */
int	strlist_add(struct strlist *, const char *s);
/* Frees every string and the array; l is then empty. */
void	strlist_free(struct strlist *);

#endif
