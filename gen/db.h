/*
 * db: reads the subscriber rows from MariaDB.
 *
 A connection is configured by the [database] section and the MariaDB
 * option file it names (defaults_file, group).  The option file holds the
 * secrets, so it must be a regular file that neither group nor others can
 * read or write (secret_file_ok()).  It is read by lib/optfile (optfile.h:
 * an allow-list of keys, no includes) on every connect, and only the
 * settings read there reach the library: Connector/C itself never reads
 * an option file here.  db_read() connects for its one read; a struct db
 * (db_new()) keeps its connection from one db_read_on() to the next and
 * connects again, with every rule below, when the last read failed or the
 * connection no longer answers (server restarted, connection killed).
 *
 * tls = required means: TLS 1.2 or 1.3 is in use and the server's
 * certificate was verified (chain and host name; ssl-ca in the option
 * file, else the system store), before the server learns anything.  This
 * holds for TCP and for the Unix socket alike (MariaDB speaks TLS on
 * both; over the socket the certificate must name localhost).  The
 * session is checked again after connecting and closed unless TLS is in
 * use and verified.
 * tls = disabled connects without TLS and warns once per process.
 * In both modes the password is only ever used by mysql_native_password
 * or client_ed25519 (MARIADB_OPT_RESTRICTED_AUTH): a server that asks for
 * a plugin that sends the password itself (mysql_clear_password, dialog,
 * sha256_password, caching_sha2_password) is refused: the password never
 * leaves as it is.
 * The connection character set is utf8mb4.
 *
 * Columns are found by name, case-insensitively, whatever their order:
 *   list                              required
 *   user_subscriber or email          required
 *   comment_subscriber or name        optional
 *   first_name                        optional
 *   digest or reception               optional (raw value)
 *   owner, moderator                  optional (integer, non-zero = 1)
 * Other columns are ignored.  Rows are streamed (mysql_use_result): the
 * whole result is never held in memory.
 */
#ifndef LF_DB_H
#define LF_DB_H

#include <stddef.h>

#include "conf.h"

/*
 * One row.  The strings point into the library's buffer and live until
 * the callback returns; they are not NUL-terminated and may contain NUL
 * bytes: use the lengths.  A missing column or an SQL NULL gives NULL
 * with length 0 (list and email included: the caller rejects such rows).
 */
struct db_row {
	const char	*list;		size_t list_len;
	const char	*email;		size_t email_len;
	const char	*name;		size_t name_len;
	const char	*first;		size_t first_len;
	const char	*reception;	size_t reception_len;
	int		 owner;		/* 0 or 1 */
	int		 moderator;	/* 0 or 1 */
};

/* Called once per row; a non-zero return stops the read (DB_ERR_CALLBACK). */
typedef int (*db_row_fn)(void *ctx, const struct db_row *);

enum db_status {
	DB_OK = 0,
	DB_ERR_CONFIG,		/* option file or list names unusable */
	DB_ERR_CONNECT,		/* connect or log-in failed */
	DB_ERR_TLS,		/* tls = required and the session is not */
	DB_ERR_QUERY,		/* the query failed or returned no rows set */
	DB_ERR_COLUMNS,		/* list or email column missing or doubled */
	DB_ERR_READ,		/* the result broke off mid-stream */
	DB_ERR_CALLBACK,	/* fn returned non-zero */
	DB_ERR_ORDER,		/* a list's rows not together (readpipe.h) */
	DB_ERR_MEMORY		/* out of memory keeping the rows */
};

/*
 * Connects, runs cfg->query (one statement; trailing white space and
 * semicolons are dropped) and passes every row to fn.  With nonly > 0,
 * only the rows whose `list` column is one of only_lists (list names,
 * valid_list_name()) are read: the query is wrapped as
 *   SELECT * FROM (query) AS lf WHERE lf.list IN (...) ORDER BY lf.list
 * so the column must be called `list` in the query's result.
 * Every error except DB_ERR_CALLBACK is logged with MariaDB's message;
 * the password is never logged.  Rows passed before an error must be
 * discarded by the caller.
 */
enum db_status db_read(const struct lf_config *cfg,
	    const char *const *only_lists, size_t nonly,
	    db_row_fn fn, void *ctx);

/*
 * A connection kept across reads, for one configuration.  db_new() only
 * allocates (NULL: out of memory) and must be called before any thread
 * uses the library; db_read_on() is db_read() on that connection (made
 * or made again as needed), from any one thread at a time that called
 * mysql_thread_init(); after an error the connection is closed.  Each
 * read is a snapshot of its own: the connection runs with autocommit on
 * and any transaction is ended after each read, so a server whose
 * autocommit is off (globally or by init_connect) never keeps a kept
 * connection on an old snapshot.
 */
struct db;
struct db	*db_new(void);
enum db_status	 db_read_on(struct db *, const struct lf_config *cfg,
		    const char *const *only_lists, size_t nonly,
		    db_row_fn fn, void *ctx);
void		 db_free(struct db *);
/* Around the use of the library in a thread of its own. */
void		 db_thread_begin(void);
void		 db_thread_end(void);

const char	*db_strerror(enum db_status);

#endif
