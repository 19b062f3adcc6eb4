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
 *
 * Both describe published files: a run saves them (delta_save()) only
 * once its generation is live, so a run that fails or is killed before
 * leaves them as they were.  A crash between the switch and the save
 * leaves those of the generation before: the guard then compares with
 * the files published before the live ones, and the next change report
 * counts from there.
 */
#ifndef LF_DELTA_H
#define LF_DELTA_H

#include "buf.h"
#include "collect.h"
#include "valid.h"

struct delta {
	char		*dir;
	unsigned char	 salt[32];
};

/* Opens (and makes) the state directory and its salt.  0 or -1. */
int	delta_open(struct delta *, const char *statedir);
void	delta_close(struct delta *);

/* The counts of a list's last published files. */
struct delta_counts {
	unsigned long	 count, mail, digest;
	int		 reception;	/* mail and digest are known */
};

/* A list's next state, for delta_save() once its files are live. */
struct delta_update {
	char			 list[VALID_LIST_MAX + 1];
	struct delta_counts	 counts;
	struct buf		 members;	/* NAME.members */
};

/*
 * Compares l with the saved state of its list: *added, *removed.  With
 * no saved state every member counts as added.  Fills u (to be freed
 * with delta_update_free()) with the list's next state.  0 or -1.
 */
int	delta_diff(const struct delta *, const struct members *l,
	    unsigned long *added, unsigned long *removed,
	    struct delta_update *u);
/* Saves u as its list's state: the counts first (the guard's).  0 or -1. */
int	delta_save(const struct delta *, const struct delta_update *u);
void	delta_update_free(struct delta_update *);

/*
 * What the state remembers of list: 1 (c filled; a state from before
 * NAME.counts gives only the count, from NAME.members), 0 nothing (never
 * published), -1 unreadable or damaged (logged).
 */
int	delta_last(const struct delta *, const char *list,
	    struct delta_counts *c);

#endif
