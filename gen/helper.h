/*
 * helper: one child process that answers requests over a socket pair.
 *
 * helper_start() forks the child, which calls the serve function for each
 * request and sends back its reply, until the parent closes its end (or
 * exits).  helper_call() sends one request and waits for its reply.  Both
 * ends must be used by one thread at a time.
 *
 * A message is an operation code, a result code and HELPER_NB byte
 * strings (each may be empty, at most HELPER_MAX bytes).
 *
 * Why a process: fork() copies the page tables of the whole process.
 * A child forked while the parent is small starts other programs (gpg)
 * several times faster than the parent can once it holds large data.
 *
 * The child blocks SIGINT, SIGTERM and SIGHUP: it ends when the parent's
 * end closes, so that the parent decides when work stops.  If the child
 * dies, helper_call() fails, logs once why, and helper_alive() is 0 until
 * helper_start() runs again.
 */
#ifndef LF_HELPER_H
#define LF_HELPER_H

#include <stdint.h>

#include "buf.h"

#define HELPER_NB	3
#define HELPER_MAX	(1U << 30)

struct helper_msg {
	uint32_t	 op;
	int32_t		 rc;
	struct buf	 b[HELPER_NB];
};

/* Fills rep (already reset) from req; runs in the child. */
typedef void	helper_serve_fn(const struct helper_msg *req,
		    struct helper_msg *rep);

void	helper_msg_init(struct helper_msg *);
void	helper_msg_reset(struct helper_msg *);
void	helper_msg_free(struct helper_msg *);

/* Forks the child (not from a thread).  0, or -1 logged. */
int	helper_start(helper_serve_fn *);
/* 1 in the parent while its child runs; 0 in the child and without one. */
int	helper_alive(void);
/* The child's process id, or -1. */
long	helper_pid(void);
/* Sends req, reads rep.  0, or -1 (logged) if the child is gone. */
int	helper_call(const struct helper_msg *req, struct helper_msg *rep);
/* Closes the parent's end and waits for the child. */
void	helper_stop(void);

#endif
