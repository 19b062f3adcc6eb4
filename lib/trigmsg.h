/*
 * trigmsg: the trigger datagram, the one message listfeed.fcgi sends to
 * listfeed-gen --watch over the AF_UNIX datagram socket [feed]
 * trigger_socket.  Both programs use this codec: the responder formats,
 * the generator parses.
 *
 * A datagram is exactly one of
 *	"regenerate"		a full generation
 *	"regenerate NAME"	the list NAME only (valid_list_name())
 * followed by at most one LF; trigmsg_format() always writes the LF.
 * Nothing else is accepted: no other word, white space, case, NUL byte
 * or second line.  A datagram has at most TRIGMSG_MAX bytes; a receiver
 * reads at most that many (a longer one arrives cut and is refused).
 */
#ifndef LF_TRIGMSG_H
#define LF_TRIGMSG_H

#include <stddef.h>

#include "valid.h"

#define TRIGMSG_MAX	128

/*
 * Writes the datagram for list (NULL or "" for all lists) into out
 * (outsz bytes; TRIGMSG_MAX + 1 is always enough), NUL-terminated.
 * Returns its length without the NUL, or -1 (list not a valid list name,
 * out too small).
 */
int	trigmsg_format(char *out, size_t outsz, const char *list);

/*
 * Parses the len bytes at msg (not NUL-terminated, may hold NULs).
 * Returns 0 with list set to the name, "" for all lists, or -1 with
 * list "".
 */
int	trigmsg_parse(const char *msg, size_t len,
	    char list[VALID_LIST_MAX + 1]);

#endif
