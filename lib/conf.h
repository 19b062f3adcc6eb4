/*
 * conf: listfeed.conf(5), the one INI file both programs read.
 *
 * conf_load() parses the whole file through the INI layer (inifile.h),
 * checks every key against the allow-list below and every value against
 * its type, and fills a struct lf_config.  Unknown sections or keys, bad
 * values, duplicate [list]/[client] names and a fingerprint or subject in
 * two [client] sections (with both lines) are errors, reported with file
 * and line through log_warnx(); conf_load() then returns -1 and the
 * struct is freed.  lib/conf.c reads the file and answers for the lists,
 * lib/conf_client.c for the [client] sections.
 *
 *   [database] defaults_file, group, query, tls = required|disabled,
 *              connect_timeout, read_timeout
 *   [feed]     dir, interval, trigger_socket, accel_prefix, formats,
 *              templates, max_shrink, min_shrink (the lists' defaults)
 *   [fcgi]     socket, threads
 *   [gpg]      home, sign_key, recipients
 *   [list N]   recipients, names = full|first|none, max_shrink,
 *              min_shrink, formats
 *   [client N] fingerprint, subject, lists, plain, trigger
 *
 * Lists separated by white space (recipients, formats, lists,
 * fingerprint: several fingerprints allow certificate rotation).
 * accel_prefix goes into the X-Accel-Redirect header: it starts and ends
 * with '/', holds only A-Z a-z 0-9 . _ - /, no ".." or "//", and is at
 * most CONF_ACCEL_MAX bytes.
 *
 * tls = disabled needs the option file to say which transport
 * Connector/C takes, and only the generator may read that file:
 * conf_db_check() is the generator's half of the check.
 */
#ifndef LF_CONF_H
#define LF_CONF_H

#include <stddef.h>

#include "strlist.h"

#define CONF_DEFAULT_PATH	"/etc/listfeed/listfeed.conf"
/* The recommended view, gen/recommended-view.sql. */
#define CONF_DEFAULT_QUERY	\
	"SELECT `list`, `user_subscriber`, `comment_subscriber`, " \
	"`first_name`, `digest`, `owner`, `moderator` " \
	"FROM `listfeed_subscribers`"
/* The CRM's own view: it keeps deactivated accounts. */
#define CONF_SEED_VIEW		"mailinglists_api"
#define CONF_DEFAULT_ACCEL	"/_feed/"
#define CONF_ACCEL_MAX		64	/* bytes of accel_prefix */

struct optfile;

enum names_mode { NAMES_FULL = 0, NAMES_FIRST, NAMES_NONE };
enum tls_mode { TLS_REQUIRED = 0, TLS_DISABLED };

struct lf_list_conf {
	char		*name;
	struct strlist	 recipients;	/* empty: [gpg] recipients */
	enum names_mode	 names;
	unsigned	 max_shrink;	/* percent, 0..100; [feed]'s if unset */
	unsigned	 min_shrink;	/* members; [feed]'s if unset */
	struct strlist	 formats;	/* empty: [feed] formats */
};

struct lf_client {
	char		*name;
	struct strlist	 fingerprints;	/* lower-case hex SHA-1 */
	char		*subject;	/* NULL: fingerprint only */
	struct strlist	 lists;
	int		 all_lists;	/* lists = * */
	int		 plain;
	int		 trigger;
};

struct lf_config {
	char		*path;

	/* [database] */
	char		*defaults_file;
	char		*group;		/* default "listfeed" */
	char		*query;		/* default CONF_DEFAULT_QUERY */
	enum tls_mode	 tls;
	unsigned long	 tls_line;	/* of "tls =", 0 if unset */
	unsigned	 connect_timeout;	/* seconds, default 10 */
	unsigned	 read_timeout;		/* seconds, default 60 */

	/* [feed] */
	char		*feed_dir;
	unsigned	 interval;	/* seconds, default 3600, 0 = none */
	char		*trigger_socket;
	char		*accel_prefix;	/* default CONF_DEFAULT_ACCEL */
	struct strlist	 formats;	/* default sympa csv mailman */
	char		*templates;	/* default LF_TEMPLATES_DIR */
	unsigned	 max_shrink;	/* the shrink guard (guard.h) */
	unsigned	 min_shrink;

	/* [fcgi] */
	char		*fcgi_socket;	/* NULL: the socket on fd 0 */
	unsigned	 fcgi_threads;	/* 1 to 64, default 8 */

	/* [gpg] */
	char		*gpg_home;
	char		*sign_key;
	struct strlist	 recipients;

	struct lf_list_conf *lists;
	size_t		 nlists;
	struct lf_client *clients;
	size_t		 nclients;
};

/* 0 on success, -1 with the reasons logged. */
int	conf_load(const char *path, struct lf_config *);
void	conf_free(struct lf_config *);

/*
 * [database] tls = disabled is allowed only where Connector/C connects
 * over the Unix socket: the option file (optfile.h) names no host,
 * or host = localhost (exactly; Connector/C then takes its socket, the
 * option file's or the built-in one).  0, or -1 logged as
 * "FILE:LINE: ..." with the line of tls =.
 */
int	conf_db_check(const struct lf_config *, const struct optfile *of);

/*
 * 1 (and a warning logged) when the query names CONF_SEED_VIEW, which
 * exports the members of deactivated accounts; else 0.
 */
int	conf_query_warn(const struct lf_config *);

/* The [list NAME] section, or NULL (then defaults apply). */
const struct lf_list_conf *conf_list(const struct lf_config *, const char *);
/* Effective settings for a list, with defaults filled in. */
const struct strlist *conf_list_recipients(const struct lf_config *, const char *);
const struct strlist *conf_list_formats(const struct lf_config *, const char *);
enum names_mode conf_list_names(const struct lf_config *, const char *);
unsigned conf_list_max_shrink(const struct lf_config *, const char *);
unsigned conf_list_min_shrink(const struct lf_config *, const char *);

/*
 * The client a certificate belongs to, or NULL.  First by fingerprint
 * (nginx's lower-case hex; upper case and colons are normalised too)
 * among every client's fingerprints; failing that, by subject (the exact
 * string, not empty) among the clients that have a subject and no
 * fingerprint: a client with a fingerprint is never found by subject.
 */
const struct lf_client *conf_client_find(const struct lf_config *,
	    const char *fingerprint, const char *subject);
int	conf_client_sees(const struct lf_client *, const char *list);
/* 1 if some client with plain = yes sees this list. */
int	conf_list_plain(const struct lf_config *, const char *list);

#endif
