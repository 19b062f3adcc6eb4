/*
 * generate: one generation, from the database to a published feed.
 *
 * Holds FEED/.state/lock for its whole run (waiting up to a minute for
 * another run to finish), records the run in FEED/run.json, reads the
 * rows in a thread of its own (readpipe.h) while it publishes each list
 * read so far into the next generation (publish.h), makes the generation
 * live with its manifest (feed.h) only once the read ended well, then
 * saves the changed lists' state (delta.h), and prints the change
 * report: one line per list, sorted by name,
 *   NAME COUNT +ADDED -REMOVED STATUS[: reason]
 * then the rejected rows by reason.
 *
 * Returns the exit status of listfeed-gen(8): 0 ok, 1 configuration or I/O
 * error, 2 database error (nothing is published), 3 the guard held a
 * list, 4 crypto error (the lists it hit keep their last files).
 */
#ifndef LF_GENERATE_H
#define LF_GENERATE_H

#include <stdio.h>

#include "conf.h"
#include "crypt.h"
#include "manifest.h"

struct db;

#define EXIT_CONFIG	1
#define EXIT_DATABASE	2
#define EXIT_HELD	3
#define EXIT_CRYPTO	4

struct gen_opts {
	int		 dry_run;
	struct strlist	 only;		/* --list: only these lists */
	struct strlist	 force;		/* --force: past the guard */
	/* Recorded in run.json unless the crypt context knows newer. */
	struct lf_keyinfo sign_key;
	struct db	*db;		/* a kept connection, or NULL (db.h) */
};

/* *crypt may be NULL: it is then made when a file must be encrypted, and
 * left for the caller to crypt_free(). */
int	generate(const struct lf_config *, struct crypt **crypt,
	    const struct gen_opts *, FILE *report);

#endif
