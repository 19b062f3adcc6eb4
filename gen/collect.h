/*
 * collect: turns the database rows into validated, sorted, de-duplicated
 * member lists (the rules of valid.h).
 *
 * collect_row() is a db_row_fn: it validates one row and files it under
 * its list, or counts it as rejected with a reason (never drops one
 * silently).  collect_finish() sorts each list by email (case-insensitive,
 * then byte order) and keeps one entry per address: where duplicates
 * disagree on reception, mail wins; owner and moderator are or-ed.
 * Lists are sorted by name.  Strings live in the collector's arena until
 * collect_free().
 */
#ifndef LF_COLLECT_H
#define LF_COLLECT_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct member {
	const char	*email;		/* domain lower-cased */
	const char	*key;		/* all lower-cased: the identity */
	const char	*name;		/* cleaned full name, may be "" */
	const char	*first;		/* cleaned first name, may be "" */
	unsigned char	 digest, owner, moderator;
	uint64_t	 kpre;		/* key's first 8 bytes, for sorting */
};

/* One list as read: its name and its members. */
struct members {
	char		 name[65];
	struct member	*m;
	size_t		 n, cap;
	unsigned long	 mail, digest;	/* after collect_finish() */
};

enum reject_reason {
	REJ_LIST = 0,		/* list name missing or not allowed */
	REJ_EMAIL,		/* email missing or not an address */
	REJ_RECEPTION,		/* reception mode not mail or digest */
	REJ_DUPLICATE,		/* same address twice in a list (merged) */
	REJ_NREASONS
};

struct arena;

struct collect {
	struct members	*lists;
	size_t		 nlists, cap;
	unsigned long	 rows;
	unsigned long	 rejects[REJ_NREASONS];
	struct arena	*arena;
	int		 nomem;
	/* name -> list index, open addressing */
	size_t		*slots;
	size_t		 nslots;
};

void	collect_init(struct collect *);
int	collect_row(void *ctx, const struct db_row *);	/* db_row_fn */
/* 0, or -1 when memory ran out at any point. */
int	collect_finish(struct collect *);
const struct members *collect_find(const struct collect *, const char *);
void	collect_free(struct collect *);
const char *reject_name(enum reject_reason);

#endif
