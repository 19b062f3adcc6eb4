/*
 * trigger: asks the generator for a run and waits for its end.
 *
 * The generator (listfeed-gen --watch) listens on an AF_UNIX datagram
 * socket ([feed] trigger_socket).  One datagram per request
 * (lib/trigmsg.h), for all lists or for one.
 * Completion is read from FEED/run.json (lib/manifest.h): the run asked
 * for has started_ms >= the time noted before sending, and a non-zero
 * finished_ms.
 */
#ifndef LF_TRIGGER_H
#define LF_TRIGGER_H

#include "manifest.h"

#define TRIGGER_WAIT_MAX	60	/* seconds */
#define TRIGGER_POLL_MS		50

enum wait_result { WAIT_DONE = 0, WAIT_TIMEOUT, WAIT_STOPPED };

/* 0 sent, -1 no generator there (missing socket, refused; logged). */
int	trigger_send(const char *socket_path, const char *list);

/*
 * Polls run_path every TRIGGER_POLL_MS for at most seconds (1..60) until a
 * run started at or after t0_ms has finished; fills *run on WAIT_DONE.
 * Returns early with WAIT_STOPPED once trigger_stop() was called.
 */
enum wait_result trigger_wait(const char *run_path, long long t0_ms,
	    int seconds, struct lf_run *run);

/* From the signal thread: ends every wait in progress. */
void	trigger_stop(void);
int	trigger_stopping(void);

#endif
