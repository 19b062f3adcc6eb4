/* helper: see helper.h. */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "helper.h"
#include "log.h"

struct head {
	uint32_t	 op;
	int32_t		 rc;
	uint32_t	 len[HELPER_NB];
};

static int	 hfd = -1;	/* the parent's end */
static pid_t	 hpid = -1;
static int	 in_child;

void
helper_msg_init(struct helper_msg *m)
{
	memset(m, 0, sizeof(*m));	/* each buf as BUF_INIT */
}

void
helper_msg_reset(struct helper_msg *m)
{
	size_t	i;

	m->op = 0;
	m->rc = 0;
	for (i = 0; i < HELPER_NB; i++)
		buf_reset(&m->b[i]);
}

void
helper_msg_free(struct helper_msg *m)
{
	size_t	i;

	for (i = 0; i < HELPER_NB; i++)
		buf_free(&m->b[i]);
}

static int
send_all(int fd, struct iovec *iov, int n)
{
	struct msghdr	 mh;
	ssize_t		 w;

	while (n > 0) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = (size_t)n;
		if ((w = sendmsg(fd, &mh, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static int
msg_send(int fd, const struct helper_msg *m)
{
	struct iovec	 iov[1 + HELPER_NB];
	struct head	 h;
	size_t		 i;

	memset(&h, 0, sizeof(h));
	h.op = m->op;
	h.rc = m->rc;
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	for (i = 0; i < HELPER_NB; i++) {
		if (buf_failed(&m->b[i]) || m->b[i].len > HELPER_MAX) {
			errno = ENOMEM;
			return -1;
		}
		h.len[i] = (uint32_t)m->b[i].len;
		iov[1 + i].iov_base = m->b[i].data;
		iov[1 + i].iov_len = m->b[i].len;
	}
	return send_all(fd, iov, 1 + HELPER_NB);
}

/* Reads exactly n bytes into p (or appends them to b).  0, 1 at EOF
 * before the first byte, -1. */
static int
recv_all(int fd, void *p, struct buf *b, size_t n)
{
	char	 tmp[65536];
	size_t	 got = 0, want;
	ssize_t	 r;

	while (got < n) {
		want = n - got;
		if (b != NULL && want > sizeof(tmp))
			want = sizeof(tmp);
		r = read(fd, b != NULL ? tmp : (char *)p + got, want);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0 && got == 0 && b == NULL)
				return 1;
			if (r == 0)
				errno = EPIPE;
			return -1;
		}
		if (b != NULL && buf_add(b, tmp, (size_t)r) == -1)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* 0, 1 at EOF, -1. */
static int
msg_recv(int fd, struct helper_msg *m)
{
	struct head	 h;
	size_t		 i;
	int		 rc;

	helper_msg_reset(m);
	if ((rc = recv_all(fd, &h, NULL, sizeof(h))) != 0)
		return rc;
	for (i = 0; i < HELPER_NB; i++)
		if (h.len[i] > HELPER_MAX) {
			errno = EPROTO;
			return -1;
		}
	m->op = h.op;
	m->rc = h.rc;
	for (i = 0; i < HELPER_NB; i++)
		if (recv_all(fd, NULL, &m->b[i], h.len[i]) == -1)
			return -1;
	return 0;
}

static void __attribute__((noreturn))
child_main(int fd, helper_serve_fn *fn)
{
	struct helper_msg	 req, rep;
	sigset_t		 set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	(void)sigprocmask(SIG_BLOCK, &set, NULL);
	in_child = 1;
	helper_msg_init(&req);
	helper_msg_init(&rep);
	while (msg_recv(fd, &req) == 0) {
		helper_msg_reset(&rep);
		rep.op = req.op;
		fn(&req, &rep);
		if (msg_send(fd, &rep) == -1)
			break;
	}
	helper_msg_free(&req);
	helper_msg_free(&rep);
	_exit(0);
}

/* The child is gone or must go: close our end and reap it. */
static void
reap(int quiet)
{
	int	 st;

	if (hfd != -1)
		(void)close(hfd);
	hfd = -1;
	if (hpid == -1)
		return;
	while (waitpid(hpid, &st, 0) == -1 && errno == EINTR)
		;
	if (!quiet && WIFSIGNALED(st))
		log_warnx("helper process %ld: killed by signal %d",
		    (long)hpid, WTERMSIG(st));
	else if (!quiet)
		log_warnx("helper process %ld: ended (status %d)",
		    (long)hpid, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	hpid = -1;
}

int
helper_start(helper_serve_fn *fn)
{
	int	 sv[2];
	pid_t	 pid;

	if (in_child) {
		log_warnx("helper_start: called in the helper");
		return -1;
	}
	reap(1);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("socketpair");
		return -1;
	}
	/* Nothing buffered is written twice. */
	(void)fflush(NULL);
	if ((pid = fork()) == -1) {
		log_warn("fork");
		(void)close(sv[0]);
		(void)close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		(void)close(sv[0]);
		child_main(sv[1], fn);
	}
	(void)close(sv[1]);
	hfd = sv[0];
	hpid = pid;
	return 0;
}

int
helper_alive(void)
{
	return hfd != -1;
}

long
helper_pid(void)
{
	return hfd != -1 ? (long)hpid : -1;
}

int
helper_call(const struct helper_msg *req, struct helper_msg *rep)
{
	size_t	i;

	if (hfd == -1)
		return -1;
	for (i = 0; i < HELPER_NB; i++)
		if (buf_failed(&req->b[i]) || req->b[i].len > HELPER_MAX) {
			log_warnx("helper: request too large or out of memory");
			return -1;
		}
	if (msg_send(hfd, req) == -1 || msg_recv(hfd, rep) != 0) {
		reap(0);
		return -1;
	}
	return 0;
}

void
helper_stop(void)
{
	reap(1);
}
