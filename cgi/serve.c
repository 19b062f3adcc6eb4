/* serve: see serve.h. */
#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "authz.h"
#include "buf.h"
#include "conf.h"
#include "fsutil.h"
#include "fswatch.h"
#include "index.h"
#include "kind.h"
#include "log.h"
#include "entcache.h"
#include "layout.h"
#include "manifest.h"
#include "report.h"
#include "route.h"
#include "runview.h"
#include "serve.h"
#include "state.h"
#include "trigger.h"
#include "valid.h"

#define LOG_URI_MAX	300
#define CT_TEXT		"text/plain; charset=utf-8"
#define CT_JSON		"application/json"
#define CT_HTML		"text/html; charset=utf-8"
#define CT_METRICS	"text/plain; version=0.0.4; charset=utf-8"
#define CT_PGP		"application/pgp-encrypted"
#define CC_NOSTORE	"private, no-store"
#define CC_NOCACHE	"private, no-cache"

#define CSP		"default-src 'none'; style-src 'unsafe-inline'; " \
			"img-src 'none'; base-uri 'none'; form-action 'none'; " \
			"frame-ancestors 'none'"

struct req {
	FCGX_Request		*fr;
	struct route		 rt;
	struct snapshot		 s;
	const struct lf_client	*client;
	const char		*fp;
	int			 head;
	int			 accel;		/* answered by X-Accel-Redirect */
	int			 status;
	long long		 bytes;
};

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 413: return "Content Too Large";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Error";
	}
}

static void
put(struct req *q, const char *s, size_t len)
{
	if (len > INT_MAX || FCGX_PutStr(s, (int)len, q->fr->out) != (int)len)
		log_debug("write to nginx failed");
}

static void
puts_(struct req *q, const char *s)
{
	put(q, s, strlen(s));
}

/* Status line and the headers every generated answer carries. */
static void
head_common(struct req *q, int status, const char *ctype, const char *cc,
    size_t len)
{
	char	 h[512];

	if (xsnprintf(h, sizeof(h), "Status: %d %s\r\n"
	    "Content-Type: %s\r\nCache-Control: %s\r\n"
	    "Content-Length: %zu\r\nX-Content-Type-Options: nosniff\r\n",
	    status, reason(status), ctype, cc, len) < 0)
		return;
	puts_(q, h);
	q->status = status;
}

static void
reply(struct req *q, int status, const char *ctype, const char *cc,
    const char *extra, const char *body, size_t len)
{
	head_common(q, status, ctype, cc, len);
	if (extra != NULL)
		puts_(q, extra);
	puts_(q, "\r\n");
	if (!q->head)
		put(q, body, len);
	q->bytes = q->head ? 0 : (long long)len;
}

/* A short text/plain answer: the reason in one line. */
static void
reply_text(struct req *q, int status, const char *msg, const char *extra)
{
	char	 body[128];
	int	 len;

	if ((len = xsnprintf(body, sizeof(body), "%s\n", msg)) < 0)
		len = 0;
	reply(q, status, CT_TEXT, CC_NOSTORE, extra, body, (size_t)len);
}

static void
reply_buf(struct req *q, int status, const char *ctype, const char *extra,
    const struct buf *b)
{
	reply(q, status, ctype, CC_NOSTORE, extra, buf_str(b), b->len);
}

static void
not_found(struct req *q)
{
	reply_text(q, 404, "not found", NULL);
}

static void
internal_error(struct req *q)
{
	reply_text(q, 500, "internal error", NULL);
}

/*
 * The size of file f of c's version at path into *size: 0, or -1 when
 * it is not a regular file.  Learnt once while the file is watched (a
 * version is immutable; fswatch.h says when it is not).
 */
static int
version_file_size(struct centry *c, const struct lf_entry_file *f,
    const char *path, long long *size)
{
	struct stat	 st;
	unsigned long	 era;
	size_t		 i = (size_t)(f - c->e.files);
	int		 watched;

	if (entcache_file_size(c, i, size, &era))
		return 0;
	watched = fswatch_file(path) == 0;
	if (lstat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return -1;
	*size = (long long)st.st_size;
	if (watched)
		entcache_file_keep(c, i, *size, era);
	return 0;
}

/* serve_file() for the version of c. */
static void
serve_version(struct req *q, const struct kind_info *ki, struct centry *c)
{
	const struct lf_entry *l = &c->e;
	const struct lf_entry_file *f;
	char	 rel[PATH_MAX], path[PATH_MAX], h[1024];
	char	 fname[VALID_LIST_MAX + 64];
	const char *rn;
	unsigned long expect;
	long long size;

	if ((f = manifest_entry_file(l, q->rt.file, q->rt.format)) == NULL) {
		not_found(q);
		return;
	}
	if (xsnprintf(rel, sizeof(rel), LAYOUT_VERSIONS "/%s/%lld/%s",
	    l->name, c->gen, f->path) == -1 ||
	    docroot_path(q->s.cfg, rel, path, sizeof(path)) == -1) {
		internal_error(q);
		return;
	}
	if (version_file_size(c, f, path, &size) == -1) {
		log_warnx("%s: in its entry but not a regular file", path);
		not_found(q);
		return;
	}
	expect = ki->reception == SF_RECEPTION_MAIL ? l->mail :
	    ki->reception == SF_RECEPTION_DIGEST ? l->digest : l->count;
	if (size == 0 && (ki->encrypted || expect > 0)) {
		log_warnx("%s: empty, its entry says %lu members", path,
		    expect);
		reply_text(q, 503, "feed not consistent", NULL);
		return;
	}
	rn = ki->reception == SF_RECEPTION_ALL ? "" :
	    ki->reception == SF_RECEPTION_MAIL ? ".mail" : ".digest";
	if ((ki->encrypted ? xsnprintf(fname, sizeof(fname), "attachment; "
	    "filename=\"%s.%s%s.asc\"", q->rt.list,
	    kind_format(q->rt.file, q->rt.format), rn) :
	    xsnprintf(fname, sizeof(fname), "inline; filename=\"%s%s.txt\"",
	    q->rt.list, rn)) < 0) {
		internal_error(q);
		return;
	}
	/* nginx keeps only these headers with X-Accel-Redirect. */
	if (xsnprintf(h, sizeof(h), "Content-Type: %s\r\n"
	    "Cache-Control: %s\r\nContent-Disposition: %s\r\n"
	    "X-Accel-Redirect: %s%s\r\n\r\n",
	    ki->encrypted ? CT_PGP : CT_TEXT,
	    ki->encrypted ? CC_NOCACHE : CC_NOSTORE,
	    fname, q->s.cfg->accel_prefix, rel) < 0) {
		internal_error(q);
		return;
	}
	puts_(q, h);
	q->status = 200;
	q->accel = 1;
	q->bytes = q->head ? 0 : size;
	if (!q->head)
		report_fetch(q->client->name, c->gen);
}

/*
 * The file the route names (q->rt.file, kind.h): for a client that sees
 * the list and may fetch that kind, listed in the entry of the list's
 * live version (lib/layout.h), a regular file of that version, then
 * handed to nginx by its path in the version, which never changes.  A
 * clear file may be empty only when the entry expects no member in it.
 */
static void
serve_file(struct req *q)
{
	const struct kind_info *ki = kind_info(q->rt.file);
	struct centry *c = NULL;

	/* Not for this client: the same 404 as an unknown list. */
	if (ki == NULL || !conf_client_sees(q->client, q->rt.list) ||
	    !kind_may_fetch(q->rt.file, q->client->plain) ||
	    entcache_get(q->s.cfg->feed_dir, q->rt.list, &c) != 1) {
		not_found(q);
		return;
	}
	serve_version(q, ki, c);
	entcache_put(c);
}
static void
serve_asc(struct req *q)
{
	const char	*ua;

	if (!conf_client_sees(q->client, q->rt.list)) {
		not_found(q);
		return;
	}
	/*
	 * Sympa cannot decrypt: it would read an armoured message as a list
	 * of no one and unsubscribe everybody.  An error makes it keep its
	 * members instead.
	 */
	ua = FCGX_GetParam("HTTP_USER_AGENT", q->fr->envp);
	if (ua != NULL && strncmp(ua, "Sympa/", 6) == 0) {
		reply_text(q, 406, "Sympa cannot read OpenPGP files: "
		    "use /lists/NAME or listfeed-relay", NULL);
		return;
	}
	serve_file(q);
}

/* FEED/run.json: 1 and *run filled, or 0 when there is none. */
static int
read_run(const struct lf_config *cfg, struct lf_run *run)
{
	char	 path[PATH_MAX];

	memset(run, 0, sizeof(*run));
	if (docroot_path(cfg, RUN_NAME, path, sizeof(path)) == -1)
		return 0;
	return run_read(path, run) == 0;
}

static void
serve_index(struct req *q)
{
	struct buf b = BUF_INIT;
	struct lf_run run;
	int	 have;

	have = read_run(q->s.cfg, &run);
	if (state_view(&q->s) == -1 || index_render(&b, q->s.index, q->s.cfg,
	    q->client, q->s.man, have ? &run : NULL) == -1)
		internal_error(q);
	else
		reply(q, 200, CT_HTML, CC_NOSTORE,
		    "Content-Security-Policy: " CSP "\r\n"
		    "Referrer-Policy: no-referrer\r\n"
		    "X-Frame-Options: DENY\r\n", buf_str(&b), b.len);
	buf_free(&b);
}

/* What status and metrics say about this process. */
static void
self_get(const struct req *q, struct report_self *self)
{
	memset(self, 0, sizeof(*self));
	self->cfg = q->s.cfg;
	self->conf_loaded_ms = q->s.conf_loaded_ms;
	self->conf_failed_ms = q->s.conf_failed_ms;
	self->waiting = trigger_waiting();
	self->waiting_max = trigger_waiting_max();
}

/* GET /-/status or /-/metrics: fill (report.h) makes the body. */
typedef int	report_fn(struct buf *, const struct lf_client *,
		    const struct lf_manifest *, const struct lf_run *,
		    const struct report_self *);

static void
serve_report(struct req *q, report_fn *fill, const char *ctype)
{
	struct buf b = BUF_INIT;
	struct lf_run run;
	struct report_self self;
	int	 have;

	have = read_run(q->s.cfg, &run);
	self_get(q, &self);
	if (state_view(&q->s) == -1 ||
	    fill(&b, q->client, q->s.man, have ? &run : NULL, &self) == -1)
		internal_error(q);
	else
		reply_buf(q, 200, ctype, NULL, &b);
	buf_free(&b);
}

static void
reply_json_literal(struct req *q, int status, const char *json,
    const char *extra)
{
	reply(q, status, CT_JSON, CC_NOSTORE, extra, json, strlen(json));
}

/* The trigger was sent at t0 without wait: 202. */
static void
regenerate_accepted(struct req *q, long long t0)
{
	struct buf b = BUF_INIT;
	struct lf_run run;

	(void)read_run(q->s.cfg, &run);
	buf_printf(&b, "{\"accepted\":true,\"after_ms\":%lld,"
	    "\"generation\":%lld}\n", t0, run.generation);
	if (buf_failed(&b))
		internal_error(q);
	else
		reply_buf(q, 202, CT_JSON, NULL, &b);
	buf_free(&b);
}

/* The trigger was sent at t0: waits for that run, then its report. */
static void
regenerate_wait(struct req *q, long long t0)
{
	struct buf b = BUF_INIT;
	struct lf_run run;
	struct lf_manifest rv;
	char	 path[PATH_MAX];
	int	 failed;

	if (docroot_path(q->s.cfg, RUN_NAME, path, sizeof(path)) == -1) {
		internal_error(q);
		return;
	}
	switch (trigger_wait(path, t0, q->rt.wait, &run)) {
	case WAIT_TIMEOUT:
		reply_json_literal(q, 504, "{\"error\":\"timeout\"}\n", NULL);
		return;
	case WAIT_STOPPED:
		reply_json_literal(q, 503, "{\"error\":\"shutting down\"}\n",
		    NULL);
		return;
	case WAIT_DONE:
		break;
	}
	/* The lists as the run left them: those it names (runview.h), or,
	 * from a run.json that names none, every list.  The run switched
	 * them while this request waited: their links' events are queued,
	 * and are applied first (fswatch.h). */
	fswatch_check();
	if (run.lists_known ? runview_build(q->s.cfg->feed_dir, &run, &rv)
	    == -1 : state_view(&q->s) == -1) {
		internal_error(q);
		return;
	}
	if (report_regenerate(&b, q->client, run.lists_known ? &rv : q->s.man,
	    &run, q->rt.list, &failed) == -1)
		internal_error(q);
	else
		reply_buf(q, failed ? 503 : 200, CT_JSON, NULL, &b);
	if (run.lists_known)
		manifest_free(&rv);
	buf_free(&b);
}

/*
 * Any list may be named: the CRM is where the lists come from.  A wait
 * past the bound (trigger.h) is refused before anything is sent.
 */
static void
serve_regenerate(struct req *q)
{
	long long t0;
	int	 waits = q->rt.wait > 0;

	if (!q->client->trigger) {
		reply_text(q, 403, "trigger not allowed for this client", NULL);
		return;
	}
	if (waits && trigger_wait_enter() == -1) {
		reply_json_literal(q, 429, "{\"error\":\"too many waiting "
		    "triggers\"}\n", "Retry-After: " TRIGGER_RETRY_AFTER "\r\n");
		return;
	}
	t0 = now_ms();
	if (trigger_send(q->s.cfg->trigger_socket, q->rt.list) == -1)
		reply_text(q, 503, "generator not running", NULL);
	else if (waits)
		regenerate_wait(q, t0);
	else
		regenerate_accepted(q, t0);
	if (waits)
		trigger_wait_leave();
}

/* Reads and drops a request body, at most SERVE_BODY_MAX bytes. */
static int
drain_body(FCGX_Request *fr)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	char	 chunk[4096];
	size_t	 total = 0;
	int	 n;

	if (cl != NULL && cl[0] != '\0') {
		if (strspn(cl, "0123456789") != strlen(cl) || strlen(cl) > 9 ||
		    strtoul(cl, NULL, 10) > SERVE_BODY_MAX)
			return -1;
	}
	while ((n = FCGX_GetStr(chunk, sizeof(chunk), fr->in)) > 0) {
		total += (size_t)n;
		if (total > SERVE_BODY_MAX)
			return -1;
	}
	return 0;
}

/* The method for the log: [A-Z]{1,16} or "-". */
static const char *
log_method(const char *m)
{
	size_t	 len;

	if (m == NULL)
		return "-";
	len = strspn(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	return len > 0 && len <= 16 && m[len] == '\0' ? m : "-";
}

/* The URI for the log: visible ASCII only, bounded. */
static void
log_uri(const char *uri, char *out, size_t outsz)
{
	size_t	 i;

	if (uri == NULL) {
		(void)xsnprintf(out, outsz, "-");
		return;
	}
	for (i = 0; uri[i] != '\0' && i + 1 < outsz && i < LOG_URI_MAX; i++)
		out[i] = ((unsigned char)uri[i] > 0x20 &&
		    (unsigned char)uri[i] < 0x7f) ? uri[i] : '?';
	out[i] = '\0';
	if (uri[i] != '\0' && i >= 3)
		memcpy(out + i - 3, "...", 3);
}

/* The time of the audit line: formatted once a second per thread. */
static const char *
log_time(void)
{
	static _Thread_local long long sec = -1;
	static _Thread_local char ts[40];
	long long now = now_ms() / 1000;

	if (now != sec) {
		if (rfc3339(now * 1000, ts, sizeof(ts)) == -1)
			return "-";
		sec = now;
	}
	return ts;
}

/* The audit line (serve.h); the journal stamps each line itself. */
static void
log_request(const struct req *q, const char *method, const char *uri)
{
	char	 luri[LOG_URI_MAX + 1];
	int	 stamp = !log_journal();

	log_uri(uri, luri, sizeof(luri));
	log_info("request %s%s%s %s %s %s %d %lld", stamp ? log_time() : "",
	    stamp ? " " : "", q->client != NULL ? q->client->name : "-",
	    q->fp, log_method(method), luri, q->status, q->bytes);
}

static void
dispatch(struct req *q)
{
	switch (q->rt.kind) {
	case ROUTE_INDEX:
		serve_index(q);
		break;
	case ROUTE_PLAIN:
		serve_file(q);
		break;
	case ROUTE_ASC:
		serve_asc(q);
		break;
	case ROUTE_STATUS:
		serve_report(q, report_status, CT_JSON);
		break;
	case ROUTE_METRICS:
		serve_report(q, report_metrics, CT_METRICS);
		break;
	case ROUTE_REGENERATE:
		serve_regenerate(q);
		break;
	}
}

enum serve_conn
serve_request(FCGX_Request *fr)
{
	struct req q;
	enum authz_result a;
	enum serve_conn conn;
	const char *method, *uri, *allow = NULL;
	char	 allowh[64];
	int	 rc;

	memset(&q, 0, sizeof(q));
	q.fr = fr;
	q.status = 500;
	method = FCGX_GetParam("REQUEST_METHOD", fr->envp);
	uri = FCGX_GetParam("REQUEST_URI", fr->envp);

	state_refresh();
	state_acquire(&q.s);
	q.head = method != NULL && strcmp(method, "HEAD") == 0;

	a = authz_check(q.s.cfg,
	    FCGX_GetParam("SSL_CLIENT_VERIFY", fr->envp),
	    FCGX_GetParam("SSL_CLIENT_FINGERPRINT", fr->envp),
	    FCGX_GetParam("SSL_CLIENT_S_DN", fr->envp), &q.client, &q.fp);
	conn = SERVE_KEEP;
	if (drain_body(fr) == -1) {
		reply_text(&q, 413, "request body too large", NULL);
		conn = SERVE_LINGER;
	} else if (a != AUTHZ_OK)
		reply_text(&q, 403, authz_reason(a), NULL);
	else if ((rc = route_parse(method, uri, &q.rt, &allow)) != 0) {
		if (rc == 405 && xsnprintf(allowh, sizeof(allowh),
		    "Allow: %s\r\n", allow) > 0)
			reply_text(&q, 405, "method not allowed", allowh);
		else if (rc == 404)
			not_found(&q);
		else
			reply_text(&q, rc, "bad request", NULL);
	} else
		dispatch(&q);

	log_request(&q, method, uri);
	report_count(q.status);
	state_release(&q.s);
	if (conn == SERVE_KEEP && (q.accel || q.head))
		conn = SERVE_CLOSE;
	return conn;
}
