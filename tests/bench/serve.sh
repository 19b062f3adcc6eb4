# shellcheck shell=bash
# tests/bench/serve.sh, sourced by run.sh: figure 4, serving through
# nginx: listfeed.fcgi against nginx's static files (4a-4c), against the
# trivial responder bench-accel (tests/bench/accel.c) run by the same
# nginx (4e-4g), and client TLS per fetch (4d).  Leaves nginx and
# listfeed.fcgi running for the relay (relay.sh), which stops them.

say "bench: figure 4, serving"
# The Sympa client may fetch the two lists in clear; publish their files.
CONF_B=$W/bench-serve.conf
{
	write_conf "$FEED" "$W/trigger.sock" "$W/fcgi-bench.sock"
	cat <<-EOC
		[client sympa]
		fingerprint = $(pki_fingerprint "$W/pki/client-sympa.pem")
		lists = $SMALL $BIG
		plain = yes
	EOC
} >"$CONF_B"
"$GEN" -c "$CONF_B" --list "$SMALL" --list "$BIG" >"$T/gen-plain.out" 2>&1 ||
	die "publishing the plain files failed"
fcgi_start "$CONF_B" "$W/fcgi-bench.sock" bench || die "listfeed.fcgi did not start"

P_TLS=$(free_port) P_LOOP=$(free_port) P_STATIC=$(free_port)
P_TRIV=$(free_port) P_CAPT=$(free_port) P_FEED=$(free_port)
SYMPA_FP=$(pki_fingerprint "$W/pki/client-sympa.pem")
SYMPA_DN=$(pki_subject "$W/pki/client-sympa.pem")
feed_loc() {
	cat <<-EOF
		sendfile on;
		tcp_nopush on;
		etag on;
		if_modified_since exact;
		default_type application/octet-stream;
		types { }
	EOF
}
# loop_server PORT UPSTREAM [DIRECTIVES]: plain HTTP on loopback, as if
# TLS had verified the Sympa client, answered by UPSTREAM.
loop_server() {
	cat <<-EOF
		server {
			listen 127.0.0.1:$1;
			server_tokens off;
			location /_feed/ {
				internal;
				alias $FEED/;
				$(feed_loc)
			}
			location /static/ {
				alias $FEED/;
				$(feed_loc)
			}
			location / {
				fastcgi_pass $2;
				fastcgi_keep_conn on;
				fastcgi_pass_request_headers off;
				fastcgi_param REQUEST_METHOD \$request_method;
				fastcgi_param REQUEST_URI \$request_uri;
				fastcgi_param DOCUMENT_URI \$document_uri;
				fastcgi_param QUERY_STRING \$query_string;
				fastcgi_param SERVER_PROTOCOL \$server_protocol;
				fastcgi_param HTTPS on;
				fastcgi_param REMOTE_ADDR \$remote_addr;
				fastcgi_param SSL_CLIENT_VERIFY SUCCESS;
				fastcgi_param SSL_CLIENT_FINGERPRINT $SYMPA_FP;
				fastcgi_param SSL_CLIENT_S_DN "$SYMPA_DN";
				${3:-}
			}
		}
	EOF
}
{
	site_conf "$P_TLS" "$W/fcgi-bench.sock" "$FEED"
	cat <<-EOF
		upstream bench_accel {
			server unix:$W/accel.sock;
			keepalive 2;
		}
		log_format relayfeed '\$connection \$connection_requests \$status \$request_time';
	EOF
	loop_server "$P_LOOP" listfeed_fcgi
	loop_server "$P_TRIV" bench_accel
	# listfeed.fcgi's own header block, X-Accel-Redirect included, passed
	# to the client instead of followed: what bench-accel answers.
	loop_server "$P_CAPT" listfeed_fcgi \
		'fastcgi_ignore_headers X-Accel-Redirect; fastcgi_pass_header X-Accel-Redirect;'
	# The shipped TLS server again for the relay (relay.sh), without the
	# request limit (5 r/s per certificate), logging each connection, and
	# closing an idle one after 500 ms: each round of the relay opens its
	# connection, as with a refresh longer than nginx's keep-alive, and
	# as curl's command does.
	site_conf "$P_FEED" "$W/fcgi-bench.sock" "$FEED" | awk '/^server \{/, /^\}/' |
		sed -e '/limit_req/d' -e 's#keepalive_timeout [0-9a-z]*;#keepalive_timeout 500ms;#' \
			-e "s#server_tokens off;#server_tokens off; access_log $W/relay-feed.log relayfeed;#"
	cat <<-EOF
		# The same files statically, behind the same client TLS.
		server {
			listen 127.0.0.1:$P_STATIC ssl;
			server_tokens off;
			ssl_certificate $W/pki/server.pem;
			ssl_certificate_key $W/pki/server.key;
			ssl_protocols TLSv1.2 TLSv1.3;
			ssl_client_certificate $W/pki/ca.pem;
			ssl_verify_client on;
			location /static/ {
				alias $FEED/;
				$(feed_loc)
			}
		}
	EOF
} >"$W/bench-nginx.conf"
nginx_start "$W/bench-nginx.conf" bench || die "nginx did not start"

# The trivial responder, answering each list's URI as listfeed.fcgi does.
CAPT=http://127.0.0.1:$P_CAPT
ACCEL_ARGS=()
for l in "$SMALL" "$BIG"; do
	curl -s -D - -o /dev/null "$CAPT/lists/$l" | tr -d '\r' |
		grep -iE '^(content-type|cache-control|content-disposition|x-accel-redirect):' |
		sed 's/$/\r/' >"$T/accel-$l.hdr"
	grep -qi '^x-accel-redirect: ' "$T/accel-$l.hdr" || die "no X-Accel-Redirect from listfeed.fcgi for $l"
	printf '\r\n' >>"$T/accel-$l.hdr"
	ACCEL_ARGS+=("/lists/$l" "$T/accel-$l.hdr")
done
ACCEL_THREADS=$(sed -n 's/^.* with \([0-9]*\) threads.*$/\1/p' "$W/log/fcgi-bench.log" | tail -n 1)
bg_start accel "$BUILD/tests/bench-accel" "$W/accel.sock" "${ACCEL_THREADS:-8}" "${ACCEL_ARGS[@]}" ||
	die "bench-accel did not start"
wait_until 10 test -S "$W/accel.sock" || die "bench-accel: no socket"

LOOP=http://127.0.0.1:$P_LOOP

TRIV=http://127.0.0.1:$P_TRIV

# syscalls_per_req NAME URL N: system calls of the process NAME (bg_start)
# per request over N sequential requests (strace -c, its threads too);
# "-" when strace cannot attach.
syscalls_per_req() {
	local pid sp urls=() i
	pid=$(bg_pid "$1") || { echo -; return; }
	for ((i = 0; i < $3; i++)); do urls+=(-o /dev/null "$2"); done
	strace -f -c -p "$pid" -o "$T/strace-$1" 2>/dev/null &
	sp=$!
	sleep 0.5
	curl -s "${urls[@]}"
	sleep 0.2
	kill -INT "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
	awk -v n="$3" '$NF == "total" { printf "%.1f", $4 / n; ok = 1 } END { if (!ok) print "-" }' \
		"$T/strace-$1" 2>/dev/null || echo -
}

# serve_fig L_STATIC L_TRIV WHAT FCGI_URL TRIV_URL STATIC_URL [HEADER]:
# two rows: 4L_STATIC against nginx's static file, 4L_TRIV against the
# trivial responder.  listfeed.fcgi and bench-accel take turns, in the
# order ABBAAB..., WRK_TURNS wrk runs each (medians of their req/s and
# p99), so that a machine whose speed drifts during the run weighs on
# both alike; then the static file once.  Any answer of a wrong status
# (non-2xx where 200 is expected) fails the row.
# wrk_side f|t URL HEADER: one wrk run of listfeed.fcgi (f) or
# bench-accel (t), appended to $T/serve-SIDE, its CPU ticks to $T/ticks-SIDE.
wrk_side() {
	local pid c r
	pid=$(bg_pid "$([ "$1" = f ] && echo fcgi-bench || echo accel)")
	c=$(cpu_ticks "$pid")
	r=$(wrk_run "$2" "$3") || die "wrk $2 failed"
	echo "$r" >>"$T/serve-$1"
	echo "$(($(cpu_ticks "$pid") - c))" >>"$T/ticks-$1"
}
serve_fig() {
	local ls=$1 lt=$2 what=$3 furl=$4 turl=$5 surl=$6 hdr=${7:-}
	local s fr fp fb tr tp tb sr sp ratio note i fc tc fn tn ok
	: >"$T/serve-f" && : >"$T/serve-t" && : >"$T/ticks-f" && : >"$T/ticks-t"
	for ((i = 0; i < WRK_TURNS; i++)); do
		if ((i % 2 == 0)); then
			wrk_side f "$furl" "$hdr"
			wrk_side t "$turl" "$hdr"
		else
			wrk_side t "$turl" "$hdr"
			wrk_side f "$furl" "$hdr"
		fi
	done
	s=$(wrk_run "$surl" "$hdr") || die "wrk $surl failed"
	fr=$(cut -d ' ' -f 1 "$T/serve-f" | median) fp=$(cut -d ' ' -f 2 "$T/serve-f" | median)
	tr=$(cut -d ' ' -f 1 "$T/serve-t" | median) tp=$(cut -d ' ' -f 2 "$T/serve-t" | median)
	fb=$(total 3 "$T/serve-f") tb=$(total 3 "$T/serve-t")
	fn=$(total 1 "$T/serve-f") tn=$(total 1 "$T/serve-t")
	fc=$(total 1 "$T/ticks-f") tc=$(total 1 "$T/ticks-t")
	# wrk counts a 304 as non-2xx: a 304 load is checked by its status
	# before the runs; every other load must answer 200 only.
	ok=true
	[ -z "$hdr" ] && [ "$fb" != 0 ] && ok=false
	read -r sr sp _ <<<"$s"
	if [ -n "$hdr" ]; then note='non-2xx = 304 answers, expected'; else note="non-2xx $fb, bench-accel $tb"; fi
	ratio=$(calc "$fr / $sr")
	row "4$ls" "serving $what: listfeed.fcgi + X-Accel-Redirect, $WRK_CONNS connections ($note)" \
		"$fr req/s, p99 $fp ms" "nginx static $sr req/s, p99 $sp ms" "$ratio" \
		">= 0.5, p99 < 5 ms, all 200" "$(yn eval "$ok && ge $ratio 0.5 && lt $fp 5")"
	ratio=$(calc "$fr / $tr")
	row "4$lt" "serving $what: listfeed.fcgi vs a trivial responder (the same X-Accel-Redirect, no checks, no log), same nginx" \
		"$fr req/s, p99 $fp ms" "bench-accel $tr req/s, p99 $tp ms" \
		"$ratio, p99 $(calc "$fp / $tp")" ">= 0.95, p99 <= 1.2x, all 200" \
		"$(yn eval "$ok && ge $ratio 0.95 && le $(calc "$fp / $tp") 1.2")"
	info "CPU per request, 4$ls: listfeed.fcgi vs bench-accel" \
		"$(calc "$fc * 1000000 / $(getconf CLK_TCK) / ($fn * $WRK_SECS)") us vs $(calc "$tc * 1000000 / $(getconf CLK_TCK) / ($tn * $WRK_SECS)") us" \
		"user + system time over its $WRK_TURNS wrk runs / their requests; the rest is nginx's and wrk's"
}

for l in "$SMALL" "$BIG"; do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$LOOP/lists/$l")" = 200 ] ||
		die "GET /lists/$l through the loopback listener is not 200"
	cmp -s <(curl -s "$LOOP/lists/$l") "$FEED/plain/$l.sympa" ||
		die "GET /lists/$l is not the published file"
done
SZ_S=$(stat -L -c %s "$FEED/plain/$SMALL.sympa")
SZ_B=$(stat -L -c %s "$FEED/plain/$BIG.sympa")
for l in "$SMALL" "$BIG"; do
	cmp -s <(curl -s "$TRIV/lists/$l") "$FEED/plain/$l.sympa" ||
		die "GET /lists/$l through bench-accel is not the published file"
done
serve_fig a e "$SMALL ($SZ_S bytes)" "$LOOP/lists/$SMALL" "$TRIV/lists/$SMALL" "$LOOP/static/plain/$SMALL.sympa"
serve_fig b f "$BIG ($SZ_B bytes)" "$LOOP/lists/$BIG" "$TRIV/lists/$BIG" "$LOOP/static/plain/$BIG.sympa"
ETAG=$(curl -s -D - -o /dev/null "$LOOP/lists/$BIG" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
for u in "$LOOP" "$TRIV"; do
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $ETAG" "$u/lists/$BIG")" = 304 ] ||
		die "no 304 through $u for If-None-Match $ETAG"
done
serve_fig c g "304 answers (If-None-Match on $BIG)" "$LOOP/lists/$BIG" "$TRIV/lists/$BIG" \
	"$LOOP/static/plain/$BIG.sympa" "If-None-Match: $ETAG"
info "system calls per request (strace -c -f, 200 sequential GETs of $SMALL)" \
	"listfeed.fcgi $(syscalls_per_req fcgi-bench "$LOOP/lists/$SMALL" 200), bench-accel $(syscalls_per_req accel "$TRIV/lists/$SMALL" 200)" \
	"what the responder itself does per request; nginx not counted"
FCGI_RSS=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$(bg_pid fcgi-bench)/status")
info "listfeed.fcgi RSS after the load runs" "$FCGI_RSS MB" "8 threads (default)"

# Client TLS, a new connection each time (as Sympa fetches: once per ttl).
# limit_req paces one certificate to 100 r/s (nginx/listfeed.conf): one
# fetch after another is never refused.
tls_times() {
	local url=$1 port=$2 i
	for ((i = 0; i < TLS_N; i++)); do
		curl -sS --noproxy '*' --cacert "$W/pki/ca.pem" --cert "$W/pki/client-sympa.pem" \
			--key "$W/pki/client-sympa.key" -o /dev/null -w '%{http_code} %{time_total}\n' \
			--max-time 10 "https://127.0.0.1:$port$url"
		sleep 0.25
	done
}
for l in "$SMALL" "$BIG"; do
	tls_times "/lists/$l" "$P_TLS" >"$T/tls-f"
	tls_times "/static/plain/$l.sympa" "$P_STATIC" >"$T/tls-s"
	awk '$1 != 200 { bad = 1 } END { exit bad }' "$T/tls-f" "$T/tls-s" ||
		die "client-TLS fetch of $l: not 200 ($(sort -u "$T/tls-f" | awk '{ print $1 }' | sort -u | tr '\n' ' '))"
	tf=$(awk '{ print $2 * 1000 }' "$T/tls-f" | median)
	ts=$(awk '{ print $2 * 1000 }' "$T/tls-s" | median)
	tfm=$(awk '{ print $2 * 1000 }' "$T/tls-f" | pct 100)
	row "4d" "client TLS, new connection per fetch (curl, Sympa's certificate): $l" \
		"median $tf ms, max $tfm ms" "nginx static over the same TLS: median $ts ms" \
		"$(calc "$tf / $ts")" "- (p99 < 5 ms on keep-alive)" "-"
done
bg_stop accel

