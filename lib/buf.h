/*
 * buf: a growable byte buffer, always NUL-terminated after data[len].
 *
 * An allocation failure is sticky: every later call returns -1 and
 * buf_failed() says so, so callers may check once at the end.
 */
#ifndef LF_BUF_H
#define LF_BUF_H

#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	int	 failed;
};

#define BUF_INIT { NULL, 0, 0, 0 }

void	buf_init(struct buf *);
void	buf_free(struct buf *);
void	buf_reset(struct buf *);		/* len = 0, keeps memory */
int	buf_add(struct buf *, const void *, size_t);
int	buf_addc(struct buf *, char);
int	buf_puts(struct buf *, const char *);
int	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	buf_failed(const struct buf *);
/* Returns data ("" for an empty buffer), never NULL. */
const char *buf_str(const struct buf *);

#endif
