/* serve: see serve.h. */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "log.h"
#include "serve.h"
#include "valid.h"

#define LISTS_PREFIX	"/lists/"
#define TEXT		"text/plain; charset=utf-8"

/*
 * Sympa makes one short GET per source and the answer comes from memory,
 * so a connection idle for IDLE_TIMEOUT seconds is a client that went
 * quiet: it is dropped.  MAX_CONNECTIONS idle or slow clients are needed
 * to make the next connection wait for a slot (well within a soft limit
 * of 1024 descriptors).  There is no limit per address: on loopback
 * Sympa and every other client come from the same one.
 */
#define IDLE_TIMEOUT	10	/* seconds */
#define MAX_CONNECTIONS	512

struct serve {
	struct MHD_Daemon	*d;
	struct sources		*src;
};

/* What the query string holds. */
struct query {
	int			 n;		/* arguments */
	int			 bad;
	enum sympafile_reception rec;
};

int
serve_listen(const char *host, unsigned short port)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len;
	int			 fd, one = 1, af;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		af = AF_INET;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		af = AF_INET6;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		len = sizeof(*s6);
	} else {
		log_warnx("listen: %s: not an address", host);
		return -1;
	}
	if ((fd = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("socket");
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, SOMAXCONN) == -1) {
		log_warn("listen on %s port %u", host, (unsigned)port);
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* Queues r (NULL: no memory) with the headers of every answer. */
static enum MHD_Result
queue(struct MHD_Connection *c, unsigned code, const char *type,
    struct MHD_Response *r)
{
	enum MHD_Result	 ret;

	if (r == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(r, "Content-Type", type);
	(void)MHD_add_response_header(r, "Cache-Control", "no-store");
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		(void)MHD_add_response_header(r, "Allow", "GET, HEAD");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
answer(struct MHD_Connection *c, unsigned code, const char *type,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A short answer built here (copied by MHD). */
static enum MHD_Result
answer(struct MHD_Connection *c, unsigned code, const char *type,
    const char *fmt, ...)
{
	struct MHD_Response	*r;
	va_list			 ap;
	char			*body;
	int			 n;

	va_start(ap, fmt);
	n = vasprintf(&body, fmt, ap);
	va_end(ap);
	if (n < 0)
		return MHD_NO;
	r = MHD_create_response_from_buffer((size_t)n, body,
	    MHD_RESPMEM_MUST_FREE);
	if (r == NULL)
		free(body);
	return queue(c, code, type, r);
}

static void
copy_done(void *cls)
{
	secbuf_unref(cls);
}

static enum MHD_Result
on_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct query	*q = cls;

	(void)kind;
	q->bad |= ++q->n > 1 || strcmp(key, "reception") != 0 ||
	    value == NULL || (strcmp(value, "mail") != 0 &&
	    strcmp(value, "digest") != 0);
	if (!q->bad)
		q->rec = strcmp(value, "mail") == 0 ? SF_RECEPTION_MAIL :
		    SF_RECEPTION_DIGEST;
	return MHD_YES;
}

static enum MHD_Result
serve_list(struct serve *s, struct MHD_Connection *c, const char *name)
{
	struct query		 q = { 0, 0, SF_RECEPTION_ALL };
	struct MHD_Response	*r;
	struct secbuf		*copy;
	char			 why[320];

	(void)MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, on_arg, &q);
	if (!valid_list_name(name) || q.bad)
		return answer(c, MHD_HTTP_BAD_REQUEST, TEXT, "bad request: "
		    "/lists/NAME[?reception=mail|digest]\n");
	switch (sources_copy(s->src, name, q.rec, &copy, why, sizeof(why))) {
	case -1:
		return answer(c, MHD_HTTP_NOT_FOUND, TEXT, "%s: not a list "
		    "of this relay\n", name);
	case 0:
		return answer(c, MHD_HTTP_SERVICE_UNAVAILABLE, TEXT,
		    "%s: no verified copy yet: %s\n", name, why);
	}
	r = MHD_create_response_from_buffer_with_free_callback_cls(
	    secbuf_len(copy), (void *)(uintptr_t)secbuf_data(copy), copy_done,
	    copy);
	if (r == NULL)
		secbuf_unref(copy);
	return queue(c, MHD_HTTP_OK, TEXT, r);
}

static enum MHD_Result
serve_status(struct serve *s, struct MHD_Connection *c)
{
	struct query	 q = { 0, 0, SF_RECEPTION_ALL };
	json_t		*o;
	char		*text;
	enum MHD_Result	 ret;

	(void)MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, on_arg, &q);
	if (q.n > 0)
		return answer(c, MHD_HTTP_BAD_REQUEST, TEXT, "bad request: "
		    "no query here\n");
	if ((o = sources_status(s->src)) == NULL)
		return MHD_NO;
	text = json_dumps(o, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(o);
	if (text == NULL)
		return MHD_NO;
	ret = answer(c, MHD_HTTP_OK, "application/json", "%s\n", text);
	free(text);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct serve	*s = cls;

	(void)version;
	(void)upload;
	(void)con_cls;
	if (*upload_size != 0)
		return answer(c, MHD_HTTP_BAD_REQUEST, TEXT, "no body here\n");
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return answer(c, MHD_HTTP_METHOD_NOT_ALLOWED, TEXT,
		    "GET or HEAD only\n");
	if (strncmp(url, LISTS_PREFIX, sizeof(LISTS_PREFIX) - 1) == 0)
		return serve_list(s, c, url + sizeof(LISTS_PREFIX) - 1);
	if (strcmp(url, "/-/status") == 0)
		return serve_status(s, c);
	return answer(c, MHD_HTTP_NOT_FOUND, TEXT, "not found\n");
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char	 msg[512];

	(void)cls;
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_warnx("http: %s", msg);
}

struct serve *
serve_start(int listenfd, struct sources *src)
{
	struct serve	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("serve");
		(void)close(listenfd);
		return NULL;
	}
	s->src = src;
	s->d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD |
	    MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, s,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_LISTEN_SOCKET, listenfd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
	    MHD_OPTION_END);
	if (s->d == NULL) {
		log_warnx("cannot start the HTTP server");
		(void)close(listenfd);
		free(s);
		return NULL;
	}
	return s;
}

void
serve_stop(struct serve *s)
{
	if (s == NULL)
		return;
	MHD_stop_daemon(s->d);
	free(s);
}
