/* trigger: see trigger.h. */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "manifest.h"
#include "state.h"
#include "trigger.h"
#include "trigmsg.h"

static atomic_uint waiting;
static unsigned waiting_max;

#define TRIGGER_SEND_TRIES	40	/* 5 ms apart */

int
trigger_send(const char *socket_path, const char *list)
{
	struct sockaddr_un sun;
	struct timespec pause = { 0, 5 * 1000 * 1000 };
	char	 msg[TRIGMSG_MAX + 1];
	int	 fd, len, tries;
	ssize_t	 n;

	if (socket_path == NULL)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (xsnprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
	    socket_path) < 0) {
		log_warnx("%s: trigger socket path too long", socket_path);
		return -1;
	}
	if ((len = trigmsg_format(msg, sizeof(msg), list)) < 0)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("socket");
		return -1;
	}
	/* A full queue empties in moments (the generator reads it from a
	 * thread of its own): retry briefly rather than refuse. */
	for (tries = 0;; tries++) {
		n = sendto(fd, msg, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL,
		    (struct sockaddr *)&sun, sizeof(sun));
		if (n == len || tries >= TRIGGER_SEND_TRIES ||
		    (errno != EAGAIN && errno != EWOULDBLOCK))
			break;
		(void)nanosleep(&pause, NULL);
	}
	if (n != len) {
		log_warn("%s: trigger not delivered", socket_path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

enum wait_result
trigger_wait(const char *run_path, long long t0_ms, int seconds,
    struct lf_run *run)
{
	struct timespec ts = { 0, TRIGGER_POLL_MS * 1000000L };
	long long deadline;

	if (seconds < 1)
		seconds = 1;
	if (seconds > TRIGGER_WAIT_MAX)
		seconds = TRIGGER_WAIT_MAX;
	deadline = now_ms() + (long long)seconds * 1000;
	for (;;) {
		if (state_stopping())
			return WAIT_STOPPED;
		memset(run, 0, sizeof(*run));
		if (run_read(run_path, run) == 0 &&
		    run->started_ms >= t0_ms && run->finished_ms != 0)
			return WAIT_DONE;
		if (now_ms() >= deadline)
			return WAIT_TIMEOUT;
		(void)nanosleep(&ts, NULL);
	}
}

unsigned
trigger_waiters_max(unsigned threads)
{
	if (threads < 2)
		return 0;
	return threads / 4 > 0 ? threads / 4 : 1;
}

void
trigger_set_waiters(unsigned max)
{
	waiting_max = max;
}

int
trigger_wait_enter(void)
{
	unsigned n = atomic_load(&waiting);

	do {
		if (n >= waiting_max)
			return -1;
	} while (!atomic_compare_exchange_weak(&waiting, &n, n + 1));
	return 0;
}

void
trigger_wait_leave(void)
{
	atomic_fetch_sub(&waiting, 1);
}

unsigned
trigger_waiting(void)
{
	return atomic_load(&waiting);
}

unsigned
trigger_waiting_max(void)
{
	return waiting_max;
}
