#!/bin/bash
# listfeed.fcgi behind the shipped nginx site: HTTP around the answers.
# HEAD, conditional and range requests (nginx's, on the files handed over
# by X-Accel-Redirect), methods (405 with Allow), and the site's own
# limit_req (429 for one certificate asking too fast).
set -u
. "$(dirname "$0")/lib/common.sh"
. "$TOP/tests/lib/fcgi.sh"

fcgi_site_shared || bail_out "listfeed.fcgi behind nginx did not start"
check_no_grep "site template fully substituted" '@[A-Z_]+@' "$SITE"

# ------------------------------------------------------------ HEAD, 304, methods
check_eq "HEAD /lists/deelnemers 200" 200 "$(req sympa /lists/deelnemers -I)"
check_no_grep "HEAD: no body" 'alice@' "$T/body"
check_eq "HEAD: Content-Length of the file" "$(wc -c <"$F/plain/deelnemers.sympa")" \
    "$(hdr Content-Length)"
req sympa /lists/deelnemers >/dev/null
ETAG=$(hdr ETag)
LASTMOD=$(hdr Last-Modified)
check "ETag present" test -n "$ETAG"
check_eq "If-None-Match: 304" 304 "$(req sympa /lists/deelnemers -H "If-None-Match: $ETAG")"
check_eq "If-Modified-Since: 304" 304 \
    "$(req sympa /lists/deelnemers -H "If-Modified-Since: $LASTMOD")"
check_eq "If-None-Match on .asc: 304" 304 "$(req sympa /lists/deelnemers.sympa.asc \
    -H "If-None-Match: $(req sympa /lists/deelnemers.sympa.asc >/dev/null; hdr ETag)")"
check_eq "Range: 206 from nginx" 206 "$(req sympa /lists/deelnemers -r 0-4)"
check_eq "Range: the first 5 bytes" "alice" "$(cat "$T/body")"
check_eq "POST /lists/deelnemers: 405" 405 "$(req sympa /lists/deelnemers -X POST -d x=1)"
check_eq "405: Allow" "GET, HEAD" "$(hdr Allow)"
check_eq "DELETE /: 405" 405 "$(req sympa / -X DELETE)"
check_eq "GET /-/regenerate: 405" 405 "$(req crm /-/regenerate)"
check_eq "405: Allow POST" "POST" "$(hdr Allow)"

# ------------------------------------------------------------ limit_req
# The shipped limit (the shared site's is widened): a second nginx.
PORT2=$(free_port) || bail_out "no free port"
sed -e "s|127.0.0.1:$PORT|127.0.0.1:$PORT2|" -e 's/zone=listfeed/zone=listfeed2/' \
    -e 's/shared:listfeed_tls/shared:listfeed2_tls/' -e 's/upstream listfeed_fcgi/upstream listfeed2_fcgi/' \
    -e 's/fastcgi_pass listfeed_fcgi/fastcgi_pass listfeed2_fcgi/' \
    "$SITE" >"$T/site2.conf"
if nginx_start "$T/site2.conf" t40b; then
	# A relay's round: one request after another on one connection, more
	# than any burst; paced, never refused.
	args=()
	for _ in $(seq 1 60); do args+=(-o /dev/null "https://localhost:$PORT2/-/status"); done
	pki_curl sympa -w '%{http_code}\n' "${args[@]}" >"$T/codes" 2>/dev/null
	check_eq "limit_req: 60 requests one after another, all answered" 60 "$(grep -c '^200$' "$T/codes")"
	nginx_stop t40b
else
	not_ok "second nginx for limit_req"
fi
# A flood from one certificate, many connections at once: past the
# requests allowed to wait, 429 (the rate lowered so that the flood
# outruns it whatever the machine's speed).
sed -e 's#rate=100r/s#rate=1r/s#' -e 's#burst=200;#burst=2;#' "$T/site2.conf" >"$T/site3.conf"
if nginx_start "$T/site3.conf" t40c; then
	args=()
	for _ in $(seq 1 20); do args+=(-o /dev/null "https://localhost:$PORT2/-/status"); done
	pki_curl sympa --parallel --parallel-max 20 -w '%{http_code}\n' "${args[@]}" >"$T/codes" 2>/dev/null
	check_grep "limit_req: a flood of parallel requests gets 429" '^429$' "$T/codes"
	nginx_stop t40c
else
	not_ok "third nginx for limit_req"
fi

fcgi_site_done
done_testing
