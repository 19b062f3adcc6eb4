/* pair: see pair.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pair.h"

struct addr {
	const char	*s;
	size_t		 len;
};

struct addrs {
	struct addr	*v;
	size_t		 n;
};

static int
addr_cmp(const void *a, const void *b)
{
	const struct addr *x = a, *y = b;
	size_t		 n = x->len < y->len ? x->len : y->len;
	int		 c = memcmp(x->s, y->s, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* The addresses of a file (member lines only), sorted.  0 or -1. */
static int
addrs_of(const struct pair_file *f, struct addrs *a)
{
	const char	*p, *end, *nl, *tab;
	size_t		 cap = 0;
	struct addr	*v;

	a->v = NULL;
	a->n = 0;
	if (f == NULL || f->data == NULL)
		return 0;
	for (p = f->data, end = f->data + f->len; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (p == nl || *p == '#')
			continue;
		if (a->n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((v = reallocarray(a->v, cap, sizeof(*v))) == NULL) {
				free(a->v);
				return -1;
			}
			a->v = v;
		}
		tab = memchr(p, '\t', (size_t)(nl - p));
		a->v[a->n].s = p;
		a->v[a->n].len = (size_t)((tab != NULL ? tab : nl) - p);
		a->n++;
	}
	if (a->n > 1)
		qsort(a->v, a->n, sizeof(*a->v), addr_cmp);
	return 0;
}

static int
has(const struct addrs *a, const struct addr *x)
{
	return a->n > 0 &&
	    bsearch(x, a->v, a->n, sizeof(*a->v), addr_cmp) != NULL;
}

int
pair_check(const struct pair_file *old, const struct pair_file *new_,
    const struct pair_file *all, const struct pair_file *other, char *why,
    size_t whysz)
{
	struct addrs	 o, n, l, t;
	size_t		 i;
	int		 rc = 0;

	if (old == NULL || old->data == NULL || all == NULL ||
	    all->data == NULL)
		return 0;
	memset(&n, 0, sizeof(n));
	memset(&l, 0, sizeof(l));
	memset(&t, 0, sizeof(t));
	if (addrs_of(old, &o) == -1)
		return -1;
	if (addrs_of(new_, &n) == -1 || addrs_of(all, &l) == -1 ||
	    addrs_of(other, &t) == -1) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < o.n; i++) {
		if (has(&n, &o.v[i]) || !has(&l, &o.v[i]) || has(&t, &o.v[i]))
			continue;
		(void)snprintf(why, whysz, "%.*s left this file but is still "
		    "in the list and not yet in the other reception's file: "
		    "waiting for that file", (int)(o.v[i].len > 100 ? 100 :
		    o.v[i].len), o.v[i].s);
		rc = 1;
		break;
	}
out:
	free(o.v);
	free(n.v);
	free(l.v);
	free(t.v);
	return rc;
}
