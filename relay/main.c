/*
 * listfeed-relay: fetches the encrypted, signed Sympa files of the feed,
 * verifies them and serves the last verified copy of each to Sympa on
 * loopback (listfeed-relay(8)).  Only this file exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checkcfg.h"
#include "fetch.h"
#include "fsutil.h"
#include "log.h"
#include "pgp.h"
#include "rconf.h"
#include "rsandbox.h"
#include "rstate.h"
#include "serve.h"
#include "sources.h"

#ifndef LF_VERSION
#define LF_VERSION	"0"
#endif

enum mode { M_DAEMON, M_ONCE, M_CHECK };

/* Whom --check-config run as root checks as: the unit's User=. */
#define SERVICE_USER	"listfeed-relay"

struct opts {
	const char	*conf;
	const char	*force;
	const char	*user;		/* --user, with --check-config */
	enum mode	 mode;
	int		 verbose;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: listfeed-relay [-v] [-c FILE] [--once [--force "
	    "LIST]] [--check-config [--user NAME]]\n"
	    "       listfeed-relay --help | --version\n"
	    "  -c FILE         configuration (default %s)\n"
	    "  --once          fetch and verify every source once, print one "
	    "line per source;\n"
	    "                  exit 0 ok, 2 network or HTTP, 3 guard held, "
	    "4 refused,\n"
	    "                  5 state file not written\n"
	    "  --force LIST    with --once: lift the guard for LIST\n"
	    "  --check-config  check the configuration, state and keys, "
	    "and report every\n"
	    "                  problem (as root: as the service's user)\n"
	    "  --user NAME     with --check-config: check as this user\n"
	    "  -v              verbose\n", RCONF_DEFAULT_PATH);
}

static int
parse_opts(int argc, char *argv[], struct opts *o)
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "force", required_argument, NULL, 'f' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch;

	memset(o, 0, sizeof(*o));
	o->conf = RCONF_DEFAULT_PATH;
	while ((ch = getopt_long(argc, argv, "c:hvV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->conf = optarg;
			break;
		case 'o':
			o->mode = M_ONCE;
			break;
		case 'f':
			o->force = optarg;
			break;
		case 'n':
			o->mode = M_CHECK;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("listfeed-relay %s\n", LF_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || (o->force != NULL && o->mode != M_ONCE) ||
	    (o->user != NULL && o->mode != M_CHECK)) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* The problems of files the relay opens later: each one logged. */
static unsigned
files_problems(const struct rconf *c)
{
	const char *const	 v[] = { c->cert, c->key, c->ca };
	size_t			 i;
	unsigned		 n = 0;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (access(v[i], R_OK) == -1) {
			log_warn("%s", v[i]);
			n++;
		}
	/* A missing state directory is made at the first start. */
	if (access(c->state, W_OK | X_OK) == -1 && errno != ENOENT) {
		log_warn("%s", c->state);
		n++;
	}
	return n;
}

/* What the relay opens before it serves, in this order. */
struct opened {
	struct rconf	 c;
	int		 conf;		/* c was loaded: rconf_free() it */
	struct sources	*s;		/* with the state it took over */
};

/*
 * Opens the configuration, the state, GPGME, curl and the sources, in
 * that order.  every (--check-config): also the files the relay opens
 * later, every problem logged and counted, going on wherever it can (an
 * unreadable state leaves an empty one: the keys are checked still);
 * else (the service) it stops at the first.  The number of problems: 0
 * when everything is open.  close_opened() undoes it either way.
 */
static unsigned
open_all(const struct opts *o, struct opened *r, int every)
{
	struct rstate	 st;
	char		 why[256];
	unsigned	 n = 0;

	memset(r, 0, sizeof(*r));
	if (rconf_load(o->conf, &r->c) == -1)
		return 1;
	r->conf = 1;
	if (o->force != NULL && !strlist_has(&r->c.lists, o->force)) {
		log_warnx("--force %s: not a configured list", o->force);
		return 1;
	}
	if (every)
		n += files_problems(&r->c);
	if (rstate_load(r->c.state, &st) == -1) {
		n++;
		if (!every)
			return n;
	}
	if (pgp_global_init(r->c.gnupghome, why, sizeof(why)) == -1) {
		log_warnx("%s", why);
		rstate_free(&st);
		return n + 1;
	}
	if (fetch_global_init() == -1) {
		rstate_free(&st);
		return n + 1;
	}
	/* st is taken over, even on failure. */
	if ((r->s = sources_new(&r->c, &st, o->force)) == NULL)
		n++;
	return n;
}

static void
close_opened(struct opened *r)
{
	sources_free(r->s);
	if (r->conf)
		rconf_free(&r->c);
}

/*
 * --check-config: everything a start would check, every problem logged
 * rather than the first; as root, as the service's user (checkcfg.h).
 */
static int
check_main(const struct opts *o)
{
	struct opened	 r;
	unsigned	 n;

	if (checkcfg_become(o->user, SERVICE_USER) == -1)
		return 1;
	n = open_all(o, &r, 1);
	checkcfg_verdict(o->conf, n);
	close_opened(&r);
	return n > 0;
}

/* Refreshes every `refresh` seconds and on SIGHUP, until TERM or INT. */
static void
daemon_loop(struct sources *s, const struct rconf *c, const sigset_t *set)
{
	struct timespec	 wait = { (time_t)c->refresh, 0 };
	int		 sig;

	for (;;) {
		log_debug("round done: %d", sources_refresh(s, NULL));
		do
			sig = sigtimedwait(set, NULL, &wait);
		while (sig == -1 && errno == EINTR);
		if (sig == SIGTERM || sig == SIGINT) {
			log_info("signal %d: stopping", sig);
			return;
		}
		if (sig == SIGHUP)
			log_info("SIGHUP: fetching now");
	}
}

static int
run_daemon(struct sources *s, const struct rconf *c)
{
	struct serve	*srv;
	sigset_t	 set;
	int		 fd;

	if ((fd = serve_listen(c->listen_host, c->listen_port)) == -1)
		return 1;
	/* Blocked in every thread; only sigtimedwait() takes them. */
	(void)signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	(void)sigprocmask(SIG_BLOCK, &set, NULL);
	if (rsandbox_apply(c) == -1) {
		(void)close(fd);
		return 1;
	}
	if ((srv = serve_start(fd, s)) == NULL)
		return 1;
	log_info("serving %zu lists on %s", c->lists.n, c->listen);
	daemon_loop(s, c, &set);
	serve_stop(srv);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct opts	 o;
	struct opened	 r;
	int		 rc = 1;

	if (fds_std_valid() == -1 || parse_opts(argc, argv, &o) == -1)
		return 1;
	log_init("listfeed-relay", 0);
	log_set_verbose(o.verbose);
	if (o.mode == M_CHECK)
		return check_main(&o);
	if (open_all(&o, &r, 0) > 0)
		goto out;
	if (mkdir_p(r.c.state, 0700) == -1) {
		log_warn("%s", r.c.state);
		goto out;
	}
	switch (o.mode) {
	case M_ONCE:
		if (rsandbox_apply(&r.c) == 0) {
			rc = sources_refresh(r.s, stdout);
			(void)fflush(stdout);
		}
		break;
	case M_DAEMON:
		rc = run_daemon(r.s, &r.c);
		break;
	case M_CHECK:		/* check_main() */
		break;
	}
out:
	close_opened(&r);
	return rc;
}
