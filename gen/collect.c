/* collect: see collect.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "log.h"
#include "valid.h"

#define ARENA_CHUNK	(256 * 1024)

struct arena {
	struct arena	*next;
	size_t		 used, cap;
	char		 data[];
};

static char *
arena_dup(struct collect *c, const char *s, size_t n)
{
	struct arena	*a = c->arena;
	size_t		 cap;
	char		*p;

	if (a == NULL || a->cap - a->used < n + 1) {
		cap = n + 1 > ARENA_CHUNK ? n + 1 : ARENA_CHUNK;
		if ((a = malloc(sizeof(*a) + cap)) == NULL)
			return NULL;
		a->next = c->arena;
		a->used = 0;
		a->cap = cap;
		c->arena = a;
	}
	p = a->data + a->used;
	memcpy(p, s, n);
	p[n] = '\0';
	a->used += n + 1;
	return p;
}

void
collect_init(struct collect *c)
{
	memset(c, 0, sizeof(*c));
}

static uint64_t
hash_name(const char *s, size_t n)
{
	uint64_t	 h = 1469598103934665603ULL;	/* FNV-1a */
	size_t		 i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int
rehash(struct collect *c)
{
	size_t	 nslots = c->nslots ? c->nslots * 2 : 64, i, j;
	size_t	*slots;

	if ((slots = calloc(nslots, sizeof(*slots))) == NULL)
		return -1;
	for (i = 0; i < c->nlists; i++) {
		j = hash_name(c->lists[i].name, strlen(c->lists[i].name)) &
		    (nslots - 1);
		while (slots[j] != 0)
			j = (j + 1) & (nslots - 1);
		slots[j] = i + 1;
	}
	free(c->slots);
	c->slots = slots;
	c->nslots = nslots;
	return 0;
}

/* The list called name (n bytes, valid), created if new; NULL: no memory. */
static struct members *
get_list(struct collect *c, const char *name, size_t n)
{
	struct members	*l;
	size_t		 j;

	if (c->nslots == 0 && rehash(c) == -1)
		return NULL;
	j = hash_name(name, n) & (c->nslots - 1);
	for (; c->slots[j] != 0; j = (j + 1) & (c->nslots - 1)) {
		l = &c->lists[c->slots[j] - 1];
		if (strncmp(l->name, name, n) == 0 && l->name[n] == '\0')
			return l;
	}
	if (c->nlists == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;

		if ((l = reallocarray(c->lists, cap, sizeof(*l))) == NULL)
			return NULL;
		c->lists = l;
		c->cap = cap;
	}
	l = &c->lists[c->nlists];
	memset(l, 0, sizeof(*l));
	memcpy(l->name, name, n);
	l->name[n] = '\0';
	c->slots[j] = ++c->nlists;
	if (c->nlists * 2 > c->nslots && rehash(c) == -1)
		return NULL;
	return &c->lists[c->nlists - 1];
}

/* mail | digest, or the seed view's words; NULL and "" mean mail. */
static int
parse_reception(const char *s, size_t n)
{
	static const struct { const char *w; int digest; } words[] = {
		{ "mail", 0 }, { "0", 0 }, { "digest", 1 },
		{ "digestplain", 1 }, { "1", 1 },
	};
	size_t	 i;

	if (s == NULL || n == 0)
		return 0;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].w) == n && strncmp(words[i].w, s, n) == 0)
			return words[i].digest;
	return -1;
}

/*
 * The first name: its own column, else the raw full name up to its first
 * white space, cleaned.  The raw name, not the cleaned one: the seed's
 * view writes first_name ' ' last_name, so a name that starts with a
 * space has no first name (" Bakker" is a last name alone).
 */
static size_t
first_name(const struct db_row *r, char *out, size_t outsz)
{
	size_t	 n;

	if (r->first != NULL)
		return valid_clean_name(r->first, r->first_len, out, outsz);
	for (n = 0; r->name != NULL && n < r->name_len; n++)
		if (r->name[n] == ' ' || (r->name[n] >= '\t' &&
		    r->name[n] <= '\r') || (r->name[n] == '\xc2' &&
		    n + 1 < r->name_len && r->name[n + 1] == '\xa0'))
			break;		/* space, \t-\r, no-break space */
	return valid_clean_name(r->name, n, out, outsz);
}

/* The first 8 bytes of s, big-endian, zero-padded: compares like strcmp. */
static uint64_t
key_prefix(const char *s)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 0; i < 8; i++) {
		v <<= 8;
		if (*s != '\0')
			v |= (unsigned char)*s++;
	}
	return v;
}

int
collect_row(void *ctx, const struct db_row *r)
{
	struct collect	*c = ctx;
	struct members	*l;
	struct member	*m;
	char		 email[VALID_EMAIL_MAX + 1], key[VALID_EMAIL_MAX + 1];
	char		 name[VALID_NAME_BYTES + 1], first[VALID_NAME_BYTES + 1];
	size_t		 nlen, flen, elen;
	int		 digest;

	c->rows++;
	if (r->list == NULL || !valid_list_name_n(r->list, r->list_len)) {
		c->rejects[REJ_LIST]++;
		return 0;
	}
	if (r->email == NULL || valid_email(r->email, r->email_len, email,
	    sizeof(email)) != EMAIL_OK) {
		c->rejects[REJ_EMAIL]++;
		return 0;
	}
	if ((digest = parse_reception(r->reception, r->reception_len)) == -1) {
		c->rejects[REJ_RECEPTION]++;
		return 0;
	}
	nlen = valid_clean_name(r->name, r->name != NULL ? r->name_len : 0,
	    name, sizeof(name));
	flen = first_name(r, first, sizeof(first));
	elen = strlen(email);
	valid_lower(email, key, sizeof(key));
	if ((l = get_list(c, r->list, r->list_len)) == NULL)
		goto nomem;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;

		if ((m = reallocarray(l->m, cap, sizeof(*m))) == NULL)
			goto nomem;
		l->m = m;
		l->cap = cap;
	}
	m = &l->m[l->n];
	m->email = arena_dup(c, email, elen);
	m->key = strcmp(email, key) == 0 ? m->email : arena_dup(c, key, elen);
	m->name = arena_dup(c, name, nlen);
	m->first = (flen == nlen && memcmp(name, first, nlen) == 0) ?
	    m->name : arena_dup(c, first, flen);
	if (m->email == NULL || m->key == NULL || m->name == NULL ||
	    m->first == NULL)
		goto nomem;
	m->kpre = key_prefix(key);
	m->digest = (unsigned char)digest;
	m->owner = r->owner != 0;
	m->moderator = r->moderator != 0;
	l->n++;
	return 0;
nomem:
	c->nomem = 1;
	log_warnx("out of memory reading row %lu", c->rows);
	return -1;
}

static int
cmp_member(const void *a, const void *b)
{
	const struct member	*x = a, *y = b;
	int			 d;

	/* The prefix orders as strcmp() would, without a cache miss. */
	if (x->kpre != y->kpre)
		return x->kpre < y->kpre ? -1 : 1;
	if ((d = strcmp(x->key, y->key)) != 0)
		return d;
	if (x->digest != y->digest)		/* mail first: mail wins */
		return x->digest - y->digest;
	if ((d = strcmp(x->email, y->email)) != 0)
		return d;
	return strcmp(x->name, y->name);
}

static int
cmp_list(const void *a, const void *b)
{
	return strcmp(((const struct members *)a)->name,
	    ((const struct members *)b)->name);
}

static void
dedup(struct collect *c, struct members *l)
{
	size_t	 i, o = 0;

	if (l->n > 1)
		qsort(l->m, l->n, sizeof(*l->m), cmp_member);
	for (i = 0; i < l->n; i++) {
		if (o > 0 && l->m[o - 1].kpre == l->m[i].kpre &&
		    strcmp(l->m[o - 1].key, l->m[i].key) == 0) {
			l->m[o - 1].owner |= l->m[i].owner;
			l->m[o - 1].moderator |= l->m[i].moderator;
			c->rejects[REJ_DUPLICATE]++;
			continue;
		}
		l->m[o++] = l->m[i];
	}
	l->n = o;
	l->mail = l->digest = 0;
	for (i = 0; i < l->n; i++) {
		if (l->m[i].digest)
			l->digest++;
		else
			l->mail++;
	}
}

int
collect_finish(struct collect *c)
{
	size_t	 i;

	for (i = 0; i < c->nlists; i++)
		dedup(c, &c->lists[i]);
	if (c->nlists > 1)
		qsort(c->lists, c->nlists, sizeof(*c->lists), cmp_list);
	free(c->slots);		/* indices are stale after the sort */
	c->slots = NULL;
	c->nslots = 0;
	return c->nomem ? -1 : 0;
}

const struct members *
collect_find(const struct collect *c, const char *name)
{
	struct members	 key;

	size_t		 len = strlen(name);

	memset(&key, 0, sizeof(key));
	if (c->nlists == 0 || len >= sizeof(key.name))
		return NULL;
	memcpy(key.name, name, len + 1);
	return bsearch(&key, c->lists, c->nlists, sizeof(*c->lists),
	    cmp_list);
}

void
collect_free(struct collect *c)
{
	struct arena	*a, *next;
	size_t		 i;

	for (i = 0; i < c->nlists; i++)
		free(c->lists[i].m);
	free(c->lists);
	free(c->slots);
	for (a = c->arena; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
	memset(c, 0, sizeof(*c));
}

const char *
reject_name(enum reject_reason r)
{
	switch (r) {
	case REJ_LIST:
		return "invalid list name";
	case REJ_EMAIL:
		return "invalid email";
	case REJ_RECEPTION:
		return "invalid reception mode";
	case REJ_DUPLICATE:
		return "duplicate address (merged)";
	default:
		return "other";
	}
}
