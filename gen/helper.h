/*
 * helper: one child process that answers requests over a socket pair.
 *
 * helper_start() forks the child, which calls the answer function for each
 * request and sends back its reply, until the parent closes its end (or
 * exits).  helper_call() sends one request and waits for its reply.  Both
 * ends must be used by one thread at a time.
 *
 * A request or a reply is one byte string of at most HELPER_MAX bytes,
 * sent as its length (4 bytes, host order: both ends are one program on
 * one machine) and the bytes.  What the bytes mean is the caller's
 * (cryptmsg.h): this module only carries them.
 *
 * Why a process: fork() copies the page tables of the whole process.
 * A child forked while the parent is small starts other programs (gpg)
 * at the cost of its own size, not of the parent's large data.
 *
 * The child blocks SIGINT, SIGTERM and SIGHUP: it ends when the parent's
 * end closes, so that the parent decides when work stops.  If the child
 * dies, helper_call() fails, logs once why, and helper_alive() is 0 until
 * helper_start() runs again.
 */
#ifndef LF_HELPER_H
#define LF_HELPER_H

#include <stddef.h>

#include "buf.h"

#define HELPER_MAX	(1U << 30)

/*
 * Answers the request req (len bytes) by appending the reply to rep
 * (empty); runs in the child.  A reply that fails (buf_failed()) or
 * grows past HELPER_MAX ends the child.
 */
typedef void	helper_answer_fn(const void *req, size_t len,
	    struct buf *rep);

/* Forks the child (not from a thread).  0, or -1 logged. */
int	helper_start(helper_answer_fn *);
/* 1 in the parent while its child runs; 0 in the child and without one. */
int	helper_alive(void);
/*
 * Sends req, reads the reply into rep (reset first).  0, or -1 (logged)
 * if req is too large or the child is gone.
 */
int	helper_call(const struct buf *req, struct buf *rep);
/* Closes the parent's end and waits for the child. */
void	helper_stop(void);

#endif
