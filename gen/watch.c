/* watch: see watch.h. */
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "fsutil.h"
#include "log.h"
#include "trigmsg.h"
#include "valid.h"
#include "watch.h"

#define COALESCE_MS	1000
#define RETRY_S		60	/* a failed full run's first retry */
#define RETRY_MAX_S	3600	/* without an interval */
static int
bind_trigger(const char *path)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	mode_t			 old;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (xsnprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path) == -1) {
		log_warnx("%s: socket path too long", path);
		return -1;
	}
	/* Replace a stale socket, never anything else. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("%s: exists and is not a socket", path);
			return -1;
		}
		(void)unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1) {
		log_warn("socket");
		return -1;
	}
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		log_warn("bind %s", path);
		(void)umask(old);
		(void)close(fd);
		return -1;
	}
	(void)umask(old);
	return fd;
}

struct pending {
	int		 any;		/* a trigger is waiting */
	int		 all;		/* one of them named no list */
	struct strlist	 lists;
};

static void
pending_clear(struct pending *p)
{
	strlist_free(&p->lists);
	memset(p, 0, sizeof(*p));
}

static void
drain(int fd, struct pending *p)
{
	char	 msg[TRIGMSG_MAX], list[VALID_LIST_MAX + 1];
	ssize_t	 n;

	while ((n = recv(fd, msg, sizeof(msg), 0)) >= 0) {
		if (trigmsg_parse(msg, (size_t)n, list) == -1) {
			log_warnx("trigger: ignored a malformed message of "
			    "%zd bytes", n);
			continue;
		}
		p->any = 1;
		if (list[0] == '\0') {
			p->all = 1;
			continue;
		}
		if (p->all || strlist_has(&p->lists, list) || p->lists.n >= 64) {
			if (p->lists.n >= 64)
				p->all = 1;
			continue;
		}
		if (strlist_add(&p->lists, list) == -1)
			p->all = 1;	/* out of memory: regenerate all */
	}
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		log_warn("trigger socket");
}

static int
run_once(const struct lf_config *cfg, struct crypt *crypt,
    const struct gen_opts *base, const struct strlist *only)
{
	struct gen_opts	 o = *base;
	int		 rc;

	if (only != NULL)
		o.only = *only;
	crypt_flush(crypt);
	rc = generate(cfg, &crypt, &o, stdout);
	log_info("generation finished with exit status %d", rc);
	return rc;
}

/*
 * The trigger socket is read by a thread of its own, so that triggers
 * sent during a long generation never fill the socket's queue (a sender
 * would then be refused): they are merged into the pending set at once.
 */
struct inbox {
	pthread_mutex_t	 mu;
	struct pending	 p;
	int		 sock;
	int		 wake;		/* eventfd: tells the main loop */
	int		 stop;		/* eventfd: tells the reader to end */
};

static void *
reader(void *arg)
{
	struct inbox	*in = arg;
	struct pollfd	 pfd[2];
	uint64_t	 one = 1;

	pfd[0].fd = in->sock;
	pfd[0].events = POLLIN;
	pfd[1].fd = in->stop;
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			break;
		}
		if (pfd[1].revents != 0)
			break;
		if (pfd[0].revents & POLLIN) {
			pthread_mutex_lock(&in->mu);
			drain(in->sock, &in->p);
			pthread_mutex_unlock(&in->mu);
			(void)!write(in->wake, &one, sizeof(one));
		}
	}
	return NULL;
}

static int
inbox_any(struct inbox *in, int mark_all)
{
	int	 any;

	pthread_mutex_lock(&in->mu);
	if (mark_all)
		in->p.any = in->p.all = 1;
	any = in->p.any;
	pthread_mutex_unlock(&in->mu);
	return any;
}

static void
inbox_take(struct inbox *in, struct pending *out)
{
	pthread_mutex_lock(&in->mu);
	*out = in->p;
	memset(&in->p, 0, sizeof(in->p));
	pthread_mutex_unlock(&in->mu);
}

long long
watch_next_full(long long last, unsigned interval, unsigned fails)
{
	long long	 cap = interval > 0 ? interval : RETRY_MAX_S;
	long long	 retry = RETRY_S;
	unsigned	 i;

	if (fails == 0)
		return interval > 0 ? last + interval * 1000LL : -1;
	for (i = 1; i < fails && retry < cap; i++)
		retry *= 2;
	return last + (retry < cap ? retry : cap) * 1000LL;
}

/* A full run that did not publish everything it should have. */
static int
full_failed(int rc)
{
	return rc == EXIT_CONFIG || rc == EXIT_DATABASE;
}

/* The main loop: signals, the interval, and generations. */
static void
loop(const struct lf_config *cfg, struct crypt *crypt,
    const struct gen_opts *base, struct inbox *in, int sfd)
{
	struct pollfd		 pfd[2];
	struct signalfd_siginfo	 si;
	struct pending		 take;
	long long		 last, next_full, now, wait;
	uint64_t		 n;
	unsigned		 fails;
	int			 rc;

	/* A first full generation at start-up. */
	last = now_ms();
	fails = full_failed(run_once(cfg, crypt, base, NULL));
	next_full = watch_next_full(last, cfg->interval, fails);
	for (;;) {
		now = now_ms();
		wait = -1;
		if (inbox_any(in, 0))
			wait = last + COALESCE_MS - now;
		if (next_full >= 0 && (wait < 0 || next_full - now < wait))
			wait = next_full - now;
		if (wait != -1 && wait < 0)
			wait = 0;
		pfd[0].fd = in->wake;
		pfd[0].events = POLLIN;
		pfd[1].fd = sfd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, wait > 3600000 ? 3600000 : (int)wait) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			return;
		}
		if (pfd[1].revents & POLLIN &&
		    read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo != SIGHUP) {
				log_info("signal %u: stopping", si.ssi_signo);
				return;
			}
			(void)inbox_any(in, 1);
		}
		if (pfd[0].revents & POLLIN)
			(void)!read(in->wake, &n, sizeof(n));
		now = now_ms();
		if (next_full >= 0 && now >= next_full)
			(void)inbox_any(in, 1);
		if (!inbox_any(in, 0) || now < last + COALESCE_MS)
			continue;
		inbox_take(in, &take);
		last = now;
		rc = run_once(cfg, crypt, base, take.all ? NULL : &take.lists);
		if (take.all) {
			fails = full_failed(rc) ? fails + 1 : 0;
			next_full = watch_next_full(last, cfg->interval, fails);
		}
		pending_clear(&take);
	}
}

int
watch_run(const struct lf_config *cfg, struct crypt *crypt,
    const struct gen_opts *base)
{
	struct inbox	 in;
	struct gen_opts	 o = *base;
	pthread_t	 tid;
	sigset_t	 mask;
	uint64_t	 one = 1;
	int		 sfd, rc = 1;

	memset(&in, 0, sizeof(in));
	in.sock = in.wake = in.stop = -1;
	/* Blocked before the reader starts, so that it inherits the mask. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) == -1 ||
	    (sfd = signalfd(-1, &mask, SFD_CLOEXEC)) == -1) {
		log_warn("signalfd");
		return 1;
	}
	if ((in.wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1 ||
	    (in.stop = eventfd(0, EFD_CLOEXEC)) == -1) {
		log_warn("eventfd");
		goto out;
	}
	if ((in.sock = bind_trigger(cfg->trigger_socket)) == -1)
		goto out;
	pthread_mutex_init(&in.mu, NULL);
	if ((errno = pthread_create(&tid, NULL, reader, &in)) != 0) {
		log_warn("pthread_create");
		goto out_unlink;
	}
	log_info("watching %s, every %u s", cfg->trigger_socket,
	    cfg->interval);
	/* One database connection for every generation (db.h). */
	o.db = db_new();
	loop(cfg, crypt, &o, &in, sfd);
	db_free(o.db);
	(void)!write(in.stop, &one, sizeof(one));
	pthread_join(tid, NULL);
	rc = 0;
out_unlink:
	pthread_mutex_destroy(&in.mu);
	pending_clear(&in.p);
	(void)unlink(cfg->trigger_socket);
out:
	if (in.sock != -1)
		(void)close(in.sock);
	if (in.wake != -1)
		(void)close(in.wake);
	if (in.stop != -1)
		(void)close(in.stop);
	(void)close(sfd);
	return rc;
}
