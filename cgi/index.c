/* index: see index.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "fsutil.h"
#include "guard.h"
#include "index.h"
#include "kind.h"
#include "log.h"
#include "manifest.h"
#include "report.h"
#include "tmpl.h"
#include "valid.h"

#define MARK_BEGIN	"<!-- BEGIN "
#define MARK_END	"<!-- END "
#define MARK_CLOSE	" -->"
#define DEPTH_MAX	3
#define KV_MAX		32

enum sec {
	SEC_ROOT = 0, SEC_LISTS, SEC_EMPTY, SEC_PLAIN, SEC_PLAIN_MAIL,
	SEC_PLAIN_DIGEST, SEC_SYMPA_MAIL, SEC_SYMPA_DIGEST, SEC_ASC, SEC_HELD,
	SEC_FETCHES, SEC_N
};

static const char *const sec_name[SEC_N] = {
	"", "lists", "empty", "plain", "plain_mail", "plain_digest",
	"sympa_mail", "sympa_digest", "asc", "held", "fetches"
};
static const enum sec sec_parent[SEC_N] = {
	SEC_ROOT, SEC_ROOT, SEC_ROOT, SEC_LISTS, SEC_LISTS, SEC_LISTS,
	SEC_LISTS, SEC_LISTS, SEC_LISTS, SEC_ROOT, SEC_ROOT
};
/* The file a section links to (kind.h); KIND_N: none, or per format. */
static const enum lf_kind sec_kind[SEC_N] = {
	KIND_N, KIND_N, KIND_N, KIND_PLAIN, KIND_PLAIN_MAIL,
	KIND_PLAIN_DIGEST, KIND_SYMPA_MAIL, KIND_SYMPA_DIGEST, KIND_FORMAT,
	KIND_N, KIND_N
};

#define ROOT_KEYS	"client", "generation", "generated_at", "result", \
			"run_result", "run_exit", "run_finished", \
			"run_message", "nlists", "plain", "trigger", \
			"sign_key_expires"
#define LIST_KEYS	"list", "count", "mail", "digest", "added", \
			"removed", "changed", "changed_at"
static const char *const keys_root[] = { ROOT_KEYS, NULL };
static const char *const keys_list[] = { ROOT_KEYS, LIST_KEYS, NULL };
static const char *const keys_asc[] = { ROOT_KEYS, LIST_KEYS, "format",
	NULL };
static const char *const keys_held[] = { ROOT_KEYS, LIST_KEYS, "reason",
	"release", NULL };
static const char *const keys_fetch[] = { ROOT_KEYS, "fetch_client",
	"fetch_at", "fetch_generation", NULL };

struct node;

struct item {
	const char	*text;		/* NULL for a section */
	size_t		 len;
	struct node	*child;
};

struct node {
	enum sec	 sec;
	struct item	*items;
	size_t		 n;
};

struct index_tmpl {
	char		*data;
	size_t		 len;
	struct node	 root;
};

static void
node_free(struct node *n)
{
	for (size_t i = 0; i < n->n; i++)
		if (n->items[i].child != NULL) {
			node_free(n->items[i].child);
			free(n->items[i].child);
		}
	free(n->items);
}

void
index_free(struct index_tmpl *t)
{
	if (t == NULL)
		return;
	node_free(&t->root);
	free(t->data);
	free(t);
}

static struct item *
node_add(struct node *n)
{
	struct item *v;

	if ((v = reallocarray(n->items, n->n + 1, sizeof(*v))) == NULL)
		return NULL;
	n->items = v;
	memset(&v[n->n], 0, sizeof(v[n->n]));
	return &v[n->n++];
}

static const char *const *
sec_keys(enum sec s)
{
	switch (s) {
	case SEC_ROOT:
	case SEC_EMPTY:
		return keys_root;
	case SEC_ASC:
		return keys_asc;
	case SEC_HELD:
		return keys_held;
	case SEC_FETCHES:
		return keys_fetch;
	default:
		return keys_list;
	}
}

/* Marker name after "<!-- BEGIN " / "<!-- END ": section or -1. */
static int
mark_name(const char *p, const char **after)
{
	size_t	 len;

	for (len = 0; len < 32 && ((p[len] >= 'a' && p[len] <= 'z') ||
	    p[len] == '_'); len++)
		;
	if (len == 0 || strncmp(p + len, MARK_CLOSE, strlen(MARK_CLOSE)) != 0)
		return -1;
	*after = p + len + strlen(MARK_CLOSE);
	if (**after == '\n')
		(*after)++;
	for (int s = 1; s < SEC_N; s++)
		if (strlen(sec_name[s]) == len && strncmp(p, sec_name[s], len) == 0)
			return s;
	return -1;
}

static int
parse(const char **pp, struct node *n, int depth, char *why, size_t whysz)
{
	const char *p = *pp, *b, *e, *next, *after;
	struct item *it;
	int	 s;

	for (;;) {
		b = strstr(p, MARK_BEGIN);
		e = strstr(p, MARK_END);
		next = b == NULL ? e : (e == NULL || b < e) ? b : e;
		if (next == NULL)
			next = p + strlen(p);
		if (next > p) {
			if ((it = node_add(n)) == NULL)
				goto nomem;
			it->text = p;
			it->len = (size_t)(next - p);
			if (tmpl_check(p, it->len, sec_keys(n->sec), why,
			    whysz) == -1)
				return -1;
		}
		if (*next == '\0') {
			if (n->sec != SEC_ROOT) {
				(void)xsnprintf(why, whysz, "section %s "
				    "not closed", sec_name[n->sec]);
				return -1;
			}
			*pp = next;
			return 0;
		}
		if (next == b) {
			s = mark_name(b + strlen(MARK_BEGIN), &after);
			if (s == -1 || sec_parent[s] != n->sec ||
			    depth >= DEPTH_MAX) {
				(void)xsnprintf(why, whysz, "unknown or "
				    "misplaced section at byte %zu",
				    (size_t)(b - *pp));
				return -1;
			}
			if ((it = node_add(n)) == NULL ||
			    (it->child = calloc(1, sizeof(*it->child))) == NULL)
				goto nomem;
			it->child->sec = (enum sec)s;
			p = after;
			if (parse(&p, it->child, depth + 1, why, whysz) == -1)
				return -1;
			continue;
		}
		s = mark_name(next + strlen(MARK_END), &after);	/* next == e */
		if (s == -1 || (enum sec)s != n->sec) {
			(void)xsnprintf(why, whysz, "unexpected END marker");
			return -1;
		}
		*pp = after;
		return 0;
	}
nomem:
	(void)xsnprintf(why, whysz, "out of memory");
	return -1;
}

struct index_tmpl *
index_load(const char *dir)
{
	struct index_tmpl *t;
	char	 path[4096], why[256] = "";
	const char *p;

	if (xsnprintf(path, sizeof(path), "%s/%s", dir, INDEX_FILE) < 0) {
		log_warnx("%s: path too long", dir);
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		log_warn("calloc");
		return NULL;
	}
	if (read_file(path, INDEX_MAX, &t->data, &t->len) == -1) {
		log_warnx("%s: cannot read the index template", path);
		free(t);
		return NULL;
	}
	if (memchr(t->data, '\0', t->len) != NULL) {
		log_warnx("%s: NUL byte in template", path);
		index_free(t);
		return NULL;
	}
	p = t->data;
	t->root.sec = SEC_ROOT;
	if (parse(&p, &t->root, 0, why, sizeof(why)) == -1) {
		log_warnx("%s: %s", path, why);
		index_free(t);
		return NULL;
	}
	return t;
}

/* Rendering: a stack of key/value pairs. */
struct kv {
	const char	*key;
	const char	*val;
};

struct rctx {
	struct kv	 kv[KV_MAX];
	size_t		 n;
	const struct lf_config	*cfg;
	const struct lf_client	*client;
	const struct lf_manifest *man;
	const struct lf_entry	*list;
	size_t		 nvisible;
	char		 release[sizeof(GUARD_RELEASE) + VALID_LIST_MAX + 2];
	char		 rexit[16], rfin[40], skey[40];	/* push_run() */
};

static void
push(struct rctx *c, const char *key, const char *val)
{
	if (c->n < KV_MAX) {
		c->kv[c->n].key = key;
		c->kv[c->n].val = val != NULL ? val : "";
		c->n++;
	}
}

static int
lookup(void *ctx, const char *key, const char **val, size_t *vallen)
{
	struct rctx *c = ctx;

	for (size_t i = c->n; i > 0; i--)
		if (strcmp(c->kv[i - 1].key, key) == 0) {
			*val = c->kv[i - 1].val;
			*vallen = strlen(*val);
			return 0;
		}
	return -1;
}

static int	render(struct buf *, const struct node *, struct rctx *);

static int
render_list(struct buf *out, const struct node *n, struct rctx *c,
    const struct lf_entry *l)
{
	char	 count[24], mail[24], digest[24], added[24], removed[24],
		 changed[24];
	size_t	 mark = c->n;
	int	 rc;

	(void)snprintf(count, sizeof(count), "%lu", l->count);
	(void)snprintf(mail, sizeof(mail), "%lu", l->mail);
	(void)snprintf(digest, sizeof(digest), "%lu", l->digest);
	(void)snprintf(added, sizeof(added), "%lu", l->added);
	(void)snprintf(removed, sizeof(removed), "%lu", l->removed);
	(void)snprintf(changed, sizeof(changed), "%lld", l->changed);
	push(c, "list", l->name);
	push(c, "count", count);
	push(c, "mail", mail);
	push(c, "digest", digest);
	push(c, "added", added);
	push(c, "removed", removed);
	push(c, "changed", changed);
	push(c, "changed_at", l->changed_at);
	c->list = l;
	rc = render(out, n, c);
	c->list = NULL;
	c->n = mark;		/* the pushed values above are gone again */
	return rc;	/* NOLINT(clang-analyzer-core.StackAddressEscape) */
}

/* The held section: once per list the client sees that the guard holds,
 * with why and the command that publishes it anyway. */
static int
render_held(struct buf *out, const struct node *n, struct rctx *c)
{
	const struct lf_entry *l;
	size_t	 mark;

	for (size_t i = 0; i < c->man->nlists; i++) {
		l = &c->man->lists[i];
		if (l->held == NULL || !valid_list_name(l->name) ||
		    !conf_client_sees(c->client, l->name) ||
		    xsnprintf(c->release, sizeof(c->release), GUARD_RELEASE
		    " %s", l->name) == -1)
			continue;
		mark = c->n;
		push(c, "reason", l->held);
		push(c, "release", c->release);
		if (render_list(out, n, c, l) == -1)
			return -1;
		c->n = mark;
	}
	return 0;
}

/* The fetches section: once per client whose fetches this client may
 * know of (report.h), with its last fetch since start. */
static int
render_fetches(struct buf *out, const struct node *n, struct rctx *c)
{
	const struct lf_client *k;
	struct report_fetch f;
	char	 at[40], gen[24];
	size_t	 mark;

	for (size_t i = 0; i < c->cfg->nclients; i++) {
		k = &c->cfg->clients[i];
		if (!report_sees_client(c->client, k))
			continue;
		report_fetch_get(k->name, &f);
		if (f.ms <= 0 || rfc3339(f.ms, at, sizeof(at)) == -1)
			(void)snprintf(at, sizeof(at), "not since start");
		if (f.ms <= 0)
			(void)snprintf(gen, sizeof(gen), "-");
		else
			(void)snprintf(gen, sizeof(gen), "%lld", f.generation);
		mark = c->n;
		push(c, "fetch_client", k->name);
		push(c, "fetch_at", at);
		push(c, "fetch_generation", gen);
		if (render(out, n, c) == -1)
			return -1;
		c->n = mark;
	}
	return 0;
}

static int
render_section(struct buf *out, const struct node *n, struct rctx *c)
{
	const struct lf_entry *l;
	enum lf_kind kind = sec_kind[n->sec];
	size_t	 i, mark;

	if (n->sec == SEC_HELD)
		return render_held(out, n, c);
	if (n->sec == SEC_FETCHES)
		return render_fetches(out, n, c);
	/* The per-list sections stand inside lists (checked at load). */
	if (n->sec != SEC_LISTS && n->sec != SEC_EMPTY && c->list == NULL)
		return 0;
	switch (n->sec) {
	case SEC_LISTS:
		for (i = 0; i < c->man->nlists; i++) {
			l = &c->man->lists[i];
			if (!valid_list_name(l->name) ||
			    !conf_client_sees(c->client, l->name))
				continue;
			if (render_list(out, n, c, l) == -1)
				return -1;
		}
		return 0;
	case SEC_EMPTY:
		return c->nvisible == 0 ? render(out, n, c) : 0;
	case SEC_ASC:
		l = c->list;	/* render() below leaves it as it is */
		for (i = 0; kind_may_fetch(kind, c->client->plain) &&
		    i < l->nfiles; i++) {
			if (l->files[i].kind != kind)
				continue;
			mark = c->n;
			push(c, "format", l->files[i].format);
			if (render(out, n, c) == -1)
				return -1;
			c->n = mark;
		}
		return 0;
	default:
		if (kind == KIND_N)
			return -1;
		break;
	}
	if (kind_may_fetch(kind, c->client->plain) &&
	    manifest_entry_file(c->list, kind, NULL) != NULL)
		return render(out, n, c);
	return 0;
}

static int
render(struct buf *out, const struct node *n, struct rctx *c)
{
	for (size_t i = 0; i < n->n; i++) {
		const struct item *it = &n->items[i];

		if (it->child != NULL) {
			if (render_section(out, it->child, c) == -1)
				return -1;
		} else if (tmpl_expand(out, it->text, it->len, lookup, c,
		    ESC_HTML) == -1)
			return -1;
	}
	return 0;
}

/* The keys about the last run (run may be NULL) and the signing key. */
static void
push_run(struct rctx *c, const struct lf_run *run)
{
	if (run == NULL) {
		push(c, "run_result", "none");
		push(c, "run_exit", "-");
		push(c, "run_finished", "never");
		push(c, "run_message", "");
		push(c, "sign_key_expires", "not known");
		return;
	}
	(void)snprintf(c->rexit, sizeof(c->rexit), "%d", run->exit);
	if (run->finished_ms <= 0 ||
	    rfc3339(run->finished_ms, c->rfin, sizeof(c->rfin)) == -1)
		(void)snprintf(c->rfin, sizeof(c->rfin), "not finished");
	if (!run->sign_key.known)
		(void)snprintf(c->skey, sizeof(c->skey), "not known");
	else if (run->sign_key.expires == 0)
		(void)snprintf(c->skey, sizeof(c->skey), "never");
	else if (rfc3339(run->sign_key.expires * 1000, c->skey,
	    sizeof(c->skey)) == -1)
		(void)snprintf(c->skey, sizeof(c->skey), "%lld",
		    run->sign_key.expires);
	push(c, "run_result", run->result);
	push(c, "run_exit", c->rexit);
	push(c, "run_finished", c->rfin);
	push(c, "run_message", run->message);
	push(c, "sign_key_expires", c->skey);
}

int
index_render(struct buf *out, const struct index_tmpl *t,
    const struct lf_config *cfg, const struct lf_client *client,
    const struct lf_manifest *man, const struct lf_run *run)
{
	struct rctx c;
	char	 gen[24], gat[40], nlists[24];

	memset(&c, 0, sizeof(c));
	c.cfg = cfg;
	c.client = client;
	c.man = man;
	for (size_t i = 0; i < man->nlists; i++)
		if (valid_list_name(man->lists[i].name) &&
		    conf_client_sees(client, man->lists[i].name))
			c.nvisible++;

	(void)snprintf(gen, sizeof(gen), "%lld", man->generation);
	if (man->generated_ms <= 0 ||
	    rfc3339(man->generated_ms, gat, sizeof(gat)) == -1)
		(void)snprintf(gat, sizeof(gat), "never");
	(void)snprintf(nlists, sizeof(nlists), "%zu", c.nvisible);
	push(&c, "client", client->name);
	push(&c, "generation", gen);
	push(&c, "generated_at", gat);
	push(&c, "result", man->result != NULL ? man->result : "none");
	push_run(&c, run);
	push(&c, "nlists", nlists);
	push(&c, "plain", client->plain ? "yes" : "no");
	push(&c, "trigger", client->trigger ? "yes" : "no");
	if (render(out, &t->root, &c) == -1 || buf_failed(out))
		return -1;
	return 0;
}
