/*
 * listfeed.fcgi: the FastCGI responder behind nginx (listfeed.fcgi(8)).
 *
 * Start-up order, as slowcgi: make fds 0-2 valid, options, logging,
 * configuration (and -n), listening socket, signals, worker threads,
 * then the main thread waits for signals.  Only this file exits.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "conf.h"
#include "fsutil.h"
#include "index.h"
#include "log.h"
#include "csandbox.h"
#include "serve.h"
#include "sock.h"
#include "state.h"
#include "trigger.h"

#define WAKE_SIGNAL	SIGUSR1

struct worker {
	pthread_t	 tid;
	int		 listenfd;
	atomic_int	 busy;		/* inside a request */
	atomic_int	 done;
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: listfeed.fcgi [-lnv] [-c config] "
	    "[-s socket]\n");
	exit(1);
}

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

int
main(int argc, char *argv[])
{
	struct lf_config cfg;
	struct index_tmpl *idx;
	struct worker *workers;
	struct sock_id sid;
	struct sigaction sa;
	sigset_t set;
	const char *conffile = CONF_DEFAULT_PATH, *sockpath = NULL;
	char	*sockcopy = NULL;
	int	 ch, lflag = 0, nflag = 0, vflag = 0, listenfd, sig, rc;
	unsigned nthreads, i;

	if (fds_std_valid() == -1)
		return 1;

	while ((ch = getopt(argc, argv, "c:lns:v")) != -1) {
		switch (ch) {
		case 'c':
			conffile = optarg;
			break;
		case 'l':
			lflag = 1;
			break;
		case 'n':
			nflag = 1;
			break;
		case 's':
			sockpath = optarg;
			break;
		case 'v':
			vflag = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	log_init("listfeed.fcgi", lflag);
	log_set_verbose(vflag);

	if (state_load(conffile, &cfg, &idx) == -1) {
		if (nflag)
			log_warnx("%s: configuration NOT OK; a running "
			    "listfeed.fcgi keeps the configuration it has, "
			    "clients and lists included, until this file "
			    "loads", conffile);
		return 1;
	}
	if (nflag) {
		fprintf(stderr, "configuration OK\n");
		index_free(idx);
		conf_free(&cfg);
		return 0;
	}

	/* -s, else a socket passed on fd 0, else [fcgi] socket. */
	if (sockpath == NULL && sock_inherited(0, 1) == -1)
		sockpath = cfg.fcgi_socket;
	if (sockpath != NULL) {
		if ((sockcopy = strdup(sockpath)) == NULL) {
			log_warn("strdup");
			goto fail;
		}
		if ((listenfd = sock_listen(sockcopy, &sid)) == -1)
			goto fail;
	} else {
		if (sock_inherited(0, 0) == -1)
			goto fail;
		listenfd = 0;
	}
	nthreads = cfg.fcgi_threads;	/* 1 to 64, default 8: conf.h */
	trigger_set_waiters(trigger_waiters_max(nthreads));

	/* Signals: blocked everywhere; this thread sigwait()s for them. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = wake;		/* no SA_RESTART: read(2) -> EINTR */
	sigaction(WAKE_SIGNAL, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, WAKE_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	/* Least privilege before any worker runs: csandbox.h. */
	if (csandbox_apply(&cfg, conffile, sockcopy) == -1)
		goto fail_sock;
	if (state_init(&cfg, idx) == -1)
		goto fail_sock;
	if (FCGX_Init() != 0) {
		log_warnx("FCGX_Init failed");
		goto fail_state;
	}
	if ((workers = calloc(nthreads, sizeof(*workers))) == NULL) {
		log_warn("calloc");
		goto fail_state;
	}
	for (i = 0; i < nthreads; i++) {
		workers[i].listenfd = listenfd;
		if ((rc = pthread_create(&workers[i].tid, NULL, worker_main,
		    &workers[i])) != 0) {
			errno = rc;
			log_warn("pthread_create");
			workers_stop(workers, i, listenfd);
			free(workers);
			goto fail_state;
		}
	}
	log_info("listening on %s with %u threads, %u of them for trigger "
	    "waits", sockcopy != NULL ? sockcopy : "standard input", nthreads,
	    trigger_waiting_max());

	sigdelset(&set, WAKE_SIGNAL);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			state_refresh_all();
			continue;
		}
		break;
	}
	log_info("signal %d: stopping", sig);
	workers_stop(workers, nthreads, listenfd);
	free(workers);
	if (sockcopy != NULL) {
		sock_unlink(sockcopy, &sid);
		close(listenfd);
		free(sockcopy);
	}
	state_shutdown();
	return 0;

fail_state:
	state_shutdown();
	memset(&cfg, 0, sizeof(cfg));
	idx = NULL;
fail_sock:
	if (sockcopy != NULL) {
		sock_unlink(sockcopy, &sid);
		close(listenfd);
	}
fail:
	free(sockcopy);
	index_free(idx);
	conf_free(&cfg);
	return 1;
}
