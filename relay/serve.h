/*
 * serve: the loopback HTTP server Sympa reads (libmicrohttpd, one
 * internal thread).  Answers, to GET and HEAD only (else 405):
 *
 *   /lists/NAME                      the whole list's last verified copy
 *   /lists/NAME?reception=mail       the members who get each message
 *   /lists/NAME?reception=digest     the digest members
 *       200  text/plain: the verified cleartext as the generator signed
 *            it (its "#" header lines, which Sympa skips, then one
 *            member per line)
 *       503  no verified copy yet (Sympa then keeps its members)
 *       404  NAME is not a configured list
 *       400  a bad list name, any other query, or a parameter twice
 *   /-/status                        200 application/json (sources.h)
 *   anything else                    404
 */
#ifndef LF_SERVE_H
#define LF_SERVE_H

#include "sources.h"

struct serve;

/* A listening TCP socket on host:port (close-on-exec); -1 logged. */
int	serve_listen(const char *host, unsigned short port);

/* Starts answering on listenfd (taken over).  NULL (logged) on failure. */
struct serve *serve_start(int listenfd, struct sources *);
/* Stops answering; waits for the thread. */
void	serve_stop(struct serve *);

#endif
