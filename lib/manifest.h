/*
 * manifest: what was published, FEED/run.json (how the last run ended),
 * written by listfeed-gen, read by listfeed.fcgi.  JSON through jansson.
 *
 * Each list's entry is FEED/v/NAME/G/entry.json, in the version it
 * describes (lib/layout.h): authoritative, and naming exactly that
 * version's files.  Its format:
 * { "name": NAME,
 *   "count": N, "reception": { "mail": N, "digest": N },
 *   "added": N, "removed": N,            (in its last change)
 *   "changed": GEN, "changed_at": "RFC 3339",
 *   "keys": "sha256 of signer + recipients",
 *   "held": "why",                       (only while the guard holds it)
 *   "files": { "KIND": { "path": "lists/NAME.csv.asc",
 *                        "sha256": "of the member lines",
 *                        "changed": GEN, "changed_at": "RFC 3339" },
 *              ... } }
 * KIND is a manifest key of kind.h (a format name, or an internal kind
 * such as "plain" or "sympa-mail"), and path is where kind.h puts that
 * kind's file of that list: an entry naming any other key or path is
 * refused.  sha256 covers the rendered file without the signed header
 * (kind.h), so it changes exactly when the file's member lines do;
 * changed/changed_at are the generation that last changed them and its
 * time (the header's generation and time); path is relative to the
 * list's version.
 *
 * The counts are those of the files published (a held list keeps the
 * counts of its last good files): the shrink guard compares the next run
 * with them, file by file (count for the whole list, mail and digest for
 * the per-reception Sympa files).  A held list whose last files are lost
 * (a crash, a deleted entry) has an entry with no files, and the counts
 * listfeed-gen remembers in its state.
 *
 * FEED/manifest.json, the summary of the last run that completed,
 * written after run.json (it may lag a running run); nothing per list
 * but the lists that run held, so that its size and cost do not grow
 * with the number of lists:
 * { "version": 1, "generation": 7,
 *   "started_at": "RFC 3339", "started_ms": N,
 *   "generated_at": "RFC 3339", "generated_ms": N,
 *   "result": "ok" | "held" | "crypto" | "error",
 *   "held": ["list", ...],
 *   "rejects": { "reason": N, ... } }
 * "held" names the lists the guard held in that run; each one's entry
 * says why (without the command that releases it: listfeed-gen --force
 * NAME).  The manifest of the layout before per-list versions (read
 * only to convert it, gen/migrate.h) has besides "lists": { "NAME":
 * ENTRY without "name", ... }; manifest_parse() reads it into lists,
 * sorted by name, and manifest_dump() never writes it.
 *
 * run.json: { "started_ms": N, "finished_ms": N (0 while running),
 *   "exit": N, "result": "ok|held|database|crypto|error|running",
 *   "message": "...", "generation": N (the last one made live),
 *   "sign_key_expires": N }
 *   "sign_key_expires": N,
 *   "live": ["list", ...], "held": ["list", ...] }
 * sign_key_expires: when the signing key stops signing, in seconds since
 * the epoch, 0 if it never does; absent when the generator did not know
 * (a run.json without it reads as not known).
 * live: the lists the run made live (switched to its generation); held:
 * those its guard held; each sorted by name, unique, valid list names,
 * together at most RUN_LISTS_MAX, so that what a run of one list writes
 * and what a reader waiting for it reads do not grow with the lists.
 * Both are absent while the run runs and when the run made live or held
 * more lists than that (or was written before they existed): the reader
 * then looks at every list.  A run.json with only one of them, or with
 * anything else in them, is refused.
 */
#ifndef LF_MANIFEST_H
#define LF_MANIFEST_H

#include <stddef.h>

#include "conf.h"
#include "kind.h"
#include "strlist.h"
#include "valid.h"

#define MANIFEST_NAME	"manifest.json"
#define RUN_NAME	"run.json"
#define ENTRY_NAME	"entry.json"
#define RUN_LISTS_MAX	64	/* live + held names in run.json */
#define ENTRY_HELD_MAX	512	/* bytes of a held list's reason */

struct lf_entry_file {
	enum lf_kind	 kind;
	char		*format;	/* KIND_FORMAT: the format; else NULL */
	char		*path;		/* relative to the feed directory */
	char		*sha256;
	long long	 changed;	/* 0: not recorded */
	char		*changed_at;
	int		 written;	/* listfeed-gen: written into the
					   generation being made (not
					   serialised) */
};

struct lf_entry {
	char		*name;
	unsigned long	 count, mail, digest;
	unsigned long	 added, removed;
	long long	 changed;	/* generation of its last change */
	char		*changed_at;
	char		*keys;
	char		*held;		/* why the guard held it, or NULL */
	long long	 version;	/* G of the FEED/v/NAME/G it was read
					   from, 0: none (not serialised) */
	struct lf_entry_file	*files;
	size_t		 nfiles;
};

struct lf_reject {
	char		*reason;
	unsigned long	 n;
};

struct lf_manifest {
	long long	 generation;
	long long	 started_ms, generated_ms;
	char		*result;
	struct strlist	 held;
	struct lf_reject *rejects;
	size_t		 nrejects;
	struct lf_entry	*lists;
	size_t		 nlists;
};

/* The signing key's expiry as run.json records it. */
struct lf_keyinfo {
	int		 known;
	long long	 expires;	/* seconds since the epoch; 0: never */
};

struct lf_run {
	long long	 started_ms, finished_ms;
	int		 exit;
	char		 result[16];
	char		 message[512];
	long long	 generation;
	struct lf_keyinfo sign_key;
	int		 lists_known;	/* live and held were recorded */
	size_t		 nlive, nheld;
	/* the live names, then the held ones */
	char		 lists[RUN_LISTS_MAX][VALID_LIST_MAX + 1];
};

/* 0 read, 1 no such file (m is empty), -1 unreadable or invalid. */
int	manifest_read(const char *path, struct lf_manifest *m);
int	manifest_parse(const char *json, size_t len, struct lf_manifest *m);
/* Serialises m's summary (deterministic key order, no lists) into a
 * NUL-terminated string. */
char	*manifest_dump(const struct lf_manifest *m);
/* Writes m's summary as dir/manifest.json atomically, mode 0644. */
int	manifest_write(const char *dir, const struct lf_manifest *m);
void	manifest_free(struct lf_manifest *m);
const struct lf_entry *manifest_find(const struct lf_manifest *, const char *);
/* The list's file of kind k (and format, for KIND_FORMAT), or NULL. */
const struct lf_entry_file *manifest_entry_file(const struct lf_entry *,
	    enum lf_kind k, const char *format);
/* Sets f's strings (copies); f->kind, changed and written are the
 * caller's.  0 or -1. */
int	manifest_file_set(struct lf_entry_file *f, const char *format,
	    const char *path, const char *sha256, const char *changed_at);
/* Sorts lists by name (after building one by hand). */
void	manifest_sort(struct lf_manifest *m);
/* Deep copy of one list entry into dst. 0 or -1. */
int	manifest_entry_copy(struct lf_entry *dst,
	    const struct lf_entry *src);
void	manifest_entry_free(struct lf_entry *);
/* entry.json (one list's entry): parsed for list name (0 or -1), written
 * into dir atomically (0 or -1; with FS_NOSYNC in flags, into a
 * directory no reader sees yet, as a new file and unsynced: fsutil.h's
 * write_new()); 1 if a and b serialise alike. */
int	manifest_entry_parse(const char *name, const char *json, size_t len,
	    struct lf_entry *);
int	manifest_entry_write(const char *dir, const struct lf_entry *,
	    int flags);
int	manifest_entry_same(const struct lf_entry *, const struct lf_entry *);

int	run_read(const char *path, struct lf_run *r);	/* like manifest_read */
int	run_write(const char *dir, const struct lf_run *r);
/* Records live and held (sorted) in r: 0, or -1 when they are more than
 * RUN_LISTS_MAX or a name is not valid (then r records none). */
int	run_set_lists(struct lf_run *r, const struct strlist *live,
	    const struct strlist *held);

#endif
