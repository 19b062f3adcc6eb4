/*
 * fuzz_conf: listfeed.conf(5) through conf_load() (lib/conf.c), the INI
 * file that holds the ACL.  The input is written to a temporary file.
 *
 * Invariants of an accepted configuration:
 *  - every [list] and [client] name passes its allow-list, none twice;
 *  - every client has a fingerprint or a subject; fingerprints are 40
 *    lower-case hex digits; lists a client sees are valid list names;
 *  - formats are valid format names, max_shrink is 0..100, names and tls
 *    are known values, paths are absolute;
 *  - accel_prefix (it goes into the X-Accel-Redirect header) starts and
 *    ends with '/', holds only visible ASCII, no "..", '?', '#' or '%';
 *  - conf_client_find() by each fingerprint finds a client that holds it,
 *    and never finds one by subject when it has a fingerprint;
 *  - client names (written to the audit log line) pass the list-name
 *    allow-list.
 */
#include "fuzz.h"
#include "conf.h"
#include "valid.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	(void)fuzz_tmpdir();
	return 0;
}

static void
check_formats(const struct strlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		FUZZ_ASSERT(valid_format_name(l->v[i]), "format \"%s\"",
		    l->v[i]);
}

static void
check_abs(const char *what, const char *s)
{
	FUZZ_ASSERT(s != NULL && s[0] == '/', "%s not absolute", what);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lf_config		 c;
	const struct lf_client		*cl, *f;
	const char			*path, *a;
	size_t				 i, j, k;

	path = fuzz_write("listfeed.conf", data, size);
	if (conf_load(path, &c) == -1)
		return 0;

	check_abs("defaults_file", c.defaults_file);
	check_abs("feed dir", c.feed_dir);
	check_abs("trigger_socket", c.trigger_socket);
	check_abs("templates", c.templates);
	FUZZ_ASSERT(c.group != NULL && c.query != NULL, "defaults");
	FUZZ_ASSERT(c.tls == TLS_REQUIRED || c.tls == TLS_DISABLED, "tls");
	FUZZ_ASSERT(c.formats.n > 0, "no formats");
	check_formats(&c.formats);

	a = c.accel_prefix;
	FUZZ_ASSERT(a != NULL && a[0] == '/' && a[strlen(a) - 1] == '/' &&
	    strstr(a, "..") == NULL && strpbrk(a, "?#%") == NULL,
	    "accel_prefix \"%s\"", a);
	for (; *a != '\0'; a++)
		FUZZ_ASSERT((unsigned char)*a > 0x20 && (unsigned char)*a < 0x7f,
		    "accel_prefix byte 0x%02x", (unsigned char)*a);

	for (i = 0; i < c.nlists; i++) {
		FUZZ_ASSERT(valid_list_name(c.lists[i].name), "[list %s]",
		    c.lists[i].name);
		for (j = 0; j < i; j++)
			FUZZ_ASSERT(strcmp(c.lists[i].name, c.lists[j].name),
			    "[list %s] twice", c.lists[i].name);
		FUZZ_ASSERT(c.lists[i].max_shrink <= 100, "max_shrink");
		FUZZ_ASSERT(c.lists[i].names <= NAMES_NONE, "names");
		FUZZ_ASSERT(conf_list(&c, c.lists[i].name) == &c.lists[i],
		    "conf_list");
		check_formats(&c.lists[i].formats);
		FUZZ_ASSERT(conf_list_formats(&c, c.lists[i].name)->n > 0,
		    "effective formats");
	}

	for (i = 0; i < c.nclients; i++) {
		cl = &c.clients[i];
		FUZZ_ASSERT(valid_list_name(cl->name), "client name");
		for (j = 0; j < i; j++)
			FUZZ_ASSERT(strcmp(cl->name, c.clients[j].name),
			    "[client %s] twice", cl->name);
		FUZZ_ASSERT(cl->fingerprints.n > 0 || cl->subject != NULL,
		    "[client %s]: neither fingerprint nor subject", cl->name);
		for (k = 0; k < cl->lists.n; k++) {
			FUZZ_ASSERT(valid_list_name(cl->lists.v[k]),
			    "client list \"%s\"", cl->lists.v[k]);
			FUZZ_ASSERT(conf_client_sees(cl, cl->lists.v[k]),
			    "conf_client_sees");
		}
		for (k = 0; k < cl->fingerprints.n; k++) {
			FUZZ_ASSERT(valid_fingerprint(cl->fingerprints.v[k]),
			    "fingerprint \"%s\"", cl->fingerprints.v[k]);
			f = conf_client_find(&c, cl->fingerprints.v[k], NULL);
			FUZZ_ASSERT(f != NULL && strlist_has(&f->fingerprints,
			    cl->fingerprints.v[k]), "conf_client_find");
		}
		if (cl->subject != NULL) {
			f = conf_client_find(&c, NULL, cl->subject);
			FUZZ_ASSERT(f == NULL || (f->fingerprints.n == 0 &&
			    strcmp(f->subject, cl->subject) == 0),
			    "found by subject despite a fingerprint");
		}
	}
	conf_free(&c);
	return 0;
}
