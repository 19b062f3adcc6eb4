# shellcheck shell=bash
# tests/bench/relay.sh, sourced by run.sh after serve.sh (whose nginx
# and listfeed.fcgi it uses, then stops): figure 6, one refresh of
# listfeed-relay with nothing changed, 3 sources for each of RELAY_LISTS
# lists (all, mail, digest), against plain curl fetching the same URLs
# with the same If-None-Match and If-Modified-Since over one TLS
# connection.  The relay is the
# daemon (a round on SIGHUP): only a source with a copy in memory is
# fetched conditionally, so --once always fetches and decrypts every file.
# Its first round, which fetches and decrypts every file, is printed per
# source against gpg --decrypt of the same files on the command line.

# shellcheck source=/dev/null
. "$TOP/tests/lib/relay.sh" || die "tests/lib/relay.sh"
say "bench: figure 6, the relay, $RELAY_LISTS lists"
RELAY_FEED=https://localhost:$P_FEED
relay_setup "$RELAY_FEED" || die "relay_setup failed"
head -n "$RELAY_LISTS" "$T/sizes" | awk '{ print $1 }' | sort >"$T/relay-lists"
{
	relay_conf "$RELAY_FEED" | sed -e '/^lists = /d' -e 's#client-sympa\.#client-admin.#'
	# Lines of at most 199 bytes: 20 names each.
	xargs -n 20 echo 'lists =' <"$T/relay-lists"
} >"$RCONF"
NSRC=$(($(wc -l <"$T/relay-lists") * 3))
while read -r l; do
	for q in "" "?reception=mail" "?reception=digest"; do
		printf '%s/lists/%s.sympa.asc%s\n' "$RELAY_FEED" "$l" "$q"
	done
done <"$T/relay-lists" >"$T/relay-urls"

# feed_log_since MARK: the lines of the relay's TLS server log after
# its first MARK ($connection $connection_requests $status $request_time).
feed_log_since() { tail -n +"$(($1 + 1))" "$W/relay-feed.log"; }
# rt_since MARK: their summed $request_time, in ms.
rt_since() { feed_log_since "$1" | awk '{ s += $4 } END { printf "%.0f", s * 1000 }'; }

# relay_round: SIGHUP to the running relay, then the ms until the end of
# its round in its log (at most 600 s), by one process that takes next
# to no CPU from the round it measures.
relay_round() {
	local pid
	pid=$(bg_pid relay-bench) || return 1
	perl "$BENCH/round-time.pl" "$pid" "$W/log/relay-bench.log" 600
}

a=$(now)
bg_start relay-bench "$RELAY" -v -c "$RCONF" || die "listfeed-relay did not start"
wait_until 1800 grep -q 'round done' "$W/log/relay-bench.log" || die "listfeed-relay: no first round"
b=$(now)
grep -q 'round done: 0$' "$W/log/relay-bench.log" ||
	die "listfeed-relay: first round not all good: $(grep -v ': ok\|not modified' "$W/log/relay-bench.log" | tail -n 3)"
curl -s --noproxy '*' "$RELAY_URL/-/status" >"$T/relay-status.json"
SERVING=$(grep -o '"serving": *true' "$T/relay-status.json" | wc -l)
[ "$SERVING" = "$NSRC" ] || die "listfeed-relay serves $SERVING of $NSRC sources"
FIRST_MS=$(ms "$a" "$b")
info "6: relay's first round, $NSRC sources fetched and decrypted" "$(calc "$FIRST_MS / 1000") s" \
	"one gpg run per source"

# The curl baseline: the ETag of each URL, then one curl command for all
# of them, each with its own If-None-Match and If-Modified-Since, as the
# relay sends them (--next keeps the connection).
CURL_TLS=(--cacert "$W/pki/ca.pem" --cert "$W/pki/client-admin.pem" --key "$W/pki/client-admin.key")
curl_cfg() {	# [etags]: a curl config on stdout, one section per URL
	local u e m
	while read -r u e m; do
		printf 'next\nurl = "%s"\noutput = "/dev/null"\n' "$u"
		printf 'cacert = "%s"\ncert = "%s"\nkey = "%s"\nnoproxy = "*"\nsilent\n' "${CURL_TLS[1]}" "${CURL_TLS[3]}" "${CURL_TLS[5]}"
		printf 'write-out = "%%{http_code} %%{num_connects} %%header{etag} %%header{last-modified}\\n"\n'
		# The relay's conditional headers, both. The ETag is quoted:
		# escaped inside the config's quotes.
		[ -n "${1:-}" ] && printf 'header = "If-None-Match: %s"\n' "${e//\"/\\\"}"
		[ -n "${1:-}" ] && [ -n "$m" ] && printf 'header = "If-Modified-Since: %s"\n' "$m"
	done | sed '1d'
}
sed 's/$/ -/' "$T/relay-urls" | curl_cfg >"$T/curl-get.cfg"
curl -K "$T/curl-get.cfg" >"$T/curl-get.out" || die "curl: fetching the relay's URLs failed"
[ "$(awk '$1 != 200' "$T/curl-get.out" | wc -l)" = 0 ] || die "curl: not every URL answered 200"
paste -d ' ' "$T/relay-urls" <(cut -d ' ' -f 3- "$T/curl-get.out") | curl_cfg etags >"$T/curl-cond.cfg"

# The first round's baseline: the same files, fetched once, each
# decrypted by gpg --decrypt on the command line one after another (the
# relay's GNUPGHOME): what one gpg per source costs without the relay.
mkdir -p "$T/relay-files"
awk -v d="$T/relay-files" '/^output = / { $0 = "output = \"" d "/" ++n ".asc\"" } { print }' \
	"$T/curl-get.cfg" >"$T/curl-files.cfg"
curl -K "$T/curl-files.cfg" >/dev/null || die "curl: fetching the relay's files failed"
a=$(now)
for ((i = 1; i <= NSRC; i++)); do
	gpg --homedir "$RGNUPG" --batch --no-tty --quiet -o /dev/null \
		--decrypt "$T/relay-files/$i.asc" 2>>"$T/relay-gpg.err" || die "gpg --decrypt $i.asc failed"
done
GPG_ALL_MS=$(ms "$a" "$(now)")
info "6: relay's first round against gpg --decrypt of the same $NSRC files one by one" \
	"$(calc "$FIRST_MS / $NSRC") ms a source" \
	"$(calc "$GPG_ALL_MS / $NSRC") ms a file by gpg, ratio $(calc "$FIRST_MS / $GPG_ALL_MS")"

: >"$T/relay.ms"
: >"$T/curl.ms"
for ((r = 0; r < REPS; r++)); do
	sleep 0.7	# nginx has closed the relay's idle connection (serve.sh)
	mark=$(wc -l <"$W/relay-feed.log")
	c0=$(cpu_ticks "$(bg_pid relay-bench)")
	relay_round >>"$T/relay.ms" || die "listfeed-relay: no round within 600 s"
	RELAY_CPU=$(calc "($(cpu_ticks "$(bg_pid relay-bench)") - $c0) * 1000 / $(getconf CLK_TCK)")
	RELAY_CONNS=$(feed_log_since "$mark" | awk '{ print $1 }' | sort -u | wc -l)
	RELAY_304=$(feed_log_since "$mark" | awk '$3 == 304' | wc -l)
	# nginx's $request_time of each: the server's side of a request.
	RELAY_RT=$(rt_since "$mark")
	mark=$(wc -l <"$W/relay-feed.log")
	a=$(now)
	/usr/bin/time -f '%U %S' -o "$T/curl.cpu" curl -K "$T/curl-cond.cfg" >"$T/curl-cond.out" ||
		die "curl: the conditional fetches failed"
	b=$(now)
	CURL_CPU=$(awk '{ printf "%.0f", ($1 + $2) * 1000 }' "$T/curl.cpu")
	CURL_RT=$(rt_since "$mark")
	ms "$a" "$b" >>"$T/curl.ms"
	CURL_CONNS=$(total 2 "$T/curl-cond.out")
	CURL_304=$(awk '$1 == 304' "$T/curl-cond.out" | wc -l)
	[ "$CURL_304" = "$NSRC" ] || die "curl: $CURL_304 of $NSRC conditional fetches answered 304"
done
RELAY_MS=$(median <"$T/relay.ms")
CURL_MS=$(median <"$T/curl.ms")

# No gpg in a round that finds nothing changed: one more round, traced
# (strace -c: every system call counted, execve among them); and the
# same count for the curl command.
GPG_EXECS=- RELAY_CALLS=- CURL_CALLS=-
if command -v strace >/dev/null; then
	strace -f -c -o "$T/relay-calls" -p "$(bg_pid relay-bench)" 2>"$T/relay-strace.err" &
	sp=$!
	sleep 0.5
	relay_round >/dev/null || die "listfeed-relay: no traced round"
	kill -INT "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
	# strace says "Process N attached" once it traces.
	if grep -q ' attached' "$T/relay-strace.err"; then
		GPG_EXECS=$(awk '$NF == "execve" { n = $4 } END { print n + 0 }' "$T/relay-calls")
		RELAY_CALLS=$(awk '$NF == "total" { print $4 }' "$T/relay-calls")
	fi
	strace -f -c -o "$T/curl-calls" curl -K "$T/curl-cond.cfg" >/dev/null 2>&1 &&
		CURL_CALLS=$(awk '$NF == "total" { print $4 }' "$T/curl-calls")
fi
info "6: CPU and system calls of one unchanged round, relay vs curl" \
	"relay $RELAY_CPU ms CPU, $RELAY_CALLS calls" \
	"curl $CURL_CPU ms CPU, $CURL_CALLS calls ($NSRC sources; the relay's calls include its idle threads)"
info "6: nginx's request time summed over one round, relay vs curl" \
	"relay $RELAY_RT ms" "curl $CURL_RT ms (\$request_time, ms resolution, in the TLS server's log)"
NOTMOD=$(grep -c ': not modified$' "$W/log/relay-bench.log")
relay_stop bench
nginx_stop bench
fcgi_stop bench

ratio=$(calc "$RELAY_MS / $CURL_MS")
row 6 "relay: one round with nothing changed, $NSRC sources ($RELAY_LISTS lists x all, mail, digest), median of $REPS" \
	"$RELAY_MS ms, $RELAY_304 answers 304, $RELAY_CONNS TLS connection(s), $GPG_EXECS execve" \
	"$CURL_MS ms: curl, the same URLs, If-None-Match and If-Modified-Since in one command, $CURL_304 answers 304, $CURL_CONNS connection(s)" \
	"$ratio" "<= 1.5, 0 execve (no gpg)" "$(yn eval "le $ratio 1.5 && [ '$GPG_EXECS' = 0 ]")"
info "6: relay sources found unchanged in its log" "$NOTMOD" "$((REPS + 1)) rounds x $NSRC sources after the first"
