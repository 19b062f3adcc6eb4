/*
 * trigger: asks the generator for a run and waits for its end.
 *
 * The generator (listfeed-gen --watch) listens on an AF_UNIX datagram
 * socket ([feed] trigger_socket).  One datagram per request
 * (lib/trigmsg.h), for all lists or for one.
 * Completion is read from FEED/run.json (lib/manifest.h): the run asked
 * for has started_ms >= the time noted before sending, and a non-zero
 * finished_ms.
 *
 * A wait holds a worker thread for up to TRIGGER_WAIT_MAX seconds, so
 * only trigger_waiters_max(threads) waits run at once; past that a
 * request is refused (429) before anything is sent, and the other
 * threads stay free for list downloads.
 */
#ifndef LF_TRIGGER_H
#define LF_TRIGGER_H

#include "manifest.h"

#define TRIGGER_WAIT_MAX	60	/* seconds */
#define TRIGGER_POLL_MS		50
#define TRIGGER_RETRY_AFTER	"5"	/* seconds, with a 429 */

enum wait_result { WAIT_DONE = 0, WAIT_TIMEOUT, WAIT_STOPPED };

/* 0 sent, -1 no generator there (missing socket, refused; logged). */
int	trigger_send(const char *socket_path, const char *list);

/*
 * Polls run_path every TRIGGER_POLL_MS for at most seconds (1..60) until a
 * run started at or after t0_ms has finished; fills *run on WAIT_DONE.
 * Returns early with WAIT_STOPPED once the responder stops (state.h).
 */
enum wait_result trigger_wait(const char *run_path, long long t0_ms,
	    int seconds, struct lf_run *run);

/*
 * Waits that may run at once with this many worker threads: a quarter
 * of them, at least one when there are two threads or more, none with
 * one thread.  Set once, before the workers start.
 */
unsigned trigger_waiters_max(unsigned threads);
void	trigger_set_waiters(unsigned max);
/* Takes a waiter's place: 0, or -1 when the bound is reached. */
int	trigger_wait_enter(void);
void	trigger_wait_leave(void);
/* Waits in progress now, and the bound. */
unsigned trigger_waiting(void);
unsigned trigger_waiting_max(void);

#endif
