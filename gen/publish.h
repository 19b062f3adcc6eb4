/*
 * publish: brings one list's published files up to date.
 *
 * For a list it renders every file the list has (lib/kind.h: one
 * OpenPGP file per format, the per-reception OpenPGP Sympa files when
 * its formats include sympa, and the cleartext Sympa files only when some
 * client fetches the list in clear), compares each body's SHA-256 and
 * the key id (signer + recipients) with the list's last manifest entry,
 * applies the shrink guard, encrypts what changed and writes it with
 * atomic_write().  A file whose body and keys did not change is not
 * touched.  A file of the sympa format starts with the signed header
 * (lib/sympafile.h), dated with the generation that last changed its
 * member lines: the header alone never makes a file change.
 * All encryption of a list happens before its first write, so a crypto
 * error leaves every file of that list as it was.
 *
 * Files are written into the list's new version (feed_mkversion(),
 * feed.h) at the paths of kind.h, all of a list's or none: a write that
 * fails part-way removes those already written, and the list keeps its
 * old entry and version.  A file whose body and keys are unchanged is
 * left to be carried over from the live version (old's); the entry marks
 * the files written (lf_entry_file written) so that feed_stage() makes
 * the version name exactly its files.  Nothing here reads or writes
 * another list's files.
 */
#ifndef LF_PUBLISH_H
#define LF_PUBLISH_H

#include <stdio.h>

#include "collect.h"
#include "conf.h"
#include "crypt.h"
#include "delta.h"
#include "feed.h"
#include "format.h"
#include "manifest.h"
#include "render.h"

enum pub_status {
	PUB_UNCHANGED = 0,
	PUB_CHANGED,
	PUB_ABSENT,		/* not in the data and never published */
	PUB_HELD,		/* the guard kept the last good files */
	PUB_ERR_CRYPTO,		/* a key is missing or unusable */
	PUB_ERR_IO		/* rendering or writing failed */
};

/* The crypt context, made when the first file must be encrypted: a run
 * that changes nothing starts no gpg. */
struct lazy_crypt {
	struct crypt		*c;
	int			 failed;	/* crypt_new() failed once */
};

struct pub_ctx {
	const struct lf_config	*cfg;
	struct lazy_crypt	*crypt;
	const struct formats	*formats;
	const struct delta	*delta;
	struct feed		*feed;		/* where versions go */
	long long		 generation;
	const char		*now;		/* RFC 3339 */
	int			 dry_run;
	int			 one_by_one;	/* files one at a time */
};

struct pub_result {
	enum pub_status		 status;
	struct lf_entry		 entry;		/* its manifest entry */
	int			 has_entry;
	struct delta_update	 update;	/* PUB_CHANGED: next state */
	unsigned		 written;	/* files written */
	char			 why[512];	/* for held and errors */
};

/*
 * l: the list as read now (NULL: not in the data); old: its last manifest
 * entry (NULL: never published); force: publish despite the guard.
 * Fills res; res->entry must be freed with manifest_entry_free() if
 * has_entry.  A list with an old entry always has one (the old one unless
 * it changed): has_entry is 0 there only if memory ran out.  A changed
 * list's res->update is its state (delta.h), to be saved once the
 * generation is live; free it with delta_update_free() in any case.
 */
void	publish_list(const struct pub_ctx *, const char *name,
	    const struct members *l, const struct lf_entry *old, int force,
	    struct pub_result *res);

#endif
