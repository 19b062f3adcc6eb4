/*
 * listfeed-gen: reads the subscriber rows from the CRM database, renders,
 * encrypts and signs one file per list and format, and publishes them
 * atomically to the feed directory.  See listfeed-gen(8).
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "crypt.h"
#include "db.h"
#include "generate.h"
#include "helper.h"
#include "log.h"
#include "publish.h"
#include "gsandbox.h"
#include "valid.h"
#include "watch.h"

#ifndef LF_VERSION
#define LF_VERSION	"0"
#endif

enum { OPT_ONCE = 256, OPT_WATCH, OPT_DRY, OPT_LIST, OPT_FORCE, OPT_CHECK,
	OPT_VERSION };

static void
usage(void)
{
	fprintf(stderr, "usage: listfeed-gen [-v] [-c config] [--once | --watch] "
	    "[--dry-run]\n"
	    "                    [--list name]... [--force name]... "
	    "[--check-config]\n");
}

/* fds 0-2 always open, so no file we open becomes one of them. */
static void
sane_fds(void)
{
	int	 fd;

	while ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) != -1 && fd <= 2)
		if (fcntl(fd, F_SETFD, 0) == -1)
			break;
	if (fd > 2)
		(void)close(fd);
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

/* What listfeed-gen needs from the configuration, beyond its syntax. */
static int
check_needs(const struct lf_config *cfg)
{
	int	 rc = 0;

	if (cfg->sign_key == NULL) {
		log_warnx("%s: [gpg] sign_key is required", cfg->path);
		rc = -1;
	}
	return rc;
}

static int
check_keys(const struct lf_config *cfg, struct crypt *crypt)
{
	const struct strlist	*r;
	char			 why[400];
	size_t			 i, j;
	int			 rc = 0;

	for (i = 0; i <= cfg->nlists; i++) {
		r = i < cfg->nlists ? conf_list_recipients(cfg,
		    cfg->lists[i].name) : &cfg->recipients;
		if (r->n == 0 && i == cfg->nlists) {
			log_warnx("[gpg] recipients: none: lists without "
			    "their own recipients cannot be published");
			rc = -1;
		}
		for (j = 0; j < r->n; j++)
			if (crypt_check_recipient(crypt, r->v[j], why,
			    sizeof(why)) == -1) {
				log_warnx("%s%s: %s",
				    i < cfg->nlists ? "list " : "[gpg]",
				    i < cfg->nlists ? cfg->lists[i].name : "",
				    why);
				rc = -1;
			}
	}
	return rc;
}

static int
no_rows(void *ctx, const struct db_row *r)
{
	(void)ctx;
	(void)r;
	return 0;
}

/* --check-config: everything a generation needs, without publishing. */
static int
check_config(const struct lf_config *cfg, struct crypt *crypt)
{
	static const char *const probe[] = { "listfeed-check-config" };
	struct formats		 f;
	enum db_status		 ds;
	int			 rc = 0;

	if (formats_load(cfg, &f) == -1)
		rc = EXIT_CONFIG;
	else
		formats_free(&f);
	if (check_keys(cfg, crypt) == -1)
		rc = rc ? rc : EXIT_CRYPTO;
	(void)conf_query_warn(cfg);
	if ((ds = db_read(cfg, probe, 1, no_rows, NULL)) != DB_OK) {
		log_warnx("database: %s", db_strerror(ds));
		rc = rc ? rc : EXIT_DATABASE;
	}
	if (rc == 0)
		printf("%s: configuration ok\n", cfg->path);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config",		required_argument, NULL, 'c' },
		{ "once",		no_argument, NULL, OPT_ONCE },
		{ "watch",		no_argument, NULL, OPT_WATCH },
		{ "dry-run",		no_argument, NULL, OPT_DRY },
		{ "list",		required_argument, NULL, OPT_LIST },
		{ "force",		required_argument, NULL, OPT_FORCE },
		{ "check-config",	no_argument, NULL, OPT_CHECK },
		{ "verbose",		no_argument, NULL, 'v' },
		{ "version",		no_argument, NULL, OPT_VERSION },
		{ "help",		no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct lf_config	 cfg;
	struct gen_opts		 o;
	struct crypt		*crypt = NULL;
	const char		*conf = CONF_DEFAULT_PATH;
	int			 ch, watch = 0, once = 0, check = 0, rc;

	sane_fds();
	log_init("listfeed-gen", 0);
	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "c:hv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case OPT_ONCE:
			once = 1;
			break;
		case OPT_WATCH:
			watch = 1;
			break;
		case OPT_DRY:
			o.dry_run = 1;
			break;
		case OPT_LIST:
			if (add_name(&o.only, optarg, "--list") == -1)
				return EXIT_CONFIG;
			break;
		case OPT_FORCE:
			if (add_name(&o.force, optarg, "--force") == -1)
				return EXIT_CONFIG;
			break;
		case OPT_CHECK:
			check = 1;
			break;
		case 'v':
			log_set_verbose(1);
			break;
		case OPT_VERSION:
			printf("listfeed-gen %s\n", LF_VERSION);
			return 0;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return EXIT_CONFIG;
		}
	}
	if (optind != argc || (watch && once) || (watch && o.dry_run) ||
	    (watch && (o.only.n > 0 || o.force.n > 0))) {
		usage();
		return EXIT_CONFIG;
	}
	if (conf_load(conf, &cfg) == -1)
		return EXIT_CONFIG;
	rc = EXIT_CONFIG;
	if (check_needs(&cfg) == -1)
		goto out;
	/*
	 * --watch and --check-config check the signing key now; a single run
	 * makes the crypt context only when a file must be encrypted, so one
	 * that finds nothing changed starts no gpg.
	 */
	rc = EXIT_CRYPTO;
	if (crypt_global_init(cfg.gpg_home) == -1)
		goto out;
	/* Least privilege from here on: gsandbox.h. */
	rc = EXIT_CONFIG;
	if (!check && gsandbox_apply(&cfg, conf) == -1)
		goto out;
	/*
	 * gpg is started from a helper forked now, while this process is
	 * small (crypt.h); without it, from here.
	 */
	if (!check)
		(void)crypt_helper_start();
	rc = EXIT_CRYPTO;
	if ((watch || check) &&
	    (crypt = crypt_new(cfg.gpg_home, cfg.sign_key)) == NULL)
		goto out;
	if (check)
		rc = check_config(&cfg, crypt);
	else if (watch)
		rc = watch_run(&cfg, crypt, &o);
	else
		rc = generate(&cfg, &crypt, &o, stdout);
out:
	crypt_free(crypt);
	helper_stop();
	conf_free(&cfg);
	strlist_free(&o.only);
	strlist_free(&o.force);
	return rc;
}
