/*
 * optfile: the MariaDB option file (listfeed.conf's defaults_file), read
 * through an allow-list.  The one reader of that file: listfeed-gen takes
 * the connection's settings from here and passes each one to Connector/C
 * itself, so the library never reads the file (gen/db.c); the generator's
 * sandbox takes the port and the certificate paths from here.
 *
 * The syntax is Connector/C 3.3's (libmariadb/ma_default.c), narrowed:
 *  - one setting per line, "key = value"; lines of at most OPTFILE_LINE_MAX
 *    bytes; no NUL byte; white space is space, tab, CR, VT, FF;
 *  - blank lines and lines starting with '#' or ';' are comments (a '#'
 *    after a value is part of the value, as in Connector/C);
 *  - "[group]" with nothing after ']' but white space; only the groups
 *    Connector/C reads for listfeed: client, client-server, client-mariadb
 *    and the configured group (exact case); every setting is inside one;
 *  - a key is what stands before '=', without surrounding white space, in
 *    lower case, '_' and '-' alike; no "loose-" or other prefix; a key
 *    without '=' is refused;
 *  - a value is what follows '=', without surrounding white space; if it
 *    starts with a quote (' or ") it must end with the same quote, which
 *    are removed; inside, \\ \" \' and \s (a space) are the only escapes;
 *    a value is printable ASCII (space allowed inside quotes or between
 *    words) and not empty;
 *  - refused: !include and !includedir, a line starting with a quote or a
 *    backslash (Connector/C skips or misreads them), any key not below.
 * A key set twice keeps its last value, as in Connector/C.
 *
 * Allowed keys and their values:
 *   host                   a host name or an IP address
 *   port                   1 to 65535
 *   socket                 an absolute path
 *   user, password, database
 *   ssl-ca, ssl-cert, ssl-key, ssl-crl, ssl-capath, ssl-crlpath
 *                          absolute paths
 *   ssl-verify-server-cert 1 only (verification is always on)
 *   default-character-set  utf8mb4 only (the connection's character set)
 * Everything else (connection, restricted-auth, default-auth, plugin-dir,
 * init-command, tls-version, ssl-fp, local-infile, protocol, ...) is an
 * error naming the key, the file and the line.
 */
#ifndef LF_OPTFILE_H
#define LF_OPTFILE_H

#include <stddef.h>

#define OPTFILE_MAX		(64 * 1024)	/* bytes */
#define OPTFILE_LINE_MAX	1024		/* bytes, newline included */
#define OPTFILE_PORT_DEFAULT	3306

enum optfile_key {
	OPTFILE_HOST, OPTFILE_PORT, OPTFILE_SOCKET, OPTFILE_USER,
	OPTFILE_PASSWORD, OPTFILE_DATABASE, OPTFILE_SSL_CA, OPTFILE_SSL_CERT,
	OPTFILE_SSL_KEY, OPTFILE_SSL_CRL, OPTFILE_SSL_CAPATH,
	OPTFILE_SSL_CRLPATH, OPTFILE_SSL_VERIFY, OPTFILE_CHARSET,
	OPTFILE_NKEYS
};

/* The settings: each value as Connector/C would read it, NULL if unset. */
struct optfile {
	char	*val[OPTFILE_NKEYS];
};

/* Do not log the reasons of a refusal (the caller falls back). */
#define OPTFILE_QUIET	0x1

/*
 * Parses text (len bytes; name and group as above) into *of, which the
 * caller frees with optfile_free() whatever the result.  0, or -1 after
 * logging every refused line as "name:line: ..." (unless OPTFILE_QUIET).
 */
int	optfile_parse(const char *name, const char *text, size_t len,
	    const char *group, int flags, struct optfile *of);

/*
 * Reads the file at path: a secret file (secret_file_ok()) of at most
 * OPTFILE_MAX bytes, then optfile_parse().  0 or -1, as above.
 */
int	optfile_load(const char *path, const char *group, int flags,
	    struct optfile *of);

/* Zeroes every value (the password among them), then frees it. */
void	optfile_free(struct optfile *);

/* The key's name as this file spells it ("ssl-ca"). */
const char	*optfile_key_name(enum optfile_key);

/* The port to connect to: port, else OPTFILE_PORT_DEFAULT. */
unsigned	 optfile_port(const struct optfile *);

#endif
