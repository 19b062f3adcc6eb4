/*
 * bench-accel: the trivial FastCGI responder of make bench (figures
 * 4e-4g), the baseline listfeed.fcgi is measured against.
 *
 * usage: bench-accel SOCKET THREADS URI HEADERFILE [URI HEADERFILE ...]
 *
 * Listens on the Unix socket SOCKET with THREADS threads and answers a
 * request whose REQUEST_URI is URI with the bytes of HEADERFILE (read
 * once at start: the header block listfeed.fcgi gives for that URI,
 * X-Accel-Redirect included, ending with an empty line), any other URI
 * with 404.  No configuration, no certificate check, no manifest, no
 * log.  Each connection ends as listfeed.fcgi ends one after
 * X-Accel-Redirect (nginx will close it): detached and closed at once,
 * so the two responders differ only in their work per request.
 * Ends on SIGTERM or SIGINT (libfcgi catches SIGTERM for itself, so the
 * main thread waits for both with the workers blocking them).  Never
 * installed.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#define MAX_URIS	16
#define MAX_THREADS	64
#define MAX_HEADER	4096

struct answer {
	const char	*uri;
	char		 hdr[MAX_HEADER];
	int		 len;
};

static struct answer	answers[MAX_URIS];
static int		nanswers;
static int		listenfd;

static const char	not_found[] = "Status: 404 Not Found\r\n"
			    "Content-Type: text/plain\r\n\r\nnot found\n";

static int
load(struct answer *a, const char *uri, const char *path)
{
	FILE	*f;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		return -1;
	}
	n = fread(a->hdr, 1, sizeof(a->hdr), f);
	(void)fclose(f);
	if (n == 0 || n == sizeof(a->hdr)) {
		fprintf(stderr, "%s: empty or too long\n", path);
		return -1;
	}
	a->uri = uri;
	a->len = (int)n;
	return 0;
}

static void
answer(FCGX_Request *req)
{
	const char	*uri = FCGX_GetParam("REQUEST_URI", req->envp);
	int		 i;

	for (i = 0; uri != NULL && i < nanswers; i++)
		if (strcmp(uri, answers[i].uri) == 0) {
			(void)FCGX_PutStr(answers[i].hdr, answers[i].len,
			    req->out);
			return;
		}
	(void)FCGX_PutS(not_found, req->out);
}

static void *
worker(void *arg)
{
	FCGX_Request	 req;

	(void)arg;
	if (FCGX_InitRequest(&req, listenfd, 0) != 0)
		return NULL;
	while (FCGX_Accept_r(&req) >= 0) {
		answer(&req);
		/* As listfeed.fcgi's SERVE_CLOSE: nginx closes after this. */
		req.keepConnection = 0;
		(void)FCGX_Detach(&req);
		FCGX_Finish_r(&req);
	}
	return NULL;
}

static int
listen_unix(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "%s: path too long\n", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	(void)unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0666) == -1 || listen(fd, 128) == -1) {
		perror(path);
		return -1;
	}
	return fd;
}

int
main(int argc, char *argv[])
{
	pthread_t	 t[MAX_THREADS];
	sigset_t	 set;
	int		 i, n, sig;

	n = argc > 2 ? atoi(argv[2]) : 0;
	if (argc < 5 || argc % 2 == 0 || n < 1 || n > MAX_THREADS ||
	    (argc - 3) / 2 > MAX_URIS) {
		fprintf(stderr, "usage: bench-accel SOCKET THREADS URI "
		    "HEADERFILE [URI HEADERFILE ...]\n");
		return 2;
	}
	for (i = 3; i < argc; i += 2)
		if (load(&answers[nanswers++], argv[i], argv[i + 1]) == -1)
			return 1;
	if (FCGX_Init() != 0 || (listenfd = listen_unix(argv[1])) == -1)
		return 1;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, worker, NULL) != 0) {
			fprintf(stderr, "pthread_create failed\n");
			return 1;
		}
	(void)sigwait(&set, &sig);
	(void)unlink(argv[1]);
	return 0;
}
