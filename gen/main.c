/*
 * listfeed-gen: reads the subscriber rows from the CRM database, renders,
 * encrypts and signs one file per list and format, and publishes them
 * atomically to the feed directory.  See listfeed-gen(8).
 *
 * main() makes fds 0-2 valid, reads the options (parse_args()), loads the
 * configuration, then either checks it (check_config(): every problem,
 * as the service user when run as root) or runs (run_main(): the
 * signing key's last recorded expiry, the sandbox, the gpg helper, one
 * generation or the watch loop).  Only this file exits.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checkcfg.h"
#include "conf.h"
#include "crypt.h"
#include "db.h"
#include "fsutil.h"
#include "generate.h"
#include "helper.h"
#include "keyinfo.h"
#include "log.h"
#include "manifest.h"
#include "pgp.h"
#include "publish.h"
#include "gsandbox.h"
#include "valid.h"
#include "watch.h"

#ifndef LF_VERSION
#define LF_VERSION	"0"
#endif

/* systemd/listfeed-gen.service: User= */
#define SERVICE_USER	"listfeed-gen"
/* A signing key closer than this to its expiry is warned about. */
#define KEY_WARN_DAYS	30
#define DAY_S		86400LL

enum { OPT_ONCE = 256, OPT_WATCH, OPT_DRY, OPT_LIST, OPT_FORCE, OPT_CHECK,
	OPT_USER, OPT_VERSION };

/* What the command line asks for. */
struct gen_args {
	const char	*conf;
	const char	*user;		/* --user: check as that user */
	int		 once, watch, check;
	struct gen_opts	 o;
};

/* What parse_args() leaves to main(). */
enum args_result { ARGS_RUN, ARGS_DONE, ARGS_BAD };

/* The problems --check-config found, and the exit status of the first. */
struct check {
	const struct lf_config	*cfg;
	unsigned		 problems;
	int			 rc;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: listfeed-gen [-v] [-c config] [--once | --watch] "
	    "[--dry-run]\n"
	    "                    [--list name]... [--force name]...\n"
	    "       listfeed-gen [-v] [-c config] --check-config "
	    "[--user name]\n"
	    "       listfeed-gen --help | --version\n");
}

static int
add_name(struct strlist *l, const char *name, const char *opt)
{
	if (!valid_list_name(name)) {
		log_warnx("%s: \"%s\" is not a valid list name", opt, name);
		return -1;
	}
	if (strlist_has(l, name))
		return 0;
	if (strlist_add(l, name) == -1) {
		log_warn("%s", opt);
		return -1;
	}
	return 0;
}

/* One option into a; 0, or -1 for a bad one. */
static int
take_opt(int ch, struct gen_args *a)
{
	switch (ch) {
	case 'c':
		a->conf = optarg;
		return 0;
	case OPT_ONCE:
		a->once = 1;
		return 0;
	case OPT_WATCH:
		a->watch = 1;
		return 0;
	case OPT_DRY:
		a->o.dry_run = 1;
		return 0;
	case OPT_LIST:
		return add_name(&a->o.only, optarg, "--list");
	case OPT_FORCE:
		return add_name(&a->o.force, optarg, "--force");
	case OPT_CHECK:
		a->check = 1;
		return 0;
	case OPT_USER:
		a->user = optarg;
		return 0;
	case 'v':
		log_set_verbose(1);
		return 0;
	default:
		return -1;
	}
}

static enum args_result
parse_args(int argc, char *argv[], struct gen_args *a)
{
	static const struct option longopts[] = {
		{ "config",		required_argument, NULL, 'c' },
		{ "once",		no_argument, NULL, OPT_ONCE },
		{ "watch",		no_argument, NULL, OPT_WATCH },
		{ "dry-run",		no_argument, NULL, OPT_DRY },
		{ "list",		required_argument, NULL, OPT_LIST },
		{ "force",		required_argument, NULL, OPT_FORCE },
		{ "check-config",	no_argument, NULL, OPT_CHECK },
		{ "user",		required_argument, NULL, OPT_USER },
		{ "verbose",		no_argument, NULL, 'v' },
		{ "version",		no_argument, NULL, OPT_VERSION },
		{ "help",		no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch;

	a->conf = CONF_DEFAULT_PATH;
	while ((ch = getopt_long(argc, argv, "c:hv", longopts, NULL)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return ARGS_DONE;
		}
		if (ch == OPT_VERSION) {
			printf("listfeed-gen %s\n", LF_VERSION);
			return ARGS_DONE;
		}
		if (take_opt(ch, a) == -1) {
			usage(stderr);
			return ARGS_BAD;
		}
	}
	if (optind != argc || (a->watch && a->once) ||
	    (a->watch && a->o.dry_run) ||
	    (a->watch && (a->o.only.n > 0 || a->o.force.n > 0)) ||
	    (a->check && (a->watch || a->once || a->o.dry_run ||
	    a->o.only.n > 0 || a->o.force.n > 0)) ||
	    (a->user != NULL && !a->check)) {
		usage(stderr);
		return ARGS_BAD;
	}
	return ARGS_RUN;
}

/* What listfeed-gen needs from the configuration, beyond its syntax. */
static int
check_needs(const struct lf_config *cfg)
{
	if (cfg->sign_key == NULL) {
		log_warnx("%s: [gpg] sign_key is required", cfg->path);
		return -1;
	}
	return 0;
}

/* "2026-12-01T00:00:00Z, in 12 days" for an expiry in seconds. */
static void
expiry_text(long long expires, char *out, size_t outsz)
{
	char		 at[40];
	long long	 left = expires - time(NULL);

	if (rfc3339(expires * 1000, at, sizeof(at)) == -1)
		(void)xsnprintf(at, sizeof(at), "%lld", expires);
	if (left < 0)
		(void)xsnprintf(out, outsz, "%s, %lld days ago", at,
		    -left / DAY_S);
	else
		(void)xsnprintf(out, outsz, "%s, in %lld days", at,
		    left / DAY_S);
}

/* Logs the signing key's expiry: a warning within KEY_WARN_DAYS, else
 * info when checking, debug when running. */
static void
expiry_log(const char *fpr, long long expires, int checking)
{
	void	(*say)(const char *, ...) = checking ? log_info : log_debug;
	char	 when[96];

	if (expires == 0) {
		say("signing key %s: never expires", fpr);
		return;
	}
	expiry_text(expires, when, sizeof(when));
	if (expires - time(NULL) >= KEY_WARN_DAYS * DAY_S)
		say("signing key %s: expires %s", fpr, when);
	else if (expires > time(NULL))
		log_warnx("signing key %s: expires %s; extend it (gpg "
		    "--quick-set-expire %s 1y)", fpr, when, fpr);
	else
		log_warnx("signing key %s: expired %s", fpr, when);
}

/* The signing key's expiry as c listed it, if it did, logged. */
static void
expiry_report(const struct lf_config *cfg, struct crypt *c,
    struct lf_keyinfo *ki)
{
	struct lf_keyinfo	 now = { 0, 0 };

	crypt_sign_key(c, &now);
	if (now.known) {
		*ki = now;
		expiry_log(cfg->sign_key, now.expires, 0);
	}
}

/*
 * The signing key's expiry as the last run recorded it: kept in run.json
 * by a run that does not list the key (nothing to encrypt).
 */
static void
expiry_last(const struct lf_config *cfg, struct lf_keyinfo *ki)
{
	struct lf_run	 last;
	char		 path[PATH_MAX];

	memset(ki, 0, sizeof(*ki));
	if (xsnprintf(path, sizeof(path), "%s/%s", cfg->feed_dir,
	    RUN_NAME) != -1 && run_read(path, &last) == 0)
		*ki = last.sign_key;
}

/* A generation, or the watch loop. */
static int
run_main(const struct lf_config *cfg, struct gen_args *a)
{
	struct crypt	*crypt = NULL;
	int		 rc;

	if (check_needs(cfg) == -1)
		return EXIT_CONFIG;
	if (crypt_global_init(cfg->gpg_home) == -1)
		return EXIT_CRYPTO;
	expiry_last(cfg, &a->o.sign_key);
	/* Least privilege from here on: gsandbox.h. */
	if (gsandbox_apply(cfg, a->conf) == -1)
		return EXIT_CONFIG;
	/*
	 * gpg is started from a helper forked now, while this process is
	 * small (crypt.h); without it, from here.
	 */
	(void)crypt_helper_start();
	/*
	 * --watch checks the signing key now; a single run makes the crypt
	 * context only when a file must be encrypted.
	 */
	if (a->watch) {
		if ((crypt = crypt_new(cfg->gpg_home, cfg->sign_key)) == NULL)
			rc = EXIT_CRYPTO;
		else {
			expiry_report(cfg, crypt, &a->o.sign_key);
			rc = watch_run(cfg, crypt, &a->o);
		}
	} else {
		rc = generate(cfg, &crypt, &a->o, stdout);
		expiry_report(cfg, crypt, &a->o.sign_key);
	}
	crypt_free(crypt);
	helper_stop();
	return rc;
}

static void
problem(struct check *k, int code)
{
	k->problems++;
	if (k->rc == 0)
		k->rc = code;
}

/* The recipient keys of [gpg] and of every [list], checked on p. */
static void
check_recipients(struct check *k, struct pgp *p)
{
	const struct lf_config	*cfg = k->cfg;
	const struct strlist	*r;
	char			 why[400];
	size_t			 i, j;

	for (i = 0; i <= cfg->nlists; i++) {
		r = i < cfg->nlists ? conf_list_recipients(cfg,
		    cfg->lists[i].name) : &cfg->recipients;
		if (r->n == 0 && i == cfg->nlists) {
			log_warnx("[gpg] recipients: none: lists without "
			    "their own recipients cannot be published");
			problem(k, EXIT_CRYPTO);
		}
		for (j = 0; j < r->n; j++)
			if (pgp_check_recipient(p, r->v[j], why,
			    sizeof(why)) == -1) {
				log_warnx("%s%s: %s",
				    i < cfg->nlists ? "list " : "[gpg]",
				    i < cfg->nlists ? cfg->lists[i].name : "",
				    why);
				problem(k, EXIT_CRYPTO);
			}
	}
}

/* The signing key (it signs, its expiry) and the recipient keys. */
static void
check_keys(struct check *k)
{
	const struct lf_config	*cfg = k->cfg;
	struct pgp		*p, *s;
	long long		 expires;
	char			 why[512];

	if (crypt_global_init(cfg->gpg_home) == -1) {
		problem(k, EXIT_CRYPTO);
		return;
	}
	if (cfg->sign_key != NULL) {
		if ((s = pgp_new(cfg->gpg_home, cfg->sign_key, PGP_PROBE, why,
		    sizeof(why))) == NULL) {
			log_warnx("%s", why);
			problem(k, EXIT_CRYPTO);
		} else if (pgp_signer_expiry(s, &expires) == 0)
			expiry_log(cfg->sign_key, expires, 1);
		pgp_free(s);
	}
	if ((p = pgp_new(cfg->gpg_home, NULL, PGP_NO_SIGNER, why,
	    sizeof(why))) == NULL) {
		log_warnx("%s", why);
		problem(k, EXIT_CRYPTO);
		return;
	}
	check_recipients(k, p);
	pgp_free(p);
}

static int
no_rows(void *ctx, const struct db_row *r)
{
	(void)ctx;
	(void)r;
	return 0;
}

static void
check_database(struct check *k)
{
	static const char *const probe[] = { "listfeed-check-config" };
	enum db_status		 ds;

	(void)conf_query_warn(k->cfg);
	if ((ds = db_read(k->cfg, probe, 1, no_rows, NULL)) != DB_OK) {
		log_warnx("database: %s", db_strerror(ds));
		problem(k, EXIT_DATABASE);
	}
}

/*
 * That this user may make path (a directory) or its entries: path, or
 * the nearest directory above it that exists, writable and searchable.
 */
static int
dir_writable(const char *what, const char *path)
{
	char		 p[PATH_MAX];
	struct stat	 st;
	char		*slash;

	if (xsnprintf(p, sizeof(p), "%s", path) == -1) {
		log_warnx("%s %s: path too long", what, path);
		return -1;
	}
	while (stat(p, &st) == -1) {
		if (errno != ENOENT || (slash = strrchr(p, '/')) == NULL ||
		    slash == p) {
			log_warn("%s %s", what, p);
			return -1;
		}
		*slash = '\0';
	}
	if (!S_ISDIR(st.st_mode)) {
		log_warnx("%s %s: not a directory", what, p);
		return -1;
	}
	if (access(p, W_OK | X_OK) == -1) {
		log_warn("%s %s: this user cannot write there", what, p);
		return -1;
	}
	return 0;
}

/* Where a generation writes: the feed, and the trigger socket's
 * directory if it exists (a RuntimeDirectory= appears with the unit). */
static void
check_places(struct check *k)
{
	char		 dir[PATH_MAX], *slash;
	struct stat	 st;

	if (k->cfg->feed_dir != NULL &&
	    dir_writable("[feed] dir", k->cfg->feed_dir) == -1)
		problem(k, EXIT_CONFIG);
	if (k->cfg->trigger_socket == NULL ||
	    xsnprintf(dir, sizeof(dir), "%s", k->cfg->trigger_socket) == -1 ||
	    (slash = strrchr(dir, '/')) == NULL)
		return;
	*slash = '\0';
	if (dir[0] == '\0' || stat(dir, &st) == -1)
		return;
	if (!S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK) == -1) {
		log_warnx("[feed] trigger_socket %s: this user cannot make it "
		    "in %s", k->cfg->trigger_socket, dir);
		problem(k, EXIT_CONFIG);
	}
}

/*
 * --check-config: everything a generation needs, without publishing,
 * each problem logged; the exit status of the first.
 */
static int
check_config(const struct lf_config *cfg)
{
	struct check	 k = { cfg, 0, 0 };
	struct formats	 f;

	if (check_needs(cfg) == -1)
		problem(&k, EXIT_CONFIG);
	if (formats_load(cfg, &f) == -1)
		problem(&k, EXIT_CONFIG);
	else
		formats_free(&f);
	check_places(&k);
	check_keys(&k);
	check_database(&k);
	checkcfg_verdict(cfg->path, k.problems);
	return k.rc;
}

int
main(int argc, char *argv[])
{
	struct gen_args		 a;
	struct lf_config	 cfg;
	int			 rc;

	if (fds_std_valid() == -1)
		return EXIT_CONFIG;
	log_init("listfeed-gen", 0);
	memset(&a, 0, sizeof(a));
	switch (parse_args(argc, argv, &a)) {
	case ARGS_DONE:
		rc = 0;
		goto out;
	case ARGS_BAD:
		rc = EXIT_CONFIG;
		goto out;
	case ARGS_RUN:
		break;
	}
	rc = EXIT_CONFIG;
	if (a.check && checkcfg_become(a.user, SERVICE_USER) == -1)
		goto out;
	if (conf_load(a.conf, &cfg) == -1) {
		if (a.check)
			checkcfg_verdict(a.conf, 1);
		goto out;
	}
	rc = a.check ? check_config(&cfg) : run_main(&cfg, &a);
	conf_free(&cfg);
out:
	strlist_free(&a.o.only);
	strlist_free(&a.o.force);
	return rc;
}
