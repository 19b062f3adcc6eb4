/*
 * index: the HTML index page, from TEMPLATES/index.html.
 *
 * The template is HTML with {key} placeholders (lib/tmpl.h, every value
 * HTML-escaped) and sections between marker comments on their own:
 *
 *   <!-- BEGIN lists -->  once per list the client sees
 *     <!-- BEGIN plain -->         if it may fetch the Sympa text
 *     <!-- BEGIN plain_mail -->    ... the mail-reception file
 *     <!-- BEGIN plain_digest -->  ... the digest-reception file
 *     <!-- BEGIN sympa_mail -->    if the list has the encrypted Sympa
 *     <!-- BEGIN sympa_digest -->  file of that reception
 *     <!-- BEGIN asc -->           once per encrypted format
 * Each links to the file of one kind (lib/kind.h), shown only to a
 * client that may fetch that kind, only when the manifest lists it.
 *   <!-- BEGIN empty -->  once if the client sees no list
 *   <!-- BEGIN held -->   once per list the client sees that the shrink
 *                         guard holds
 *   <!-- BEGIN fetches -->  once per client whose fetches the client may
 *                         know of (report.h): itself, and each client
 *                         whose every list it sees
 * each closed by <!-- END name -->, nested as shown.
 *
 * Keys everywhere: client, generation, generated_at, result, run_result,
 * run_exit, run_finished, run_message, nlists, plain, trigger,
 * sign_key_expires (RFC 3339, "never" or "not known").
 * In lists (and its sections) and held: list, count, mail, digest, added,
 * removed, changed, changed_at.  In asc: format.  In held: reason (why it
 * is held), release (the command that publishes it anyway).  In
 * fetches: fetch_client, fetch_at (RFC 3339, or "not since start"),
 * fetch_generation ("-" for none).
 *
 * index_load() checks the whole template (structure and keys) so a bad
 * template is refused at start-up or reload, never at request time.
 */
#ifndef LF_INDEX_H
#define LF_INDEX_H

#include "buf.h"
#include "conf.h"
#include "manifest.h"

#define INDEX_FILE	"index.html"
#define INDEX_MAX	(64 * 1024)

struct index_tmpl;

/* NULL with the reason logged. */
struct index_tmpl *index_load(const char *dir);
void	index_free(struct index_tmpl *);

/* run may be NULL (no run.json).  0, or -1 (out of memory). */
int	index_render(struct buf *out, const struct index_tmpl *,
	    const struct lf_config *, const struct lf_client *,
	    const struct lf_manifest *, const struct lf_run *run);

#endif
