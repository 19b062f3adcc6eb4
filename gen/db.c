/*
 * db: the MariaDB side of listfeed-gen (db.h).
 *
 * What Connector/C 3.3 does, and what this file does about it:
 *  - Given an option file (MYSQL_READ_DEFAULT_FILE), the library reads it
 *    inside mysql_real_connect(), after every mysql_optionsv() call here,
 *    so the file overrides them; and it reads more than it shows: a line
 *    "connection = ssl-verify-server-cert=0" holds further settings,
 *    "restricted-auth" and "default-auth" choose how the password is
 *    sent, "!include" pulls in files nobody checked.  So the library is
 *    never given the file: lib/optfile.c reads it through an allow-list
 *    and each allowed setting is passed here with mysql_optionsv().
 *  - A server picks the authentication plugin, and mysql_clear_password
 *    sends the password as it is, even in the first packet when the
 *    server's greeting names that plugin.  MARIADB_OPT_RESTRICTED_AUTH
 *    (a comma-separated list, which Connector/C 3.3 matches as a
 *    substring: no name listed may contain a clear-text plugin's name)
 *    allows only AUTH_PLUGINS; a server asking for another plugin gets
 *    nothing.
 *  - The session is checked after connecting (session_check) against
 *    what the library reports it actually used.
 *  - MYSQL_OPT_SSL_ENFORCE alone falls back to clear text when the server
 *    has no TLS; with MYSQL_OPT_SSL_VERIFY_SERVER_CERT it refuses.
 *  - With a LOCAL INFILE request, a server could read any file this
 *    process can (the signing key): the handlers below refuse them all.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <errmsg.h>
#include <mysql.h>

#include "buf.h"
#include "conf.h"
#include "db.h"
#include "fsutil.h"
#include "log.h"
#include "optfile.h"
#include "valid.h"

#define TLS_VERSIONS	"TLSv1.2,TLSv1.3"
#define CHARSET		"utf8mb4"
/* Neither sends the password: a challenge's answer, an ed25519 signature. */
#define AUTH_PLUGINS	"mysql_native_password,client_ed25519"

enum col { C_LIST, C_EMAIL, C_NAME, C_FIRST, C_RECEPTION, C_OWNER,
	C_MODERATOR, C_N };

/* Accepted column names, by preference. */
static const char *const col_names[C_N][3] = {
	[C_LIST] =	{ "list", NULL },
	[C_EMAIL] =	{ "user_subscriber", "email", NULL },
	[C_NAME] =	{ "comment_subscriber", "name", NULL },
	[C_FIRST] =	{ "first_name", NULL },
	[C_RECEPTION] =	{ "digest", "reception", NULL },
	[C_OWNER] =	{ "owner", NULL },
	[C_MODERATOR] =	{ "moderator", NULL },
};

static int
no_infile_init(void **ptr, const char *name, void *ud)
{
	(void)name;
	(void)ud;
	*ptr = NULL;
	return 1;
}

static int
no_infile_read(void *ptr, char *buf, unsigned int len)
{
	(void)ptr;
	(void)buf;
	(void)len;
	return -1;
}

static void
no_infile_end(void *ptr)
{
	(void)ptr;
}

static int
no_infile_error(void *ptr, char *msg, unsigned int len)
{
	(void)ptr;
	if (len > 0)
		(void)xsnprintf(msg, len, "LOAD DATA LOCAL refused");
	return CR_UNKNOWN_ERROR;
}

/* Option-file keys and the library options they set. */
static const struct {
	enum optfile_key	 key;
	enum mysql_option	 opt;
} str_opts[] = {
	{ OPTFILE_HOST,		MARIADB_OPT_HOST },
	{ OPTFILE_SOCKET,	MARIADB_OPT_UNIXSOCKET },
	{ OPTFILE_USER,		MARIADB_OPT_USER },
	{ OPTFILE_PASSWORD,	MARIADB_OPT_PASSWORD },
	{ OPTFILE_DATABASE,	MARIADB_OPT_SCHEMA },
	{ OPTFILE_SSL_CA,	MYSQL_OPT_SSL_CA },
	{ OPTFILE_SSL_CERT,	MYSQL_OPT_SSL_CERT },
	{ OPTFILE_SSL_KEY,	MYSQL_OPT_SSL_KEY },
	{ OPTFILE_SSL_CRL,	MYSQL_OPT_SSL_CRL },
	{ OPTFILE_SSL_CAPATH,	MYSQL_OPT_SSL_CAPATH },
	{ OPTFILE_SSL_CRLPATH,	MYSQL_OPT_SSL_CRLPATH },
};

/* Every setting from the option file, then what listfeed insists on. */
static int
set_options(MYSQL *my, const struct lf_config *cfg, const struct optfile *of)
{
	unsigned int	 ct = cfg->connect_timeout, rt = cfg->read_timeout;
	unsigned int	 port = optfile_port(of), no = 0;
	my_bool		 yes = 1;
	size_t		 i;

	for (i = 0; i < sizeof(str_opts) / sizeof(str_opts[0]); i++)
		if (of->val[str_opts[i].key] != NULL &&
		    mysql_optionsv(my, str_opts[i].opt,
		    of->val[str_opts[i].key]))
			return -1;
	if (mysql_optionsv(my, MARIADB_OPT_PORT, &port) ||
	    mysql_optionsv(my, MARIADB_OPT_RESTRICTED_AUTH, AUTH_PLUGINS) ||
	    mysql_optionsv(my, MYSQL_SET_CHARSET_NAME, CHARSET) ||
	    mysql_optionsv(my, MYSQL_OPT_CONNECT_TIMEOUT, &ct) ||
	    mysql_optionsv(my, MYSQL_OPT_READ_TIMEOUT, &rt) ||
	    mysql_optionsv(my, MYSQL_OPT_WRITE_TIMEOUT, &rt) ||
	    mysql_optionsv(my, MYSQL_OPT_LOCAL_INFILE, &no))
		return -1;
	if (cfg->tls != TLS_REQUIRED)
		return 0;
	if (mysql_optionsv(my, MYSQL_OPT_SSL_ENFORCE, &yes) ||
	    mysql_optionsv(my, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &yes) ||
	    mysql_optionsv(my, MARIADB_OPT_TLS_VERSION, TLS_VERSIONS))
		return -1;
	return 0;
}

/* What the library actually did, whatever the option file said. */
static enum db_status
session_check(MYSQL *my, const struct lf_config *cfg)
{
	const char	*cs, *tv = NULL;
	my_bool		 verify = 0;

	cs = mysql_character_set_name(my);
	if (cs == NULL || strcmp(cs, CHARSET) != 0) {
		log_warnx("database: connection character set is %s, not "
		    CHARSET, cs != NULL ? cs : "unknown");
		return DB_ERR_CONFIG;
	}
	if (cfg->tls != TLS_REQUIRED)
		return DB_OK;
	if (mysql_get_ssl_cipher(my) == NULL) {
		log_warnx("database: connection is not encrypted "
		    "(tls = required)");
		return DB_ERR_TLS;
	}
	if (mysql_get_optionv(my, MYSQL_OPT_SSL_VERIFY_SERVER_CERT,
	    &verify) != 0 || !verify) {
		log_warnx("database: server certificate not verified "
		    "(tls = required)");
		return DB_ERR_TLS;
	}
	if (mariadb_get_infov(my, MARIADB_CONNECTION_TLS_VERSION, &tv) != 0 ||
	    tv == NULL ||
	    (strcmp(tv, "TLSv1.2") != 0 && strcmp(tv, "TLSv1.3") != 0)) {
		log_warnx("database: TLS version %s refused",
		    tv != NULL ? tv : "unknown");
		return DB_ERR_TLS;
	}
	return DB_OK;
}

static enum db_status
db_connect(MYSQL *my, const struct lf_config *cfg)
{
	static int	 warned;
	struct optfile	 of;
	unsigned int	 err;
	long long	 t;
	enum db_status	 st;
	int		 rc;

	if (cfg->defaults_file == NULL || cfg->group == NULL) {
		log_warnx("database: defaults_file is not set");
		return DB_ERR_CONFIG;
	}
	if (optfile_load(cfg->defaults_file, cfg->group, 0, &of) == -1 ||
	    conf_db_check(cfg, &of) == -1) {
		optfile_free(&of);
		return DB_ERR_CONFIG;
	}
	if (cfg->tls == TLS_DISABLED &&
	    !__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED)) {
		log_warnx("database: tls = disabled: the log-in and the "
		    "subscribers pass the Unix socket unencrypted");
	}
	rc = set_options(my, cfg, &of);
	optfile_free(&of);
	if (rc == -1) {
		log_warnx("database: options: %s", mysql_error(my));
		return DB_ERR_CONFIG;
	}
	t = now_ms();
	if (mysql_real_connect(my, NULL, NULL, NULL, NULL, 0, NULL, 0)
	    == NULL) {
		err = mysql_errno(my);
		log_warnx("database: connect (%s, group [%s]): %s (%u)",
		    cfg->defaults_file, cfg->group, mysql_error(my), err);
		return err == CR_SSL_CONNECTION_ERROR ? DB_ERR_TLS :
		    DB_ERR_CONNECT;
	}
	if ((st = session_check(my, cfg)) != DB_OK)
		return st;
	mysql_set_local_infile_handler(my, no_infile_init, no_infile_read,
	    no_infile_end, no_infile_error, NULL);
	log_debug("database: connected: %s, %s (%lld ms)",
	    mysql_get_host_info(my),
	    mysql_get_ssl_cipher(my) != NULL ? mysql_get_ssl_cipher(my) :
	    "no TLS", now_ms() - t);
	return DB_OK;
}

/* The configured query without trailing white space and semicolons. */
static size_t
query_len(const char *q)
{
	size_t	 n = strlen(q);

	while (n > 0 && (isspace((unsigned char)q[n - 1]) || q[n - 1] == ';'))
		n--;
	return n;
}

/*
 * SELECT * FROM (query) AS `lf` WHERE `lf`.`list` IN ('a', ...)
 * ORDER BY `lf`.`list`: a derived table's own order is not kept.
 * Line breaks around the query end a trailing "-- comment".
 */
static enum db_status
build_query(MYSQL *my, const char *query, const char *const *only,
    size_t nonly, struct buf *q)
{
	char	 esc[2 * VALID_LIST_MAX + 1];
	size_t	 i, len;

	if (nonly == 0)
		return buf_add(q, query, query_len(query)) == -1 ?
		    DB_ERR_QUERY : DB_OK;
	(void)buf_puts(q, "SELECT * FROM (\n");
	(void)buf_add(q, query, query_len(query));
	(void)buf_puts(q, "\n) AS `lf` WHERE `lf`.`list` IN (");
	for (i = 0; i < nonly; i++) {
		len = strlen(only[i]);
		if (!valid_list_name(only[i]) || len > VALID_LIST_MAX) {
			log_warnx("database: invalid list name");
			return DB_ERR_CONFIG;
		}
		(void)mysql_real_escape_string(my, esc, only[i],
		    (unsigned long)len);
		(void)buf_printf(q, "%s'%s'", i > 0 ? ", " : "", esc);
	}
	(void)buf_puts(q, ") ORDER BY `lf`.`list`");
	if (buf_failed(q)) {
		log_warnx("database: out of memory");
		return DB_ERR_QUERY;
	}
	return DB_OK;
}

static void
columns_present(MYSQL_FIELD *f, unsigned int n, struct buf *b)
{
	unsigned int	 i;

	for (i = 0; i < n; i++)
		(void)buf_printf(b, "%s%s", i > 0 ? ", " : "", f[i].name);
}

/* idx[c] = the result column for c, or -1. */
static enum db_status
map_columns(MYSQL_RES *res, int idx[C_N])
{
	MYSQL_FIELD	*f = mysql_fetch_fields(res);
	unsigned int	 n = mysql_num_fields(res), i;
	int		 c, k, rank[C_N];
	struct buf	 b = BUF_INIT;

	for (c = 0; c < C_N; c++)
		idx[c] = rank[c] = -1;
	for (i = 0; i < n; i++) {
		for (c = 0; c < C_N; c++) {
			for (k = 0; col_names[c][k] != NULL; k++)
				if (strcasecmp(f[i].name, col_names[c][k]) == 0)
					break;
			if (col_names[c][k] == NULL)
				continue;
			if (rank[c] == k) {
				columns_present(f, n, &b);
				log_warnx("database: column %s appears twice "
				    "in the query's result (%s)", f[i].name,
				    buf_str(&b));
				buf_free(&b);
				return DB_ERR_COLUMNS;
			}
			if (rank[c] == -1 || k < rank[c]) {
				rank[c] = k;
				idx[c] = (int)i;
			}
		}
	}
	for (c = C_LIST; c <= C_EMAIL; c++) {
		if (idx[c] != -1)
			continue;
		columns_present(f, n, &b);
		log_warnx("database: the query has no %s column (it has: %s)",
		    c == C_LIST ? "list" : "user_subscriber or email",
		    buf_str(&b));
		buf_free(&b);
		return DB_ERR_COLUMNS;
	}
	return DB_OK;
}

static void
cell(MYSQL_ROW row, const unsigned long *lens, int i, const char **p,
    size_t *len)
{
	*p = NULL;
	*len = 0;
	if (i < 0 || row[i] == NULL)
		return;
	*p = row[i];
	*len = lens[i];
}

/* A non-zero integer is true; anything else (NULL, text) is false. */
static int
cell_bool(MYSQL_ROW row, const unsigned long *lens, int i)
{
	const char	*p;
	size_t		 len, k;
	int		 digits = 0, nonzero = 0;

	cell(row, lens, i, &p, &len);
	for (k = 0; k < len; k++) {
		if (k == 0 && p[k] == '-')
			continue;
		if (p[k] < '0' || p[k] > '9')
			return 0;
		digits = 1;
		nonzero |= p[k] != '0';
	}
	return digits && nonzero;
}

static enum db_status
stream(MYSQL *my, MYSQL_RES *res, const int idx[C_N], db_row_fn fn,
    void *ctx, unsigned long *nrows)
{
	struct db_row	 r;
	MYSQL_ROW	 row;
	unsigned long	*lens;

	*nrows = 0;
	while ((row = mysql_fetch_row(res)) != NULL) {
		if ((lens = mysql_fetch_lengths(res)) == NULL) {
			log_warnx("database: row %lu without lengths",
			    *nrows + 1);
			return DB_ERR_READ;
		}
		cell(row, lens, idx[C_LIST], &r.list, &r.list_len);
		cell(row, lens, idx[C_EMAIL], &r.email, &r.email_len);
		cell(row, lens, idx[C_NAME], &r.name, &r.name_len);
		cell(row, lens, idx[C_FIRST], &r.first, &r.first_len);
		cell(row, lens, idx[C_RECEPTION], &r.reception,
		    &r.reception_len);
		r.owner = cell_bool(row, lens, idx[C_OWNER]);
		r.moderator = cell_bool(row, lens, idx[C_MODERATOR]);
		(*nrows)++;
		if (fn(ctx, &r) != 0)
			return DB_ERR_CALLBACK;
	}
	if (mysql_errno(my) != 0) {
		log_warnx("database: read broke off after %lu rows: %s (%u)",
		    *nrows, mysql_error(my), mysql_errno(my));
		return DB_ERR_READ;
	}
	return DB_OK;
}

static enum db_status
run(MYSQL *my, const struct lf_config *cfg, const char *const *only,
    size_t nonly, db_row_fn fn, void *ctx)
{
	struct buf	 q = BUF_INIT;
	MYSQL_RES	*res;
	int		 idx[C_N];
	unsigned long	 nrows = 0;
	enum db_status	 st;

	if ((st = build_query(my, cfg->query, only, nonly, &q)) != DB_OK) {
		buf_free(&q);
		return st;
	}
	if (mysql_real_query(my, q.data, (unsigned long)q.len) != 0) {
		log_warnx("database: query: %s (%u)", mysql_error(my),
		    mysql_errno(my));
		log_debug("database: query was: %s", buf_str(&q));
		buf_free(&q);
		return DB_ERR_QUERY;
	}
	buf_free(&q);
	if ((res = mysql_use_result(my)) == NULL) {
		if (mysql_errno(my) != 0)
			log_warnx("database: query: %s (%u)", mysql_error(my),
			    mysql_errno(my));
		else
			log_warnx("database: the query returned no result "
			    "set");
		return DB_ERR_QUERY;
	}
	if ((st = map_columns(res, idx)) == DB_OK)
		st = stream(my, res, idx, fn, ctx, &nrows);
	/* Drains what is left unread: only after an error. */
	mysql_free_result(res);
	if (st == DB_OK)
		log_debug("database: %lu rows", nrows);
	return st;
}

struct db {
	MYSQL		*my;		/* NULL: not connected */
};

struct db *
db_new(void)
{
	struct db	*d;

	/* The library's global state, made before any thread uses it. */
	if (mysql_library_init(0, NULL, NULL) != 0 ||
	    (d = calloc(1, sizeof(*d))) == NULL) {
		log_warnx("database: out of memory");
		return NULL;
	}
	return d;
}

static void
db_close(struct db *d)
{
	if (d->my != NULL)
		mysql_close(d->my);
	d->my = NULL;
}

void
db_free(struct db *d)
{
	if (d == NULL)
		return;
	db_close(d);
	free(d);
}

/* The kept connection if it still answers, else a new one. */
static enum db_status
db_ensure(struct db *d, const struct lf_config *cfg)
{
	enum db_status	 st;

	if (d->my != NULL) {
		if (mysql_ping(d->my) == 0)
			return DB_OK;
		log_info("database: the connection no longer answers (%s); "
		    "connecting again", mysql_error(d->my));
		db_close(d);
	}
	if ((d->my = mysql_init(NULL)) == NULL) {
		log_warnx("database: out of memory");
		return DB_ERR_CONNECT;
	}
	if ((st = db_connect(d->my, cfg)) == DB_OK &&
	    mysql_autocommit(d->my, 1) != 0) {
		log_warnx("database: autocommit: %s (%u)", mysql_error(d->my),
		    mysql_errno(d->my));
		st = DB_ERR_CONNECT;
	}
	if (st != DB_OK)
		db_close(d);
	return st;
}

/*
 * Ends the read's transaction, if any (autocommit set again on the
 * server's side, by init_connect or a SET): the next read then sees what
 * was committed since.  The rows read are whole either way; a connection
 * that cannot end it is closed, which ends it.
 */
static void
db_end_read(struct db *d)
{
	if (mysql_rollback(d->my) == 0)
		return;
	log_info("database: ending the read: %s (%u); closing the "
	    "connection", mysql_error(d->my), mysql_errno(d->my));
	db_close(d);
}

enum db_status
db_read_on(struct db *d, const struct lf_config *cfg,
    const char *const *only_lists, size_t nonly, db_row_fn fn, void *ctx)
{
	enum db_status	 st;

	if ((st = db_ensure(d, cfg)) != DB_OK)
		return st;
	if ((st = run(d->my, cfg, only_lists, nonly, fn, ctx)) != DB_OK)
		db_close(d);
	else
		db_end_read(d);
	return st;
}

void
db_thread_begin(void)
{
	(void)mysql_thread_init();
}

void
db_thread_end(void)
{
	mysql_thread_end();
}

enum db_status
db_read(const struct lf_config *cfg, const char *const *only_lists,
    size_t nonly, db_row_fn fn, void *ctx)
{
	struct db	 d = { NULL };
	enum db_status	 st;

	st = db_read_on(&d, cfg, only_lists, nonly, fn, ctx);
	db_close(&d);
	return st;
}

const char *
db_strerror(enum db_status st)
{
	switch (st) {
	case DB_OK:
		return "no error";
	case DB_ERR_CONFIG:
		return "database configuration unusable";
	case DB_ERR_CONNECT:
		return "cannot connect to the database";
	case DB_ERR_TLS:
		return "database connection not verified TLS";
	case DB_ERR_QUERY:
		return "database query failed";
	case DB_ERR_COLUMNS:
		return "query lacks a required column";
	case DB_ERR_READ:
		return "database read broke off";
	case DB_ERR_CALLBACK:
		return "row rejected";
	case DB_ERR_ORDER:
		return "the query's rows of a list are not together "
		    "(ORDER BY list)";
	case DB_ERR_MEMORY:
		return "out of memory";
	}
	return "unknown database error";
}
