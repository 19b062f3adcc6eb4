/* secbuf: see secbuf.h. */
#include <sys/mman.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secbuf.h"

struct secbuf {
	atomic_uint	 refs;
	char		*p;
	size_t		 len, cap, max;
};

static void *
map(size_t sz)
{
	void	*p;

	p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	(void)madvise(p, sz, MADV_DONTDUMP);
	/* Not in the children gpg runs from: fork() neither copies its
	 * page tables nor shares the cleartext. */
	(void)madvise(p, sz, MADV_DONTFORK);
	(void)mlock(p, sz);	/* best effort: RLIMIT_MEMLOCK */
	return p;
}

static void
unmap(void *p, size_t sz)
{
	if (p == NULL)
		return;
	explicit_bzero(p, sz);
	(void)munlock(p, sz);
	(void)munmap(p, sz);
}

struct secbuf *
secbuf_new(size_t max)
{
	struct secbuf	*b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	atomic_init(&b->refs, 1);
	b->max = max;
	return b;
}

int
secbuf_add(struct secbuf *b, const void *data, size_t len)
{
	size_t	 cap, page = (size_t)sysconf(_SC_PAGESIZE);
	char	*p;

	if (len > b->max - b->len) {
		errno = EFBIG;
		return -1;
	}
	if (b->len + len + 1 > b->cap) {
		for (cap = b->cap ? b->cap : 16 * page; cap < b->len + len + 1;
		    cap *= 2)
			;
		if ((p = map(cap)) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		if (b->len > 0)
			memcpy(p, b->p, b->len);
		unmap(b->p, b->cap);
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

const char *
secbuf_data(const struct secbuf *b)
{
	return b->p != NULL ? b->p : "";
}

size_t
secbuf_len(const struct secbuf *b)
{
	return b->len;
}

struct secbuf *
secbuf_ref(struct secbuf *b)
{
	atomic_fetch_add(&b->refs, 1);
	return b;
}

void
secbuf_unref(struct secbuf *b)
{
	if (b == NULL || atomic_fetch_sub(&b->refs, 1) != 1)
		return;
	unmap(b->p, b->cap);
	free(b);
}

int
secbuf_sink(void *ctx, const void *data, size_t len)
{
	return secbuf_add(ctx, data, len);
}
