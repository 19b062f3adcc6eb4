/*
 * rconf: the relay's configuration, /etc/listfeed/relay.conf
 * (listfeed-relay(8)).  One INI section [relay] with exactly these keys
 * (the names are a contract; a key outside this list, another section or
 * a key outside any section is refused with FILE:LINE):
 *
 *   listen      loopback address and port Sympa connects to
 *               (127.0.0.1:8787; IPv4 127.0.0.0/8 or [::1] only)
 *   url         the feed's base URL, https only, no query (required)
 *   cert, key   the client certificate and its key, absolute paths
 *               (required)
 *   ca          CA file that verifies the feed server
 *               (/etc/ssl/certs/ca-certificates.crt)
 *   gnupghome   GNUPGHOME with the provider's secret key
 *               (/var/lib/listfeed-relay/gnupg)
 *   feed_key    full primary fingerprint of the generator's signing key,
 *               40 hex digits (required)
 *   lists       list names, separated by white space (at least one;
 *               the key may repeat, or continue on indented lines)
 *   refresh     seconds between two fetches of every source, 1..86400
 *               (300)
 *   max_shrink  guard.h, percent 0..100 (20)
 *   min_shrink  guard.h, members (5)
 *   state       directory of the state file (/var/lib/listfeed-relay)
 *
 * Every other key may be given once.  Nothing here exits; errors are
 * logged with the file and line.
 */
#ifndef LF_RCONF_H
#define LF_RCONF_H

#include "strlist.h"

#define RCONF_DEFAULT_PATH	"/etc/listfeed/relay.conf"
#define RCONF_DEFAULT_LISTEN	"127.0.0.1:8787"
#define RCONF_DEFAULT_CA	"/etc/ssl/certs/ca-certificates.crt"
#define RCONF_DEFAULT_GNUPGHOME	"/var/lib/listfeed-relay/gnupg"
#define RCONF_DEFAULT_STATE	"/var/lib/listfeed-relay"
#define RCONF_DEFAULT_REFRESH	300

struct rconf {
	char		*path;		/* the file read */
	char		*listen;	/* as written */
	char		 listen_host[64];	/* "127.0.0.1" or "::1" */
	unsigned short	 listen_port;
	char		*url;		/* without a trailing '/' */
	char		 url_host[256];
	unsigned short	 url_port;	/* 443 unless the URL names one */
	char		*cert, *key, *ca, *gnupghome, *state;
	char		 feed_key[41];	/* upper-case hex */
	struct strlist	 lists;
	unsigned	 refresh, max_shrink, min_shrink;
};

/* 0, or -1 (logged as "FILE:LINE: reason" or "FILE: reason"). */
int	rconf_load(const char *path, struct rconf *);
void	rconf_free(struct rconf *);

#endif
