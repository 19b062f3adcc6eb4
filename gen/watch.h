/*
 * watch: listfeed-gen --watch.
 *
 * Binds the trigger socket ([feed] trigger_socket: AF_UNIX, SOCK_DGRAM,
 * mode 0660, so only its group, the responder's, can write to it) and
 * regenerates when a trigger arrives and every [feed] interval.  A
 * trigger is one datagram (lib/trigmsg.h) for all lists or one.  A
 * trigger that finds no generation in the last second starts one at
 * once; triggers closer together are merged into one generation a second
 * after the previous one started (only the named lists, or everything if
 * any trigger named none).  A thread of its own reads the socket, so
 * triggers sent during a generation are never refused.  SIGTERM or
 * SIGINT end the loop after the
 * current generation; SIGHUP starts a full generation.  A full
 * generation that fails with an I/O or database error (exit 1 or 2: not
 * everything published) is run again a minute later, then after twice as
 * long on each failure in a row, at most the interval (an hour if none).
 *
 * Returns the exit status: 0 after a signal, 1 if the socket cannot be
 * set up.
 */
#ifndef LF_WATCH_H
#define LF_WATCH_H

#include "conf.h"
#include "crypt.h"
#include "generate.h"

int	watch_run(const struct lf_config *, struct crypt *,
	    const struct gen_opts *);
/* When the next full generation is due, in ms (-1: none): the last one
 * started at last (ms), fails full ones in a row have failed (above),
 * interval is [feed] interval. */
long long watch_next_full(long long last, unsigned interval,
	    unsigned fails);

#endif
