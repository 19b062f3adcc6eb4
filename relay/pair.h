/*
 * pair: the mail and digest files of a list are two sources to Sympa,
 * fetched one after the other.  A member who moves from one reception to
 * the other leaves one file and enters the other; served one new and one
 * old, Sympa would see the member in neither and remove them (their
 * settings lost).  So a new copy of one reception's file may drop a
 * member only when the member left the list (absent from the whole
 * list's copy) or is already in the other reception's copy; otherwise the
 * new copy waits (held) until the other file has caught up.  Pure: no
 * I/O.
 *
 * Each argument is a whole Sympa file as the relay keeps it (header
 * lines starting with '#', then "EMAIL" or "EMAIL<TAB>NAME" lines).  A
 * NULL old copy (none served yet) or NULL whole list (unknown) passes; a
 * NULL other copy counts as empty.
 */
#ifndef LF_PAIR_H
#define LF_PAIR_H

#include <stddef.h>

struct pair_file {
	const char	*data;
	size_t		 len;
};

/* 0: the new copy may be served; 1: it must wait (why says for whom);
 * -1: out of memory. */
int	pair_check(const struct pair_file *old, const struct pair_file *new_,
	    const struct pair_file *all, const struct pair_file *other,
	    char *why, size_t whysz);

#endif
