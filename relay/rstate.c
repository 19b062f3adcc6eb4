/* rstate: see rstate.h. */
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "rstate.h"

#define FIRST	"# listfeed-relay state 1\n"

static void
entry_hdr(const struct rstate_entry *e, struct sympafile_hdr *h)
{
	memset(h, 0, sizeof(*h));
	(void)snprintf(h->list, sizeof(h->list), "%s", e->list);
	h->reception = e->rec;
	h->generation = e->generation;
	h->count = e->count;
	(void)snprintf(h->time, sizeof(h->time), "%s", e->time);
}

/* Values as the signed header allows them (sympafile_header() checks). */
static int
entry_valid(const struct rstate_entry *e)
{
	struct sympafile_hdr	 h;
	struct buf		 b = BUF_INIT;
	int			 rc;

	entry_hdr(e, &h);
	rc = sympafile_header(&b, &h);
	buf_free(&b);
	return rc == 0 && e->count <= 1000000000UL;
}

/* A decimal of 1 to 18 digits without a leading zero. */
static int
num(const char *s, size_t n, unsigned long long *v)
{
	size_t	 i;

	if (n == 0 || n > 18 || (s[0] == '0' && n > 1))
		return -1;
	for (*v = 0, i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned long long)(s[i] - '0');
	}
	return 0;
}

/* One line without its "\n" into e. */
static int
parse_line(const char *s, size_t len, struct rstate_entry *e)
{
	const char		*f[5];
	size_t			 fl[5], i, k = 0;
	unsigned long long	 g, c;

	f[0] = s;
	for (i = 0; i < len; i++) {
		if (s[i] != ' ')
			continue;
		if (++k == 5)
			return -1;
		fl[k - 1] = (size_t)(s + i - f[k - 1]);
		f[k] = s + i + 1;
	}
	if (k != 4)
		return -1;
	fl[4] = (size_t)(s + len - f[4]);
	memset(e, 0, sizeof(*e));
	if (!valid_list_name_n(f[0], fl[0]) || fl[4] != 20 ||
	    num(f[2], fl[2], &g) == -1 || num(f[3], fl[3], &c) == -1)
		return -1;
	memcpy(e->list, f[0], fl[0]);
	for (i = 0; i < 3; i++) {
		const char *r = sympafile_reception_name(
		    (enum sympafile_reception)i);
		if (strlen(r) == fl[1] && memcmp(r, f[1], fl[1]) == 0)
			break;
	}
	if (i == 3 || c > 1000000000ULL)
		return -1;
	e->rec = (enum sympafile_reception)i;
	e->generation = (long long)g;
	e->count = (unsigned long)c;
	memcpy(e->time, f[4], 20);
	return entry_valid(e) ? 0 : -1;
}

/* An entry, for sorting them without moving them. */
struct ref {
	const struct rstate_entry	*e;
};

/* Orders entries by list, reception, then place in the file. */
static int
by_source(const void *a, const void *b)
{
	const struct rstate_entry *x = ((const struct ref *)a)->e;
	const struct rstate_entry *y = ((const struct ref *)b)->e;
	int	 c;

	if ((c = strcmp(x->list, y->list)) != 0)
		return c;
	if (x->rec != y->rec)
		return x->rec < y->rec ? -1 : 1;
	return x < y ? -1 : x > y;
}

/*
 * The first entry, in file order, of a source an earlier entry names, in
 * *dup: 1, else 0; -1 when out of memory.  Sorted, not compared pairwise:
 * a state of thousands of sources is read for every file accepted.
 */
static int
named_twice(const struct rstate *st, size_t *dup)
{
	struct ref	*r;
	size_t		 i, k;
	int		 found = 0;

	if (st->n < 2)
		return 0;
	if ((r = reallocarray(NULL, st->n, sizeof(*r))) == NULL)
		return -1;
	for (i = 0; i < st->n; i++)
		r[i].e = &st->v[i];
	qsort(r, st->n, sizeof(*r), by_source);
	for (i = 1; i < st->n; i++) {
		k = (size_t)(r[i].e - st->v);
		if (strcmp(r[i - 1].e->list, r[i].e->list) == 0 &&
		    r[i - 1].e->rec == r[i].e->rec && (!found || k < *dup)) {
			*dup = k;
			found = 1;
		}
	}
	free(r);
	return found;
}

/* Appends e, growing st by doubling (cap: its room).  0, or -1. */
static int
append(struct rstate *st, size_t *cap, const struct rstate_entry *e)
{
	struct rstate_entry	*v;
	size_t			 ncap;

	if (st->n == *cap) {
		ncap = *cap ? *cap * 2 : 64;
		if ((v = reallocarray(st->v, ncap, sizeof(*v))) == NULL)
			return -1;
		st->v = v;
		*cap = ncap;
	}
	st->v[st->n++] = *e;
	return 0;
}

int
rstate_parse(const char *data, size_t len, struct rstate *st, char *why,
    size_t whysz)
{
	struct rstate_entry	 e;
	const char		*p = data, *end = data + len, *nl;
	unsigned long		 line = 1;
	size_t			 cap = 0, dup = 0;
	int			 rc;

	memset(st, 0, sizeof(*st));
	if (len < sizeof(FIRST) - 1 ||
	    memcmp(data, FIRST, sizeof(FIRST) - 1) != 0) {
		(void)snprintf(why, whysz, "line 1: not a listfeed-relay "
		    "state file");
		return -1;
	}
	for (p += sizeof(FIRST) - 1; p < end; p = nl + 1) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
		    parse_line(p, (size_t)(nl - p), &e) == -1) {
			(void)snprintf(why, whysz, "line %lu: not \"NAME "
			    "RECEPTION GENERATION COUNT TIME\"", line);
			goto fail;
		}
		if (append(st, &cap, &e) == -1)
			goto oom;
	}
	/* Entry i is on line i + 2. */
	if ((rc = named_twice(st, &dup)) == -1)
		goto oom;
	if (rc == 1) {
		(void)snprintf(why, whysz, "line %zu: %s %s named twice",
		    dup + 2, st->v[dup].list,
		    sympafile_reception_name(st->v[dup].rec));
		goto fail;
	}
	return 0;
oom:
	(void)snprintf(why, whysz, "out of memory");
fail:
	rstate_free(st);
	return -1;
}

int
rstate_format(const struct rstate *st, struct buf *out)
{
	size_t	 i;

	(void)buf_puts(out, FIRST);
	for (i = 0; i < st->n; i++)
		(void)buf_printf(out, "%s %s %lld %lu %s\n", st->v[i].list,
		    sympafile_reception_name(st->v[i].rec),
		    st->v[i].generation, st->v[i].count, st->v[i].time);
	return buf_failed(out) ? -1 : 0;
}

int
rstate_load(const char *dir, struct rstate *st)
{
	char	 path[4096], why[128], *data = NULL;
	size_t	 len = 0;
	int	 rc;

	memset(st, 0, sizeof(*st));
	if (xsnprintf(path, sizeof(path), "%s/%s", dir, RSTATE_FILE) == -1) {
		log_warnx("%s: path too long", dir);
		return -1;
	}
	if (read_file(path, RSTATE_MAX, &data, &len) == -1) {
		if (errno == ENOENT)
			return 0;
		log_warn("%s", path);
		return -1;
	}
	if ((rc = rstate_parse(data, len, st, why, sizeof(why))) == -1)
		log_warnx("%s: %s (repair or remove it: it guards against "
		    "replayed files)", path, why);
	free(data);
	return rc;
}

int
rstate_save(const char *dir, const struct rstate *st)
{
	struct buf	 b = BUF_INIT;
	int		 rc = -1;

	if (rstate_format(st, &b) == -1)
		log_warnx("%s/%s: out of memory", dir, RSTATE_FILE);
	else if (atomic_write(dir, RSTATE_FILE, b.data, b.len, 0600) == -1)
		log_warn("%s/%s", dir, RSTATE_FILE);
	else
		rc = 0;
	buf_free(&b);
	return rc;
}

int
rstate_lock(const char *dir)
{
	int	 fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_warn("%s", dir);
		return -1;
	}
	while (flock(fd, LOCK_EX) == -1)
		if (errno != EINTR) {
			log_warn("%s: flock", dir);
			(void)close(fd);
			return -1;
		}
	return fd;
}

void
rstate_unlock(int fd)
{
	if (fd != -1)
		(void)close(fd);	/* releases the flock */
}

int
rstate_commit(const char *dir, struct rstate *st,
    const struct rstate_entry *e)
{
	struct rstate_entry	*old, prev;

	if ((old = rstate_find(st, e->list, e->rec)) != NULL) {
		prev = *old;
		*old = *e;
	} else if (rstate_set(st, e) == -1) {
		log_warnx("%s/%s: out of memory", dir, RSTATE_FILE);
		return -1;
	}
	if (rstate_save(dir, st) == 0)
		return 0;
	if (old != NULL)
		*old = prev;
	else
		st->n--;	/* rstate_set() appended it */
	return -1;
}

struct rstate_entry *
rstate_find(struct rstate *st, const char *list, enum sympafile_reception r)
{
	size_t	 i;

	for (i = 0; i < st->n; i++)
		if (st->v[i].rec == r && strcmp(st->v[i].list, list) == 0)
			return &st->v[i];
	return NULL;
}

int
rstate_set(struct rstate *st, const struct rstate_entry *e)
{
	struct rstate_entry	*v;

	if ((v = rstate_find(st, e->list, e->rec)) != NULL) {
		*v = *e;
		return 0;
	}
	if ((v = reallocarray(st->v, st->n + 1, sizeof(*v))) == NULL)
		return -1;
	st->v = v;
	st->v[st->n++] = *e;
	return 0;
}

void
rstate_free(struct rstate *st)
{
	free(st->v);
	st->v = NULL;
	st->n = 0;
}
