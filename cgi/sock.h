/*
 * sock: the FastCGI listening socket.
 *
 * sock_listen() creates a Unix stream socket at path itself (libfcgi's
 * FCGX_OpenSocket exits on failure and unlinks whatever is at the path):
 * SOCK_CLOEXEC, mode 0660 through the umask around bind(2).  Something
 * already at the path is removed only if it is a socket that nobody
 * accepts on (a stale one); anything else is an error.
 * sock_inherited() checks that fd 0 is a listening socket (spawn-fcgi,
 * systemd socket units).
 */
#ifndef LF_SOCK_H
#define LF_SOCK_H

#include <sys/types.h>

struct sock_id {
	dev_t	 dev;
	ino_t	 ino;
};

/* fd, or -1 with the reason logged; *id identifies the socket file. */
int	sock_listen(const char *path, struct sock_id *id);
/* 0 if fd is a listening stream socket, else -1 (logged unless quiet). */
int	sock_inherited(int fd, int quiet);
/* Removes path if it is still the socket we created. */
void	sock_unlink(const char *path, const struct sock_id *id);

#endif
