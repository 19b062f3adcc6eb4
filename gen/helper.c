/* helper: see helper.h. */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "helper.h"
#include "log.h"

static int	 hfd = -1;	/* the parent's end */
static pid_t	 hpid = -1;
static int	 in_child;

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

/* Sends one frame: the length, then the bytes.  0, or -1. */
static int
frame_send(int fd, const struct buf *m)
{
	struct iovec	 iov[2];
	uint32_t	 n;

	if (buf_failed(m) || m->len > HELPER_MAX) {
		errno = buf_failed(m) ? ENOMEM : EMSGSIZE;
		return -1;
	}
	n = (uint32_t)m->len;
	iov[0].iov_base = &n;
	iov[0].iov_len = sizeof(n);
	iov[1].iov_base = m->data;
	iov[1].iov_len = m->len;
	return send_all(fd, iov, m->len > 0 ? 2 : 1);
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

/* Reads one frame into m (reset first).  0, 1 at EOF, -1. */
static int
frame_recv(int fd, struct buf *m)
{
	uint32_t	 n;
	int		 rc;

	buf_reset(m);
	if ((rc = recv_all(fd, &n, NULL, sizeof(n))) != 0)
		return rc;
	if (n > HELPER_MAX) {
		errno = EPROTO;
		return -1;
	}
	return recv_all(fd, NULL, m, n);
}

static void __attribute__((noreturn))
helper_loop(int fd, helper_answer_fn *fn)
{
	struct buf	 req = BUF_INIT, rep = BUF_INIT;
	sigset_t	 set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	(void)sigprocmask(SIG_BLOCK, &set, NULL);
	in_child = 1;
	while (frame_recv(fd, &req) == 0) {
		buf_reset(&rep);
		fn(req.data, req.len, &rep);
		if (frame_send(fd, &rep) == -1)
			break;
	}
	buf_free(&req);
	buf_free(&rep);
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
helper_start(helper_answer_fn *fn)
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
		helper_loop(sv[1], fn);
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

int
helper_call(const struct buf *req, struct buf *rep)
{
	if (hfd == -1)
		return -1;
	if (buf_failed(req) || req->len > HELPER_MAX) {
		log_warnx("helper: request too large or out of memory");
		return -1;
	}
	if (frame_send(hfd, req) == -1 || frame_recv(hfd, rep) != 0) {
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
