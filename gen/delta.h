/*
 * delta: counts the members added and removed between two publishes of a
 * list without keeping their addresses in clear.
 *
 * STATE/NAME.members holds one line per member: 32 hex digits of
 * SHA-256(salt || lower-cased address), sorted.  The salt is 32 random
 * bytes in STATE/salt, made on first use; STATE is private to
 * listfeed-gen (mode 0700).
 *
 * STATE/NAME.counts remembers the member counts of the list's last
 * published files, "COUNT MAIL DIGEST\n" (the whole list, its mail and
 * its digest members): what the shrink guard compares with when the
 * manifest has lost the list (a crash, a deleted manifest).  Numbers
 * only, never an address.
 */
#ifndef LF_DELTA_H
#define LF_DELTA_H

#include "buf.h"
#include "collect.h"

struct delta {
	char		*dir;
	unsigned char	 salt[32];
};

/* Opens (and makes) the state directory and its salt.  0 or -1. */
int	delta_open(struct delta *, const char *statedir);
void	delta_close(struct delta *);

/*
 * Compares l with the saved state of its list: *added, *removed.  With
 * no saved state every member counts as added.  The new state is left in
 * next for delta_save().  0 or -1.
 */
int	delta_diff(const struct delta *, const struct members *l,
	    unsigned long *added, unsigned long *removed, struct buf *next);
/* Saves next and l's counts as the state of the list l.  0 or -1. */
int	delta_save(const struct delta *, const struct members *l,
	    const struct buf *next);

/* The counts of a list's last published files. */
struct delta_counts {
	unsigned long	 count, mail, digest;
	int		 reception;	/* mail and digest are known */
};

/*
 * What the state remembers of list: 1 (c filled; a state from before
 * NAME.counts gives only the count, from NAME.members), 0 nothing (never
 * published), -1 unreadable or damaged (logged).
 */
int	delta_last(const struct delta *, const char *list,
	    struct delta_counts *c);

#endif
