/*
 * delta: counts the members added and removed between two publishes of a
 * list without keeping their addresses in clear.
 *
 * STATE/NAME.members holds one line per member: 32 hex digits of
 * SHA-256(salt || lower-cased address), sorted.  The salt is 32 random
 * bytes in STATE/salt, made on first use; STATE is private to
 * listfeed-gen (mode 0700).
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
int	delta_diff(const struct delta *, const struct mlist *l,
	    unsigned long *added, unsigned long *removed, struct buf *next);
int	delta_save(const struct delta *, const char *list,
	    const struct buf *next);

#endif
