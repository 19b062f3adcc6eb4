/*
 * fuzz_manifest: FEED/manifest.json through manifest_parse()
 * (lib/manifest.c), and everything the responder builds from it: the
 * HTML index (cgi/index.c, the real templates/index.html), /-/status,
 * /-/metrics and the regenerate report (cgi/report.c).  After the first
 * NUL byte, the input is FEED/run.json, read with run_read().
 *
 * Invariants:
 *  - an accepted manifest has valid, sorted, unique list names, and file
 *    paths that are relative, without "..", empty or "." segments, in
 *    [A-Za-z0-9._-/] (checked as properties, not by a copy of
 *    valid_rel_path()); a clear-text kind only under plain/ and never
 *    ending in .asc, every other kind ending in .asc outside plain/;
 *  - manifest_dump() of it parses again and dumps to the same text;
 *  - the index page, for a client that sees every list and one that sees
 *    one: every '<' in it opens a tag the template itself has (nothing
 *    from the manifest or run.json makes markup), and it is valid UTF-8;
 *  - an accepted run.json's live and held (the lists its run made live
 *    and held) are valid list names, each sorted and unique, at most
 *    RUN_LISTS_MAX together, and run_write() of it reads back alike;
 *  - status and regenerate answers are one line of valid JSON that names
 *    only lists the client sees; every metrics line is a comment or
 *    "name{label="value"} number" with a list name as the value.
 */
#include <jansson.h>

#include "fuzz.h"
#include "conf.h"
#include "index.h"
#include "manifest.h"
#include "report.h"
#include "valid.h"

static const char conf_text[] =
	"[client all]\n"
	"fingerprint = 2f8e4c61a09d37b5e812c4f06a9b3d7e51c08f24\n"
	"lists = *\n"
	"plain = yes\n"
	"trigger = yes\n"
	"[client one]\n"
	"fingerprint = 5d1c8a03e7449bf260ad3e71c908b52f94e61a7c\n"
	"lists = deelnemers\n"
	"[client crm]\n"
	"fingerprint = 0b7e2a4d96c15f38e07a1d2c4b69f80e3a5c7d12\n"
	"trigger = yes\n";

static struct lf_config		 cfg;
static struct report_self	 self = { .cfg = &cfg,
	.conf_loaded_ms = 1764000000000LL, .waiting = 1, .waiting_max = 2 };
static struct index_tmpl	*tmpl;
static char			 tags[64][16];
static size_t			 ntags;

/* The tag names that open in the template: "<name" or "</name", "<!". */
static void
collect_tags(const char *dir)
{
	char	 path[256], *data, name[16];
	size_t	 len, i, k, j;
	FILE	*f;

	(void)snprintf(path, sizeof(path), "%s/index.html", dir);
	if ((f = fopen(path, "r")) == NULL || (data = malloc(65536)) == NULL)
		abort();
	len = fread(data, 1, 65535, f);
	(void)fclose(f);
	for (i = 0; i < len; i++) {
		if (data[i] != '<')
			continue;
		for (k = 0; i + 1 + k < len && k < sizeof(name) - 1 &&
		    strchr(" >\n", data[i + 1 + k]) == NULL; k++)
			name[k] = data[i + 1 + k];
		name[k] = '\0';
		for (j = 0; j < ntags && strcmp(tags[j], name) != 0; j++)
			;
		if (j == ntags && ntags < sizeof(tags) / sizeof(tags[0]))
			memcpy(tags[ntags++], name, sizeof(name));
	}
	free(data);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (conf_load(fuzz_write("acl.conf", conf_text, sizeof(conf_text) - 1),
	    &cfg) == -1 || (tmpl = index_load(fuzz_templates())) == NULL) {
		fprintf(stderr, "fuzz_manifest: cannot load the config or %s/"
		    "index.html\n", fuzz_templates());
		abort();
	}
	collect_tags(fuzz_templates());
	/* A fetch to report (status, metrics, index). */
	report_start();
	report_fetch("one", 3);
	return 0;
}

/*
 * A path the responder may hand to nginx, stated as properties of the
 * whole string rather than by walking it as valid_rel_path() does: at
 * most VALID_REL_PATH_MAX bytes of [A-Za-z0-9._-/], no ".." anywhere,
 * and, framed as "/PATH/", no "//" (empty segment, leading or trailing
 * '/') and no "/./".
 */
static int
path_ok(const char *p)
{
	char	 framed[VALID_REL_PATH_MAX + 3];
	size_t	 n = strlen(p);

	if (n == 0 || n > VALID_REL_PATH_MAX)
		return 0;
	(void)snprintf(framed, sizeof(framed), "/%s/", p);
	return strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-/") == n && strstr(p, "..") == NULL &&
	    strstr(framed, "//") == NULL && strstr(framed, "/./") == NULL;
}

static void
check_html(const struct buf *b)
{
	const char	*s = buf_str(b);
	size_t		 i, j, tl;

	FUZZ_ASSERT(fuzz_utf8(s, b->len, NULL) >= 0, "index: invalid UTF-8");
	FUZZ_ASSERT(strlen(s) == b->len, "index: NUL");
	for (i = 0; i < b->len; i++) {
		if (s[i] != '<')
			continue;
		for (j = 0; j < ntags; j++) {
			tl = strlen(tags[j]);
			if (b->len - i - 1 >= tl &&
			    memcmp(s + i + 1, tags[j], tl) == 0 &&
			    strchr(" >\n", s[i + 1 + tl]) != NULL)
				break;
		}
		FUZZ_ASSERT(j < ntags, "index: markup not from the template: "
		    "%.40s", s + i);
	}
}

/* One line of JSON; returns the object (caller frees). */
static json_t *
check_json(const struct buf *b, const char *what)
{
	json_t		*o;
	json_error_t	 err;

	FUZZ_ASSERT(b->len > 0 && b->data[b->len - 1] == '\n' &&
	    memchr(b->data, '\n', b->len) == b->data + b->len - 1,
	    "%s: not one line", what);
	o = json_loadb(b->data, b->len, 0, &err);
	FUZZ_ASSERT(json_is_object(o), "%s: not a JSON object: %s", what,
	    err.text);
	return o;
}

static void
check_lists_seen(json_t *o, const struct lf_client *c, int every,
    const char *what)
{
	const char	*k;
	json_t		*v;

	json_object_foreach(json_object_get(o, "lists"), k, v)
		FUZZ_ASSERT(valid_list_name(k) && (every ||
		    conf_client_sees(c, k)),
		    "%s: list \"%s\" not seen by %s", what, k, c->name);
	json_object_foreach(json_object_get(o, "held"), k, v)
		FUZZ_ASSERT(valid_list_name(k) && conf_client_sees(c, k),
		    "%s: held list \"%s\" not seen by %s", what, k, c->name);
}

/* -?[0-9]+(\.[0-9]+)? */
static int
number_ok(const char *s, size_t n)
{
	size_t	 i = 0, d;

	if (i < n && s[i] == '-')
		i++;
	for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (i == d)
		return 0;
	if (i == n)
		return 1;
	if (s[i++] != '.')
		return 0;
	for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		;
	return i == n && i > d;
}

static void
check_metrics(const struct buf *b)
{
	const char	*s = buf_str(b), *e, *sp;
	size_t		 n;

	for (; *s != '\0'; s = e + 1) {
		e = strchr(s, '\n');
		FUZZ_ASSERT(e != NULL, "metrics: no final newline");
		n = (size_t)(e - s);
		if (s[0] == '#')
			continue;
		sp = memchr(s, ' ', n);
		FUZZ_ASSERT(sp != NULL && sp > s, "metrics: no value");
		FUZZ_ASSERT(strspn(s, "abcdefghijklmnopqrstuvwxyz_") ==
		    (size_t)(sp - s) || s[strspn(s,
		    "abcdefghijklmnopqrstuvwxyz_")] == '{', "metrics: name");
		FUZZ_ASSERT(number_ok(sp + 1, (size_t)(e - sp - 1)),
		    "metrics: value \"%.*s\"", (int)(e - sp - 1), sp + 1);
		FUZZ_ASSERT(memchr(s, '"', n) == NULL ||
		    memchr(s, '\\', n) == NULL, "metrics: escape in a label");
	}
}

static void
check_client(const struct lf_client *c, const struct lf_manifest *m,
    const struct lf_run *run)
{
	struct buf	 b = BUF_INIT;
	json_t		*o;
	int		 failed;

	FUZZ_ASSERT(index_render(&b, tmpl, &cfg, c, m, run) == 0, "index");
	check_html(&b);
	buf_reset(&b);
	FUZZ_ASSERT(report_status(&b, c, m, run, &self) == 0, "status");
	o = check_json(&b, "status");
	check_lists_seen(o, c, 0, "status");
	json_decref(o);
	buf_reset(&b);
	FUZZ_ASSERT(report_metrics(&b, c, m, run, &self) == 0, "metrics");
	check_metrics(&b);
	if (run != NULL) {
		buf_reset(&b);
		FUZZ_ASSERT(report_regenerate(&b, c, m, run, "", &failed) == 0,
		    "regenerate");
		o = check_json(&b, "regenerate");
		/* The change report: every list to the CRM. */
		check_lists_seen(o, c, c->trigger, "regenerate");
		json_decref(o);
	}
	buf_free(&b);
}

static void
check_run(const struct lf_run *run)
{
	struct lf_run	 back;
	char		 path[128];
	size_t		 i;

	FUZZ_ASSERT(run->nlive + run->nheld <= RUN_LISTS_MAX &&
	    (run->lists_known || run->nlive + run->nheld == 0), "run: lists");
	for (i = 0; i < run->nlive + run->nheld; i++)
		FUZZ_ASSERT(valid_list_name(run->lists[i]) && (i == 0 ||
		    i == run->nlive || strcmp(run->lists[i - 1],
		    run->lists[i]) < 0), "run: list \"%s\"", run->lists[i]);
	FUZZ_ASSERT(run_write(fuzz_tmpdir(), run) == 0, "run: write");
	(void)snprintf(path, sizeof(path), "%s/" RUN_NAME, fuzz_tmpdir());
	FUZZ_ASSERT(run_read(path, &back) == 0, "run: written, not read");
	FUZZ_ASSERT(back.lists_known == run->lists_known &&
	    back.nlive == run->nlive && back.nheld == run->nheld &&
	    memcmp(back.lists, run->lists, (run->nlive + run->nheld) *
	    sizeof(run->lists[0])) == 0 && back.generation == run->generation,
	    "run: written, read back otherwise");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t		*nul;
	struct lf_manifest	 m, m2;
	struct lf_run		 run, *rp = NULL;
	size_t			 mlen, i, k;
	char			*d1, *d2;

	nul = memchr(data, '\0', size);
	mlen = nul != NULL ? (size_t)(nul - data) : size;
	if (manifest_parse((const char *)data, mlen, &m) == -1)
		return 0;
	if (nul != NULL && run_read(fuzz_write("run.json", nul + 1,
	    size - mlen - 1), &run) == 0) {
		check_run(&run);
		rp = &run;
	}

	for (i = 0; i < m.nlists; i++) {
		FUZZ_ASSERT(valid_list_name(m.lists[i].name), "list name");
		if (i > 0)
			FUZZ_ASSERT(strcmp(m.lists[i - 1].name,
			    m.lists[i].name) < 0, "lists not sorted");
		FUZZ_ASSERT(manifest_find(&m, m.lists[i].name) == &m.lists[i],
		    "manifest_find");
		for (k = 0; k < m.lists[i].nfiles; k++) {
			const struct lf_entry_file *f = &m.lists[i].files[k];

			FUZZ_ASSERT(path_ok(f->path), "file path \"%s\"",
			    f->path);
			/* A clear file only under plain/, never as .asc. */
			FUZZ_ASSERT((strncmp(f->path, "plain/", 6) == 0) ==
			    (f->kind == KIND_PLAIN || f->kind == KIND_PLAIN_MAIL ||
			    f->kind == KIND_PLAIN_DIGEST) &&
			    (strncmp(f->path, "plain/", 6) == 0) !=
			    (strlen(f->path) > 4 && strcmp(f->path +
			    strlen(f->path) - 4, ".asc") == 0),
			    "kind %d at \"%s\"", (int)f->kind, f->path);
		}
	}

	if ((d1 = manifest_dump(&m)) != NULL) {
		FUZZ_ASSERT(manifest_parse(d1, strlen(d1), &m2) == 0,
		    "dump does not parse");
		d2 = manifest_dump(&m2);
		FUZZ_ASSERT(d2 != NULL && strcmp(d1, d2) == 0,
		    "dump, parse, dump changes it");
		free(d2);
		manifest_free(&m2);
		free(d1);
	}

	/* Both sides of a failing configuration reload. */
	self.conf_failed_ms = (size & 1) ? 1764000001000LL : 0;
	for (i = 0; i < cfg.nclients; i++)
		check_client(&cfg.clients[i], &m, rp);
	manifest_free(&m);
	return 0;
}
