/*
 * listfeed.fcgi: the FastCGI responder behind nginx (listfeed.fcgi(8)).
 *
 * Start-up order, as slowcgi: make fds 0-2 valid, options
 * (parse_args()), logging, then either the check (check_config(): every
 * problem, as the service user when run as root) or serve_main():
 * configuration, listening socket, signals, sandbox, worker threads,
 * then the main thread waits for signals.  Only this file exits.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "checkcfg.h"
#include "conf.h"
#include "fsutil.h"
#include "fswatch.h"
#include "index.h"
#include "log.h"
#include "csandbox.h"
#include "manifest.h"
#include "report.h"
#include "serve.h"
#include "sock.h"
#include "state.h"
#include "trigger.h"

#ifndef LF_VERSION
#define LF_VERSION	"0"
#endif

#define WAKE_SIGNAL	SIGUSR1
/* systemd/listfeed-fcgi.service: User= */
#define SERVICE_USER	"listfeed-fcgi"

enum { OPT_USER = 256, OPT_VERSION };

/* What the command line asks for. */
struct fcgi_args {
	const char	*conf;
	const char	*sock;		/* -s */
	const char	*user;		/* --user: check as that user */
	int		 syslog, check, verbose;
};

/* What parse_args() leaves to main(). */
enum args_result { ARGS_RUN, ARGS_DONE, ARGS_BAD };

/* The listening socket: ours at path, or the one passed on fd 0. */
struct listener {
	int		 fd;
	char		*path;		/* NULL: fd 0 */
	struct sock_id	 sid;
};

struct worker {
	pthread_t	 tid;
	int		 listenfd;
	atomic_int	 busy;		/* inside a request */
	atomic_int	 done;
};

static void
wake(int sig)
{
	(void)sig;	/* only interrupts a blocking read */
}

/*
 * How FCGX_Finish_r() leaves nginx's connection.  libfcgi's own close
 * is shutdown(2), a wait of up to 2 s for nginx to close its end, then
 * close(2): a guard against a TCP reset while input is unread.  A Unix
 * socket delivers the answer before any error, so once the input was
 * read to its end a detached request is closed by close(2) alone.  A
 * connection nginx is about to close (serve.h) is closed at once, not
 * after a read(2) that waits for nginx to do it.
 */
static void
conn_end(FCGX_Request *req, enum serve_conn conn)
{
	switch (conn) {
	case SERVE_CLOSE:
		/* No call for this in libfcgi 2.4: its request flag. */
		req->keepConnection = 0;
		/* FALLTHROUGH */
	case SERVE_KEEP:
		(void)FCGX_Detach(req);
		break;
	case SERVE_LINGER:
		/* Detached by an earlier request on a kept connection. */
		(void)FCGX_Attach(req);
		break;
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	FCGX_Request req;
	sigset_t set;
	struct timespec pause = { 0, 100 * 1000000L };

	/* Only the wake-up signal reaches a worker, and only when idle. */
	sigemptyset(&set);
	sigaddset(&set, WAKE_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	if (FCGX_InitRequest(&req, w->listenfd, 0) != 0) {
		log_warnx("FCGX_InitRequest failed");
		atomic_store(&w->done, 1);
		return NULL;
	}
	for (;;) {
		if (state_stopping())
			break;
		if (FCGX_Accept_r(&req) < 0) {
			if (state_stopping())
				break;
			log_debug("FCGX_Accept_r failed; retrying");
			(void)nanosleep(&pause, NULL);
			continue;
		}
		atomic_store(&w->busy, 1);
		conn_end(&req, serve_request(&req));
		FCGX_Finish_r(&req);
		atomic_store(&w->busy, 0);
	}
	FCGX_Free(&req, 1);
	atomic_store(&w->done, 1);
	return NULL;
}

/* Stops the workers: no new connections, idle ones woken, busy ones
 * finish their request (waits for the generator end early). */
static void
workers_stop(struct worker *w, unsigned n, int listenfd)
{
	struct timespec tick = { 0, 50 * 1000000L };
	unsigned i, alive;

	state_stop();
	FCGX_ShutdownPending();
	(void)shutdown(listenfd, SHUT_RDWR);
	do {
		alive = 0;
		for (i = 0; i < n; i++) {
			if (atomic_load(&w[i].done))
				continue;
			alive++;
			/* A kept-alive nginx connection blocks in read(2). */
			if (!atomic_load(&w[i].busy))
				pthread_kill(w[i].tid, WAKE_SIGNAL);
		}
		if (alive)
			(void)nanosleep(&tick, NULL);
	} while (alive);
	for (i = 0; i < n; i++)
		pthread_join(w[i].tid, NULL);
}


/* Starts n workers on listenfd: the array, or NULL (logged, none left). */
static struct worker *
workers_start(unsigned n, int listenfd)
{
	struct worker	*w;
	unsigned	 i;
	int		 rc;

	if ((w = calloc(n, sizeof(*w))) == NULL) {
		log_warn("calloc");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		w[i].listenfd = listenfd;
		if ((rc = pthread_create(&w[i].tid, NULL, worker_main,
		    &w[i])) != 0) {
			errno = rc;
			log_warn("pthread_create");
			workers_stop(w, i, listenfd);
			free(w);
			return NULL;
		}
	}
	return w;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: listfeed.fcgi [-lv] [-c config] [-s socket]\n"
	    "       listfeed.fcgi [-v] [-c config] -n | --check-config "
	    "[--user name]\n"
	    "       listfeed.fcgi --help | --version\n");
}

static enum args_result
parse_args(int argc, char *argv[], struct fcgi_args *a)
{
	static const struct option longopts[] = {
		{ "check-config",	no_argument, NULL, 'n' },
		{ "user",		required_argument, NULL, OPT_USER },
		{ "help",		no_argument, NULL, 'h' },
		{ "version",		no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch;

	a->conf = CONF_DEFAULT_PATH;
	while ((ch = getopt_long(argc, argv, "c:hlns:v", longopts, NULL))
	    != -1) {
		switch (ch) {
		case 'c':
			a->conf = optarg;
			break;
		case 'h':
			usage(stdout);
			return ARGS_DONE;
		case 'l':
			a->syslog = 1;
			break;
		case 'n':
			a->check = 1;
			break;
		case 's':
			a->sock = optarg;
			break;
		case 'v':
			a->verbose = 1;
			break;
		case OPT_USER:
			a->user = optarg;
			break;
		case OPT_VERSION:
			printf("listfeed.fcgi %s\n", LF_VERSION);
			return ARGS_DONE;
		default:
			usage(stderr);
			return ARGS_BAD;
		}
	}
	if (optind != argc || (a->user != NULL && !a->check)) {
		usage(stderr);
		return ARGS_BAD;
	}
	return ARGS_RUN;
}

/*
 * What the responder reads from the feed directory: the directory, the
 * manifest and run.json as this user sees them.  A feed, manifest or
 * run.json that is not there yet (listfeed-gen makes them) is no
 * problem.  The number of problems, each logged.
 */
static unsigned
check_feed(const struct lf_config *cfg)
{
	struct lf_manifest	 m;
	struct lf_run		 run;
	struct stat		 st;
	char			 path[PATH_MAX];
	unsigned		 n = 0;

	if (cfg->feed_dir == NULL || cfg->feed_dir[0] != '/')
		return 0;	/* state_load() said so */
	if (stat(cfg->feed_dir, &st) == -1 && errno == ENOENT) {
		log_info("[feed] dir %s: not there yet (listfeed-gen makes "
		    "it)", cfg->feed_dir);
		return 0;
	}
	if (access(cfg->feed_dir, R_OK | X_OK) == -1) {
		log_warn("[feed] dir %s: this user cannot read it",
		    cfg->feed_dir);
		return 1;
	}
	memset(&m, 0, sizeof(m));
	if (xsnprintf(path, sizeof(path), "%s/" MANIFEST_NAME,
	    cfg->feed_dir) == -1 || manifest_read(path, &m) == -1) {
		log_warnx("%s: unreadable or invalid", path);
		n++;
	}
	manifest_free(&m);
	if (xsnprintf(path, sizeof(path), "%s/" RUN_NAME, cfg->feed_dir) == -1
	    || run_read(path, &run) == -1) {
		log_warnx("%s: unreadable or invalid", path);
		n++;
	}
	return n;
}

/* The trigger socket, if set: one this user may send to, when there. */
static unsigned
check_trigger(const struct lf_config *cfg)
{
	const char	*p = cfg->trigger_socket;
	struct stat	 st;

	if (p == NULL)
		return 0;
	if (stat(p, &st) == -1) {
		if (errno != ENOENT) {
			log_warn("[feed] trigger_socket %s", p);
			return 1;
		}
		log_info("[feed] trigger_socket %s: not there (is "
		    "listfeed-gen --watch running?)", p);
		return 0;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx("[feed] trigger_socket %s: not a socket", p);
		return 1;
	}
	if (access(p, W_OK) == -1) {
		log_warn("[feed] trigger_socket %s: this user cannot send "
		    "triggers", p);
		return 1;
	}
	return 0;
}

/*
 * -n, --check-config: the configuration file (nothing else can be
 * checked without it), then its rules and the index template
 * (state_load()), the feed and the trigger socket, every problem logged.
 * 0, or 1 if any.
 */
static int
check_config(const struct fcgi_args *a)
{
	struct lf_config	 cfg, scfg;
	struct index_tmpl	*idx;
	unsigned		 n = 0;

	if (checkcfg_become(a->user, SERVICE_USER) == -1)
		return 1;
	if (conf_load(a->conf, &cfg) == -1)
		n = 1;
	else {
		if (state_load(a->conf, &scfg, &idx) == -1)
			n++;
		else {
			index_free(idx);
			conf_free(&scfg);
		}
		n += check_feed(&cfg) + check_trigger(&cfg);
		conf_free(&cfg);
	}
	checkcfg_verdict(a->conf, n);
	if (n > 0)
		log_warnx("%s: a running listfeed.fcgi keeps the "
		    "configuration it has, clients and lists included, until "
		    "this file loads", a->conf);
	return n > 0;
}

/* -s, else a socket passed on fd 0, else [fcgi] socket.  0, or -1. */
static int
listener_open(struct listener *l, const char *sockpath,
    const struct lf_config *cfg)
{
	char	*path;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if (sockpath == NULL && sock_inherited(0, 1) == -1)
		sockpath = cfg->fcgi_socket;
	if (sockpath == NULL) {
		if (sock_inherited(0, 0) == -1)
			return -1;
		l->fd = 0;
		return 0;
	}
	if ((path = strdup(sockpath)) == NULL) {
		log_warn("strdup");
		return -1;
	}
	if ((l->fd = sock_listen(path, &l->sid)) == -1) {
		free(path);
		return -1;
	}
	l->path = path;
	return 0;
}

static void
listener_close(struct listener *l)
{
	if (l->path == NULL)
		return;
	sock_unlink(l->path, &l->sid);
	close(l->fd);
	free(l->path);
	l->path = NULL;
}

/* Signals: blocked everywhere; the main thread sigwait()s for set. */
static void
signals_block(sigset_t *set)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = wake;		/* no SA_RESTART: read(2) -> EINTR */
	sigaction(WAKE_SIGNAL, &sa, NULL);
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, WAKE_SIGNAL);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	sigdelset(set, WAKE_SIGNAL);
}

/* Waits for a signal that stops the responder (SIGHUP reloads). */
static int
signals_wait(const sigset_t *set)
{
	int	 sig;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig != SIGHUP)
			return sig;
		state_refresh_all();
	}
}

/* Serves until SIGTERM or SIGINT: 0, or 1 if it cannot start. */
static int
serve_main(const struct fcgi_args *a)
{
	struct lf_config cfg;
	struct index_tmpl *idx;
	struct listener	 l;
	struct worker	*workers;
	sigset_t	 set;
	unsigned	 nthreads;
	int		 sig;

	if (state_load(a->conf, &cfg, &idx) == -1)
		return 1;
	if (listener_open(&l, a->sock, &cfg) == -1)
		goto fail;
	nthreads = cfg.fcgi_threads;	/* 1 to 64, default 8: conf.h */
	trigger_set_waiters(trigger_waiters_max(nthreads));
	signals_block(&set);
	fswatch_init();
	/* Least privilege before any worker runs: csandbox.h. */
	if (csandbox_apply(&cfg, a->conf, l.path) == -1 ||
	    state_init(&cfg, idx) == -1)
		goto fail;
	/* The state owns cfg and idx from here. */
	report_start();
	if (FCGX_Init() != 0)
		log_warnx("FCGX_Init failed");
	else if ((workers = workers_start(nthreads, l.fd)) != NULL) {
		log_info("listening on %s with %u threads, %u of them for "
		    "trigger waits", l.path != NULL ? l.path :
		    "standard input", nthreads, trigger_waiting_max());
		sig = signals_wait(&set);
		log_info("signal %d: stopping", sig);
		workers_stop(workers, nthreads, l.fd);
		free(workers);
		listener_close(&l);
		state_shutdown();
		report_free();
		return 0;
	}
	state_shutdown();
	listener_close(&l);
	return 1;
fail:
	listener_close(&l);
	index_free(idx);
	conf_free(&cfg);
	return 1;
}

int
main(int argc, char *argv[])
{
	struct fcgi_args a;

	if (fds_std_valid() == -1)
		return 1;
	memset(&a, 0, sizeof(a));
	switch (parse_args(argc, argv, &a)) {
	case ARGS_DONE:
		return 0;
	case ARGS_BAD:
		return 1;
	case ARGS_RUN:
		break;
	}
	log_init("listfeed.fcgi", a.syslog);
	log_set_verbose(a.verbose);
	return a.check ? check_config(&a) : serve_main(&a);
}
