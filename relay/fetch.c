/* fetch: see fetch.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "fetch.h"
#include "log.h"

struct fetcher {
	CURL		*curl;
	const char	*cert, *key, *ca;
};

struct answer {
	struct buf		*body;
	struct fetch_validators	*got;
	int			 too_big;
};

int
fetch_global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("curl_global_init failed");
		return -1;
	}
	return 0;
}

struct fetcher *
fetch_new(const char *cert, const char *key, const char *ca)
{
	struct fetcher	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		log_warn("fetch");
		return NULL;
	}
	if ((f->curl = curl_easy_init()) == NULL) {
		log_warnx("curl_easy_init failed");
		free(f);
		return NULL;
	}
	f->cert = cert;
	f->key = key;
	f->ca = ca;
	return f;
}

void
fetch_free(struct fetcher *f)
{
	if (f == NULL)
		return;
	curl_easy_cleanup(f->curl);
	free(f);
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct answer	*a = arg;
	size_t		 len = size * n;

	if (len > (size_t)FETCH_MAX_BODY - a->body->len) {
		a->too_big = 1;
		return 0;	/* aborts the transfer */
	}
	if (buf_add(a->body, p, len) == -1)
		return 0;
	return len;
}

/* Copies the value of "Name: value\r\n" into dst if the name matches. */
static void
header_value(const char *line, size_t n, const char *name, char *dst,
    size_t dstsz)
{
	size_t	 k = strlen(name), e;

	if (n <= k + 1 || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return;
	for (line += k + 1, n -= k + 1; n > 0 && (*line == ' ' ||
	    *line == '\t'); line++, n--)
		;
	for (e = n; e > 0 && isspace((unsigned char)line[e - 1]); e--)
		;
	if (e == 0 || e >= dstsz)
		return;
	memcpy(dst, line, e);
	dst[e] = '\0';
	/* Only visible ASCII goes back into a request header. */
	for (k = 0; k < e; k++)
		if (dst[k] < 0x20 || dst[k] > 0x7e) {
			dst[0] = '\0';
			return;
		}
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct answer	*a = arg;

	/* A new status line (after a 100 Continue): forget what came. */
	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0)
		memset(a->got, 0, sizeof(*a->got));
	header_value(p, n, "ETag", a->got->etag, sizeof(a->got->etag));
	header_value(p, n, "Last-Modified", a->got->last_modified,
	    sizeof(a->got->last_modified));
	return n * size;
}

static int
setup(struct fetcher *f, const char *url, struct answer *a)
{
	CURL	*c = f->curl;

	/* Keeps the handle's live connections and TLS session: fetch.h. */
	curl_easy_reset(c);
	return curl_easy_setopt(c, CURLOPT_URL, url) ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https") ||
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) ||
	    curl_easy_setopt(c, CURLOPT_PROXY, "") ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) ||
	    curl_easy_setopt(c, CURLOPT_SSLCERT, f->cert) ||
	    curl_easy_setopt(c, CURLOPT_SSLKEY, f->key) ||
	    curl_easy_setopt(c, CURLOPT_CAINFO, f->ca) ||
	    curl_easy_setopt(c, CURLOPT_CAPATH, NULL) ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) ||
	    curl_easy_setopt(c, CURLOPT_SSLVERSION,
	    (long)CURL_SSLVERSION_TLSv1_2) ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	    (long)FETCH_CONNECT_TIMEOUT) ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)FETCH_TIMEOUT) ||
	    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L) ||
	    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
	    (long)FETCH_LOW_SPEED_TIME) ||
	    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)FETCH_MAX_BODY) ||
	    curl_easy_setopt(c, CURLOPT_USERAGENT, "listfeed-relay/"
	    LF_VERSION) ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, a) ||
	    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) ||
	    curl_easy_setopt(c, CURLOPT_HEADERDATA, a) ? -1 : 0;
}

/* Appends "name: value" to *h if value is set.  0, or -1 (no memory). */
static int
add_header(struct curl_slist **h, const char *name, const char *value)
{
	struct curl_slist	*t;
	char			 line[256];

	if (value[0] == '\0')
		return 0;
	(void)snprintf(line, sizeof(line), "%s: %s", name, value);
	if ((t = curl_slist_append(*h, line)) == NULL)
		return -1;
	*h = t;
	return 0;
}

/* The conditional request headers; NULL when there are none. */
static struct curl_slist *
cond_headers(const struct fetch_validators *cond)
{
	struct curl_slist	*h = NULL;

	if (cond == NULL)
		return NULL;
	if (add_header(&h, "If-None-Match", cond->etag) == -1 ||
	    add_header(&h, "If-Modified-Since", cond->last_modified) == -1) {
		curl_slist_free_all(h);
		return NULL;
	}
	return h;
}

enum fetch_status
fetch_get(struct fetcher *f, const char *url,
    const struct fetch_validators *cond, struct buf *out,
    struct fetch_validators *got, char *why, size_t whysz)
{
	struct answer		 a;
	struct curl_slist	*hdrs = NULL;
	char			 err[CURL_ERROR_SIZE];
	CURLcode		 rc;
	long			 code = 0;

	buf_reset(out);
	memset(got, 0, sizeof(*got));
	a.body = out;
	a.got = got;
	a.too_big = 0;
	err[0] = '\0';
	hdrs = cond_headers(cond);
	if (setup(f, url, &a) == -1 ||
	    curl_easy_setopt(f->curl, CURLOPT_ERRORBUFFER, err) ||
	    (hdrs != NULL && curl_easy_setopt(f->curl, CURLOPT_HTTPHEADER,
	    hdrs))) {
		curl_slist_free_all(hdrs);
		(void)snprintf(why, whysz, "curl: cannot set options");
		return FETCH_FAILED;
	}
	rc = curl_easy_perform(f->curl);
	(void)curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_setopt(f->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(f->curl, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(hdrs);
	if (a.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		(void)snprintf(why, whysz, "body larger than %ld bytes",
		    (long)FETCH_MAX_BODY);
		return FETCH_FAILED;
	}
	if (rc != CURLE_OK) {
		(void)snprintf(why, whysz, "%s", err[0] != '\0' ? err :
		    curl_easy_strerror(rc));
		return FETCH_FAILED;
	}
	if (code == 304 && cond != NULL)
		return FETCH_NOT_MODIFIED;
	if (code != 200) {
		(void)snprintf(why, whysz, "HTTP %ld", code);
		return FETCH_FAILED;
	}
	if (buf_failed(out)) {
		(void)snprintf(why, whysz, "out of memory");
		return FETCH_FAILED;
	}
	return FETCH_OK;
}
