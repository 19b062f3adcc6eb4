/* sock: see sock.h. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "sock.h"

#define SOCK_BACKLOG	128
#define SOCK_UMASK	0117	/* socket mode 0660 */

static int
sock_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (xsnprintf(sun->sun_path, sizeof(sun->sun_path), "%s", path) < 0) {
		log_warnx("%s: socket path too long", path);
		return -1;
	}
	return 0;
}

/* 1 if something accepts connections at sun. */
static int
sock_alive(const struct sockaddr_un *sun)
{
	int	 fd, alive;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	alive = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	close(fd);
	return alive;
}

int
sock_listen(const char *path, struct sock_id *id)
{
	struct sockaddr_un sun;
	struct stat st;
	mode_t	 old;
	int	 fd, rc;

	if (sock_addr(path, &sun) == -1)
		return -1;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("%s: exists and is not a socket", path);
			return -1;
		}
		if (sock_alive(&sun)) {
			log_warnx("%s: another process listens there", path);
			return -1;
		}
		if (unlink(path) == -1) {
			log_warn("%s: unlink stale socket", path);
			return -1;
		}
	} else if (errno != ENOENT) {
		log_warn("%s", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("socket");
		return -1;
	}
	old = umask(SOCK_UMASK);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc == -1) {
		log_warn("%s: bind", path);
		close(fd);
		return -1;
	}
	if (listen(fd, SOCK_BACKLOG) == -1 || lstat(path, &st) == -1) {
		log_warn("%s: listen", path);
		close(fd);
		(void)unlink(path);
		return -1;
	}
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return fd;
}

int
sock_inherited(int fd, int quiet)
{
	struct stat st;
	int	 acc = 0;
	socklen_t len = sizeof(acc);

	if (fstat(fd, &st) == -1 || !S_ISSOCK(st.st_mode)) {
		if (!quiet)
			log_warnx("no -s socket and standard input is not a socket");
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == -1 ||
	    !acc) {
		if (!quiet)
			log_warnx("standard input is not a listening socket");
		return -1;
	}
	return 0;
}

void
sock_unlink(const char *path, const struct sock_id *id)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == id->dev && st.st_ino == id->ino)
		(void)unlink(path);
}
