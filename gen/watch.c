/* watch: see watch.h. */
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "valid.h"
#include "watch.h"

#define COALESCE_MS	1000
#define TRIGGER_MAX	128

int
trigger_parse(const char *msg, size_t len, char list[65])
{
	static const char	 word[] = "regenerate";
	size_t			 n = sizeof(word) - 1;

	list[0] = '\0';
	if (len > 0 && msg[len - 1] == '\n')
		len--;
	if (len < n || memcmp(msg, word, n) != 0)
		return -1;
	if (len == n)
		return 0;
	if (msg[n] != ' ' || !valid_list_name_n(msg + n + 1, len - n - 1))
		return -1;
	memcpy(list, msg + n + 1, len - n - 1);
	list[len - n - 1] = '\0';
	return 0;
}

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
	char	 msg[TRIGGER_MAX + 1], list[65];
	ssize_t	 n;
	char	**v;

	while ((n = recv(fd, msg, TRIGGER_MAX, 0)) >= 0) {
		if (trigger_parse(msg, (size_t)n, list) == -1) {
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
		if ((v = reallocarray(p->lists.v, p->lists.n + 1,
		    sizeof(*v))) == NULL || (v[p->lists.n] = strdup(list))
		    == NULL) {
			if (v != NULL)
				p->lists.v = v;
			p->all = 1;
			continue;
		}
		p->lists.v = v;
		p->lists.n++;
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
	rc = generate(cfg, crypt, &o, stdout);
	log_info("generation finished with exit status %d", rc);
	return rc;
}

int
watch_run(const struct lf_config *cfg, struct crypt *crypt,
    const struct gen_opts *base)
{
	struct pollfd		 pfd[2];
	struct signalfd_siginfo	 si;
	struct pending		 p;
	sigset_t		 mask;
	long long		 last = 0, next_full, now, wait;
	int			 sock, sfd, stop = 0;

	memset(&p, 0, sizeof(p));
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) == -1 ||
	    (sfd = signalfd(-1, &mask, SFD_CLOEXEC)) == -1) {
		log_warn("signalfd");
		return 1;
	}
	if ((sock = bind_trigger(cfg->trigger_socket)) == -1) {
		(void)close(sfd);
		return 1;
	}
	log_info("watching %s, every %u s", cfg->trigger_socket,
	    cfg->interval);
	/* A first full generation at start-up. */
	last = now_ms();
	(void)run_once(cfg, crypt, base, NULL);
	next_full = cfg->interval ? last + cfg->interval * 1000LL : -1;

	while (!stop) {
		now = now_ms();
		wait = -1;
		if (p.any)
			wait = last + COALESCE_MS - now;
		if (next_full >= 0 && (wait < 0 || next_full - now < wait))
			wait = next_full - now;
		if (p.any || next_full >= 0)
			wait = wait < 0 ? 0 : wait;
		pfd[0].fd = sock;
		pfd[0].events = POLLIN;
		pfd[1].fd = sfd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, wait > 3600000 ? 3600000 : (int)wait) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			break;
		}
		if (pfd[1].revents & POLLIN &&
		    read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGHUP) {
				p.any = p.all = 1;
			} else {
				log_info("signal %u: stopping", si.ssi_signo);
				stop = 1;
				break;
			}
		}
		if (pfd[0].revents & POLLIN)
			drain(sock, &p);
		now = now_ms();
		if (next_full >= 0 && now >= next_full) {
			p.any = p.all = 1;
		}
		if (!p.any || now < last + COALESCE_MS)
			continue;
		last = now;
		(void)run_once(cfg, crypt, base, p.all ? NULL : &p.lists);
		if (p.all && cfg->interval)
			next_full = last + cfg->interval * 1000LL;
		pending_clear(&p);
	}
	pending_clear(&p);
	(void)close(sock);
	(void)unlink(cfg->trigger_socket);
	(void)close(sfd);
	return 0;
}
