#!/usr/bin/env bash
# make bench: measured speed of listfeed, each figure against a baseline
# measured in the same run, printed as one table.
#
# usage: tests/bench/run.sh BUILD_DIR        (make bench builds build/bench)
#   BENCH_SCALE=full (default)  1,000 lists, 100,000 members, 1,000,000
#                               subscription rows; about 10 minutes on 2 cores
#   BENCH_SCALE=small           200 lists, 10,000 members, 100,000 rows;
#                               about two minutes here
#   BENCH_KEEP=1                keep the world (databases, feed, logs)
#
# Everything runs on 127.0.0.1 and Unix sockets in a temporary directory:
# two throwaway MariaDB servers (the synthetic CRM, tests/bench/data.sql,
# and the makerspace sample of make demo), gpg keys, listfeed-gen,
# listfeed.fcgi and nginx. Servers are stopped by their pid at exit. Every
# load loop is bounded in count and in time. Nothing here is part of
# make check, and nothing in make check asserts a timing.
#
# The table goes to stdout and to BUILD_DIR/bench-SCALE.txt.
set -u
[ $# -ge 1 ] && export LF_BUILD=$1
[ "${BENCH_KEEP:-0}" = 1 ] && export LF_KEEP=1
BENCH=$(cd "$(dirname "$0")" && pwd)
. "$BENCH/../lib/common.sh"

SCALE=${BENCH_SCALE:-full}
case $SCALE in
full)	LISTS=1000 MEMBERS=100000 SUBS=1000000 REPS=3 WRK_SECS=10 TRIG_N=10 TLS_N=10 ;;
small)	LISTS=200 MEMBERS=10000 SUBS=100000 REPS=3 WRK_SECS=3 TRIG_N=5 TLS_N=5 ;;
*)	echo "bench: BENCH_SCALE must be full or small" >&2; exit 1 ;;
esac
WRK_CONNS=64
OUT=$BUILD/bench-$SCALE.txt

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 1; }

# ---------------------------------------------------------------- packages

# wrk (HTTP load) is the bench's own need; make check never uses it.
need_pkgs() {
	local missing="" p
	for p in "$@"; do
		dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	[ "$(id -u)" = 0 ] || die "missing packages:$missing (install them as root)"
	say "bench: installing:$missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing \
		>"$W/log/apt.log" 2>&1 ||
		{ apt-get update >>"$W/log/apt.log" 2>&1 &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
				$missing >>"$W/log/apt.log" 2>&1; } ||
		die "apt-get failed, see $W/log/apt.log"
}
need_pkgs wrk time

for f in "$GEN" "$FCGI"; do
	[ -x "$f" ] || die "$f is missing: run make bench"
done

# ---------------------------------------------------------------- arithmetic

now() { printf '%s' "$EPOCHREALTIME"; }
# ms T0 T1: milliseconds between two EPOCHREALTIME stamps.
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'; }
# calc EXPR: awk arithmetic, 3 significant decimals.
calc() { awk "BEGIN { printf \"%.3f\", $* }"; }
# median of the numbers on stdin; pct P: the P-th percentile (nearest rank).
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
pct() { sort -g | awk -v p="$1" '{ v[NR] = $1 } END { i = int((NR * p + 99) / 100); if (i < 1) i = 1; print v[i] }'; }
# le A B / lt A B / ge A B: numeric comparisons.
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
yn() { if "$@"; then echo yes; else echo NO; fi; }

# ---------------------------------------------------------------- the table

ROWS=()
INFO=()
# row FIGURE WHAT VALUE BASELINE RATIO TARGET MET
row() {
	ROWS+=("$(printf '| %s | %s | %s | %s | %s | %s | %s |' "$@")")
	say "bench: $2: $3 (baseline $4, ratio $5, target $6: $7)"
}
info() {
	INFO+=("$(printf '| %s | %s | %s |' "$@")")
	say "bench: $1: $2"
}

print_table() {
	local r
	{
		printf 'listfeed bench, scale %s: %s lists, %s members, %s subscription rows (%s rows in the view)\n' \
			"$SCALE" "$LISTS" "$MEMBERS" "$SUBS" "${VIEW_ROWS:-?}"
		printf 'machine: %s, %s cores, %s RAM; %s; %s; %s; %s\n' "$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)" \
			"$(nproc)" "$(free -g | awk '/^Mem:/ { print $2 " GB" }')" \
			"$(. /etc/os-release && echo "$PRETTY_NAME")" "$(mariadbd --version | awk '{ print $3 }')" \
			"nginx $(nginx -v 2>&1 | sed 's/.*nginx\///')" "$(gpg --version | head -n 1)"
		printf 'date: %s\n\n' "$(date -u +%Y-%m-%dT%H:%MZ)"
		printf '| # | figure | value | baseline | ratio | target | met |\n'
		printf '|---|---|---|---|---|---|---|\n'
		for r in "${ROWS[@]}"; do printf '%s\n' "$r"; done
		if [ ${#INFO[@]} -gt 0 ]; then
			printf '\n| also measured | value | note |\n|---|---|---|\n'
			for r in "${INFO[@]}"; do printf '%s\n' "$r"; done
		fi
	} | tee "$OUT"
}

# ---------------------------------------------------------------- world

say "bench: scale $SCALE, world $W, build $BUILD"
pki_setup || die "pki_setup failed"
gpg_setup || die "gpg_setup failed"
db_start bench tls || die "MariaDB did not start"
db_fixture bench || die "db_fixture failed"
# The test servers start with a 64 MB buffer pool; the data set is larger.
db_admin bench -e "SET GLOBAL innodb_buffer_pool_size = 1073741824" ||
	die "cannot grow the buffer pool"
db_sql bench "GRANT SELECT ON mslcrm.mailinglists_api TO 'listfeed'@'127.0.0.1'" ||
	die "grant failed"
CNF=$(db_client_cnf bench) || die "db_client_cnf failed"

# Process creation bounds every gpg call (GPGME forks twice per operation).
a=$(now)
for ((i = 0; i < 50; i++)); do /bin/true; done
b=$(now)
info "fork + exec of /bin/true" "$(calc "$(ms "$a" "$b") / 50") ms" "each gpg operation pays this (GPGME: two forks and an exec)"

say "bench: loading the synthetic CRM"
t0=$(now)
sed -e "s/@LISTS@/$LISTS/g" -e "s/@MEMBERS@/$MEMBERS/g" -e "s/@SUBS@/$SUBS/g" \
	"$BENCH/data.sql" | db_admin bench --database=mslcrm >"$T/load.out" 2>"$T/load.err" ||
	{ cat "$T/load.err" >&2; die "loading the data failed"; }
t1=$(now)
VIEW_ROWS=$(db_sql bench 'SELECT COUNT(*) FROM listfeed_subscribers')
info "data load (INSERT ... SELECT over seq_1_to_N)" "$(calc "$(ms "$t0" "$t1") / 1000") s" \
	"$SUBS subscription rows; $VIEW_ROWS rows in listfeed_subscribers"

COLS='`list`, `user_subscriber`, `comment_subscriber`, `first_name`, `digest`, `owner`, `moderator`'
QUERY="SELECT $COLS FROM listfeed_subscribers"

# mariadb_read SQL: wall ms of the command-line client reading every row
# over TLS as the listfeed account, as listfeed-gen does.
mariadb_read() {
	local a b
	a=$(now)
	mariadb --defaults-file="$CNF" --quick -B -e "$1" >/dev/null || return 1
	b=$(now)
	ms "$a" "$b"
}

mariadb_read "$QUERY" >/dev/null || die "reading the view failed"	# warm the caches
FLOOR=$(for ((i = 0; i < REPS; i++)); do mariadb_read "$QUERY"; done | median)
SEED=$(mariadb_read 'SELECT * FROM mailinglists_api')
info "database floor: mariadb --quick -B, listfeed_subscribers" "$FLOOR ms" "median of $REPS; all rows, plain join, unsorted"
info "seed view mailinglists_api, same client" "$SEED ms" \
	"$(calc "$SEED / $FLOOR")x the floor (DISTINCT + ORDER BY email)"

# The lists nearest to 2 KB and 200 KB of Sympa text (email TAB name).
db_sql bench "SELECT \`list\`, SUM(LENGTH(user_subscriber) + LENGTH(comment_subscriber) + 2) AS b
	FROM listfeed_subscribers GROUP BY \`list\`" >"$T/sizes" || die "list sizes failed"
SMALL=$(awk '{ d = $2 - 2048; if (d < 0) d = -d; print d, $1 }' "$T/sizes" | sort -n | awk 'NR == 1 { print $2 }')
BIG=$(awk '{ d = $2 - 204800; if (d < 0) d = -d; print d, $1 }' "$T/sizes" | sort -n | awk 'NR == 1 { print $2 }')
LARGEST=$(sort -k2,2nr "$T/sizes" | awk 'NR == 1 { print $1 }')
NLISTS=$(wc -l <"$T/sizes")

FEED=$W/feed
CONF=$W/bench.conf
write_conf() {
	cat <<-EOC
		[database]
		defaults_file = $W/db-bench/my.cnf
		query = $QUERY
		[feed]
		dir = $FEED
		templates = $TOP/templates
		trigger_socket = $W/trigger.sock
		formats = sympa
		interval = 3600
		[fcgi]
		socket = $W/fcgi-bench.sock
		[gpg]
		home = $W/gnupg
		sign_key = $FEED_FPR
		recipients = $PROVIDER_FPR $ADMIN_FPR
		[client admin]
		fingerprint = $(pki_fingerprint "$W/pki/client-admin.pem")
		lists = *
	EOC
}
write_conf >"$CONF"

# ---------------------------------------------------------------- figure 3

# gen_timed OUT ARGS...: runs listfeed-gen; GEN_MS, GEN_RSS (MB), GEN_RC.
gen_timed() {
	local out=$1 a b
	shift
	a=$(now)
	/usr/bin/time -f '%M' -o "$T/rss" "$GEN" "$@" >"$out" 2>"$out.err"
	GEN_RC=$?
	b=$(now)
	GEN_MS=$(ms "$a" "$b")
	GEN_RSS=$(awk 'END { printf "%.1f", $1 / 1024 }' "$T/rss")
}

say "bench: figure 3, full generation of $NLISTS lists"
rm -rf "$FEED"
gen_timed "$T/gen-full.out" -c "$CONF" --once
[ "$GEN_RC" = 0 ] || { cat "$T/gen-full.out.err" >&2; die "full generation failed ($GEN_RC)"; }
FULL_MS=$GEN_MS FULL_RSS=$GEN_RSS
# FEED/lists may be a link into the live generation: -L.
NFILES=$(find -L "$FEED/lists/" -name '*.asc' | wc -l)
[ "$NFILES" = "$NLISTS" ] || die "full generation wrote $NFILES files for $NLISTS lists"
WORKERS=$(sed -n 's/^.*encryption workers: \([0-9]*\).*$/\1/p' "$T/gen-full.out.err" | head -n 1)
: "${WORKERS:=1}"

# The naive script, same keys, same format (email TAB name): one query
# and one gpg per list. Both stages timed apart: the gpg stage is "the gpg
# work per file" of the baseline.
say "bench: the naive script, $NLISTS lists"
NAIVE=$T/naive
mkdir -p "$NAIVE"
naive() {
	local l a b c total0 total1
	total0=$(now)
	mariadb --defaults-file="$CNF" -B -N -e \
		"SELECT DISTINCT \`list\` FROM listfeed_subscribers" >"$NAIVE/lists" || return 1
	: >"$NAIVE/gpg.ms"
	: >"$NAIVE/db.ms"
	while IFS= read -r l; do
		a=$(now)
		mariadb --defaults-file="$CNF" -B -N -e \
			"SELECT user_subscriber, comment_subscriber FROM listfeed_subscribers WHERE \`list\` = '$l'" \
			>"$NAIVE/$l.txt" || return 1
		b=$(now)
		gpg --homedir "$W/gnupg" --batch --no-tty -q --trust-model always --throw-keyids \
			-a -e -s -u "$FEED_FPR" -r "$PROVIDER_FPR" -r "$ADMIN_FPR" \
			-o "$NAIVE/$l.asc" --yes "$NAIVE/$l.txt" || return 1
		c=$(now)
		ms "$a" "$b" >>"$NAIVE/db.ms"
		ms "$b" "$c" >>"$NAIVE/gpg.ms"
	done <"$NAIVE/lists"
	total1=$(now)
	ms "$total0" "$total1"
}
NAIVE_MS=$(naive) || die "the naive script failed"
GPG_SUM=$(awk '{ s += $1 } END { printf "%.1f", s }' "$NAIVE/gpg.ms")
GPG_MED=$(median <"$NAIVE/gpg.ms")
NAIVE_DB=$(awk '{ s += $1 } END { printf "%.1f", s }' "$NAIVE/db.ms")

# Two gpg at once on the same keyring: does the second core help?
say "bench: gpg, 1 vs 2 processes"
gpg_batch() {
	local f
	for f in "$@"; do
		gpg --homedir "$W/gnupg" --batch --no-tty -q --trust-model always --throw-keyids \
			-a -e -s -u "$FEED_FPR" -r "$PROVIDER_FPR" -r "$ADMIN_FPR" \
			-o "$f.par" --yes "$f" || return 1
	done
}
mapfile -t GPGF < <(find "$NAIVE" -name '*.txt' | sort | head -n 100)
NG=${#GPGF[@]}
a=$(now); gpg_batch "${GPGF[@]}"; b=$(now)
G1=$(ms "$a" "$b")
half=$((NG / 2))
a=$(now)
gpg_batch "${GPGF[@]:0:half}" &
p1=$!
gpg_batch "${GPGF[@]:half}"
wait "$p1"
b=$(now)
G2=$(ms "$a" "$b")
info "gpg --encrypt --sign, one file (ed25519 signer, 2 recipients)" "$GPG_MED ms" \
	"median over the $NLISTS files of the naive script"
info "gpg: $NG files by 2 processes at once vs 1" "speed-up $(calc "$G1 / $G2")" "$G1 ms vs $G2 ms"

FULL_BASE=$(calc "$FLOOR + $GPG_SUM / $WORKERS")
row 3a "full generation, $NLISTS lists changed, one format (listfeed-gen --once, $WORKERS encryption worker(s))" \
	"$FULL_MS ms" "$FULL_BASE ms (floor $FLOOR + gpg $GPG_SUM / $WORKERS)" \
	"$(calc "$FULL_MS / $FULL_BASE")" "<= 1.3" "$(yn le "$(calc "$FULL_MS / $FULL_BASE")" 1.3)"
row 3b "full generation vs the naive script (mariadb \| gpg per list)" \
	"$FULL_MS ms" "$NAIVE_MS ms (queries $NAIVE_DB, gpg $GPG_SUM)" \
	"$(calc "$NAIVE_MS / $FULL_MS")x faster" ">= 2x faster" "$(yn ge "$(calc "$NAIVE_MS / $FULL_MS")" 2)"
row 3c "full generation, peak RSS" "$FULL_RSS MB" "-" "-" "< 256 MB" "$(yn lt "$FULL_RSS" 256)"

# ---------------------------------------------------------------- figure 1

say "bench: figure 1, no-change runs"
: >"$T/nochange.ms"
NOCHANGE_WRITTEN=0
for ((i = 0; i < REPS; i++)); do
	touch "$T/marker"
	sleep 0.01
	gen_timed "$T/gen-nochange.out" -c "$CONF" --once
	[ "$GEN_RC" = 0 ] || die "no-change run failed ($GEN_RC)"
	echo "$GEN_MS" >>"$T/nochange.ms"
	n=$(find -L "$FEED/lists/" "$FEED/plain/" "$FEED/.state/" -type f -newer "$T/marker" | wc -l)
	NOCHANGE_WRITTEN=$((NOCHANGE_WRITTEN + n))
done
NOCHANGE_RSS=$GEN_RSS
NOCHANGE=$(median <"$T/nochange.ms")
CHANGED=$(grep -c ' changed$' "$T/gen-nochange.out")
row 1 "no-change run ($NLISTS lists, nothing moved)" "$NOCHANGE ms, $NOCHANGE_WRITTEN list files written" \
	"$FLOOR ms (database floor)" "$(calc "$NOCHANGE / $FLOOR")" "<= 1.2, 0 files" \
	"$(yn eval "le $(calc "$NOCHANGE / $FLOOR") 1.2 && [ $NOCHANGE_WRITTEN = 0 ] && [ $CHANGED = 0 ]")"
info "no-change run, peak RSS" "$NOCHANGE_RSS MB" "manifest.json and run.json are rewritten (generation + 1)"

# ---------------------------------------------------------------- figure 2

# toggle_sql LIST COLUMN: flips COLUMN of one subscription row of LIST whose
# member is active and has no other row in that list.
toggle_sql() {
	local id
	id=$(db_sql "$1" "SELECT s.id FROM mailinglists_subscription s
		JOIN mailinglists_mailinglist l ON l.id = s.mailinglist_id
		JOIN members_user u ON u.id = s.member_id
		WHERE l.name = '$2' AND u.is_active = 1 AND NOT EXISTS (SELECT 1
		FROM mailinglists_subscription s2 WHERE s2.mailinglist_id = s.mailinglist_id
		AND s2.member_id = s.member_id AND s2.id <> s.id) ORDER BY s.id LIMIT 1") || return 1
	[ -n "$id" ] || return 1
	db_sql "$1" "UPDATE mailinglists_subscription SET $3 = 1 - $3 WHERE id = $id"
}

one_list() {
	local l=$1 what=$2 q base v
	q="$QUERY WHERE \`list\` = '$l'"
	base=$(for ((i = 0; i < 5; i++)); do mariadb_read "$q"; done | median)
	: >"$T/one.ms"
	for ((i = 0; i < 5; i++)); do
		toggle_sql bench "$l" active || die "changing $l failed"
		gen_timed "$T/gen-one.out" -c "$CONF" --list "$l"
		[ "$GEN_RC" = 0 ] || { cat "$T/gen-one.out.err" >&2; die "--list $l failed ($GEN_RC)"; }
		grep -q "^$l .* changed$" "$T/gen-one.out" || die "--list $l: not changed"
		echo "$GEN_MS" >>"$T/one.ms"
	done
	v=$(median <"$T/one.ms")
	ONE_BASE=$base
	row "2$what" "one list changed, listfeed-gen --list $l ($(awk -v l="$l" '$1 == l { print $2 }' "$T/sizes") bytes)" \
		"$v ms" "$base ms (mariadb: that list's rows from the view)" "$(calc "$v / $base")" \
		"< 100 ms" "$(yn lt "$v" 100)"
}
say "bench: figure 2, one list regenerated by name"
one_list "$BIG" a
BIG_BASE=$ONE_BASE
[ "$LARGEST" != "$BIG" ] && one_list "$LARGEST" b

# The same change by a trigger naming the list, as the CRM sends it, to a
# running listfeed-gen --watch: from sending the trigger to the end of the
# generation that publishes it (tests/bench/trigger-time.pl reads run.json).
say "bench: figure 2, one list by a trigger to listfeed-gen --watch"
bg_start gen-bench "$GEN" -c "$CONF" --watch || die "listfeed-gen --watch did not start"
wait_until 120 grep -q 'generation finished' "$W/log/gen-bench.log" ||
	die "listfeed-gen --watch: no first generation"
: >"$T/trigw.ms"
for ((i = 0; i < 7; i++)); do
	sleep 1.1	# a trigger within a second of the last generation waits
	toggle_sql bench "$BIG" active || die "changing $BIG failed"
	perl "$BENCH/trigger-time.pl" "$W/trigger.sock" "$FEED/run.json" "$BIG" 20 >>"$T/trigw.ms" ||
		die "trigger for $BIG: no generation, or it failed"
done
bg_stop gen-bench
TRIGW_N=$(grep -c "^$BIG .* changed$" "$W/log/gen-bench.log")
[ "$TRIGW_N" = 7 ] || die "trigger for $BIG: $TRIGW_N of 7 generations changed it"
TRIGW=$(median <"$T/trigw.ms")
row 2c "one list changed, trigger to listfeed-gen --watch ($BIG, median of 7)" \
	"$TRIGW ms (max $(sort -g "$T/trigw.ms" | tail -n 1))" \
	"$BIG_BASE ms (mariadb: that list's rows from the view, 2a)" "$(calc "$TRIGW / $BIG_BASE")" \
	"< 100 ms" "$(yn lt "$TRIGW" 100)"

# ---------------------------------------------------------------- figure 4

say "bench: figure 4, serving"
# The Sympa client may fetch the two lists in clear; publish their files.
CONF_B=$W/bench-serve.conf
{
	write_conf
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
{
	site_conf "$P_TLS" "$W/fcgi-bench.sock" "$FEED"
	# Plain HTTP on loopback, as if TLS had verified the Sympa client.
	cat <<-EOF
		server {
			listen 127.0.0.1:$P_LOOP;
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
				fastcgi_pass listfeed_fcgi;
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
			}
		}
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

LOOP=http://127.0.0.1:$P_LOOP
# wrk_run URL [HEADER]: "REQ/S P99_MS NON2XX"
wrk_run() {
	local url=$1 h=${2:-} out=$T/wrk.out
	local -a args=(-t2 -c"$WRK_CONNS" -d"${WRK_SECS}s" --timeout 5s --latency)
	[ -n "$h" ] && args+=(-H "$h")
	timeout $((WRK_SECS + 30)) wrk "${args[@]}" "$url" >"$out" 2>&1 || { cat "$out" >&2; return 1; }
	awk '
		function tms(s) {
			if (s ~ /us$/) return substr(s, 1, length(s) - 2) / 1000
			if (s ~ /ms$/) return substr(s, 1, length(s) - 2) + 0
			if (s ~ /s$/) return substr(s, 1, length(s) - 1) * 1000
			return s
		}
		/Requests\/sec:/ { rps = $2 }
		/^ +99%/ { p99 = tms($2) }
		/Non-2xx or 3xx/ { bad = $NF }
		END { printf "%.0f %.2f %d\n", rps, p99, bad }' "$out"
}

# cpu_ticks PID: user + system CPU of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

serve_fig() {
	local what=$1 furl=$2 surl=$3 hdr=${4:-} f s fr sr fp sp fb sb ratio c0 c1
	c0=$(cpu_ticks "$(bg_pid fcgi-bench)")
	f=$(wrk_run "$furl" "$hdr") || die "wrk $furl failed"
	c1=$(cpu_ticks "$(bg_pid fcgi-bench)")
	s=$(wrk_run "$surl" "$hdr") || die "wrk $surl failed"
	read -r fr fp fb <<<"$f"
	read -r sr sp sb <<<"$s"
	ratio=$(calc "$fr / $sr")
	row "4$what" "serving: listfeed.fcgi + X-Accel-Redirect, $WRK_CONNS connections ($( [ -n "$hdr" ] && echo 'non-2xx = 304 answers, expected' || echo "non-2xx $fb"))" \
		"$fr req/s, p99 $fp ms" "nginx static $sr req/s, p99 $sp ms" "$ratio" \
		">= 0.5, p99 < 5 ms" "$(yn eval "ge $ratio 0.5 && lt $fp 5")"
	info "listfeed.fcgi CPU per request, 4${what%%:*}" \
		"$(calc "($c1 - $c0) * 1000000 / $(getconf CLK_TCK) / ($fr * $WRK_SECS)") us" \
		"user + system time over the wrk run / requests; the rest is nginx's and wrk's"
}

for l in "$SMALL" "$BIG"; do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$LOOP/lists/$l")" = 200 ] ||
		die "GET /lists/$l through the loopback listener is not 200"
	cmp -s <(curl -s "$LOOP/lists/$l") "$FEED/plain/$l.sympa" ||
		die "GET /lists/$l is not the published file"
done
SZ_S=$(stat -c %s "$FEED/plain/$SMALL.sympa")
SZ_B=$(stat -c %s "$FEED/plain/$BIG.sympa")
serve_fig "a: $SMALL, $SZ_S bytes" "$LOOP/lists/$SMALL" "$LOOP/static/plain/$SMALL.sympa"
serve_fig "b: $BIG, $SZ_B bytes" "$LOOP/lists/$BIG" "$LOOP/static/plain/$BIG.sympa"
ETAG=$(curl -s -D - -o /dev/null "$LOOP/lists/$BIG" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $ETAG" "$LOOP/lists/$BIG")" = 304 ] ||
	die "no 304 through listfeed.fcgi for If-None-Match $ETAG"
serve_fig "c: 304, If-None-Match on $BIG" "$LOOP/lists/$BIG" "$LOOP/static/plain/$BIG.sympa" \
	"If-None-Match: $ETAG"
FCGI_RSS=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$(bg_pid fcgi-bench)/status")
info "listfeed.fcgi RSS after the load runs" "$FCGI_RSS MB" "8 threads (default)"

# Client TLS, a new connection each time (as Sympa fetches: once per ttl).
# limit_req allows 5 r/s per certificate with a burst of 20: paced.
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
nginx_stop bench
fcgi_stop bench

# ---------------------------------------------------------------- figure 5

say "bench: figure 5, trigger to fresh file (makerspace sample)"
db_start maker tls || die "MariaDB (maker) did not start"
db_fixture maker || die "db_fixture maker failed"
db_sql maker "SET FOREIGN_KEY_CHECKS = 0; DELETE FROM mailinglists_subscription;
	DELETE FROM members_user; DELETE FROM mailinglists_mailinglist; DELETE FROM acl_location;
	SET FOREIGN_KEY_CHECKS = 1" || die "clearing the fixture failed"
db_load maker "$TOP/tests/demo/sample.sql" || die "loading the sample failed"
MFEED=$W/feed-maker
CONF_M=$W/maker.conf
cat >"$CONF_M" <<EOC
[database]
defaults_file = $W/db-maker/my.cnf
query = $QUERY
[feed]
dir = $MFEED
templates = $TOP/templates
trigger_socket = $W/trigger-maker.sock
interval = 3600
[fcgi]
socket = $W/fcgi-maker.sock
[gpg]
home = $W/gnupg
sign_key = $FEED_FPR
recipients = $PROVIDER_FPR $ADMIN_FPR
[client sympa]
fingerprint = $SYMPA_FP
lists = deelnemers spacelog
plain = yes
[client crm]
fingerprint = $(pki_fingerprint "$W/pki/client-crm.pem")
lists = *
trigger = yes
EOC
"$GEN" -c "$CONF_M" --once >"$T/maker-first.out" 2>&1 || die "first makerspace generation failed"
M_LISTS=$(db_sql maker 'SELECT COUNT(DISTINCT `list`) FROM listfeed_subscribers')
M_ROWS=$(db_sql maker 'SELECT COUNT(*) FROM listfeed_subscribers')
: >"$T/once.ms"
for ((i = 0; i < 3; i++)); do
	toggle_sql maker spacelog digest || die "changing spacelog failed"
	gen_timed "$T/gen-m.out" -c "$CONF_M" --once --list spacelog
	[ "$GEN_RC" = 0 ] || die "--list spacelog failed"
	echo "$GEN_MS" >>"$T/once.ms"
done
ONCE=$(median <"$T/once.ms")

bg_start gen-maker "$GEN" -c "$CONF_M" --watch || die "listfeed-gen --watch did not start"
wait_until 30 test -S "$W/trigger-maker.sock" || die "no trigger socket"
fcgi_start "$CONF_M" "$W/fcgi-maker.sock" maker || die "listfeed.fcgi (maker) did not start"
P_M=$(free_port)
site_conf "$P_M" "$W/fcgi-maker.sock" "$MFEED" >"$W/maker-nginx.conf"
nginx_start "$W/maker-nginx.conf" maker || die "nginx (maker) did not start"
MURL=https://127.0.0.1:$P_M
etag_of() {
	pki_curl crm -s -D - -o /dev/null --max-time 10 "$MURL/lists/spacelog.csv.asc" |
		tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p'
}
sleep 1.2	# past the first generation's coalescing second
: >"$T/trig.ms"
FRESH_BAD=0
prev=$(etag_of)
for ((i = 0; i < TRIG_N; i++)); do
	toggle_sql maker spacelog digest || die "changing spacelog failed"
	a=$(now)
	code=$(pki_curl crm -o "$T/report.json" -w '%{http_code}' --max-time 15 -X POST \
		"$MURL/-/regenerate?list=spacelog&wait=10")
	e=$(etag_of)
	b=$(now)
	[ "$code" = 200 ] || die "POST /-/regenerate: HTTP $code: $(head -c 200 "$T/report.json")"
	if [ -z "$e" ] || [ "$e" = "$prev" ]; then FRESH_BAD=$((FRESH_BAD + 1)); fi
	prev=$e
	ms "$a" "$b" >>"$T/trig.ms"
	sleep 1.2	# triggers closer than 1 s are merged: see below
done
TRIG=$(median <"$T/trig.ms")
TRIG_MAX=$(pct 100 <"$T/trig.ms")
row 5 "trigger to fresh file: POST /-/regenerate?list=spacelog&wait=10, then GET of the new file, TLS ($M_LISTS lists, $M_ROWS rows)" \
	"median $TRIG ms, max $TRIG_MAX ms, $FRESH_BAD of $TRIG_N stale" \
	"$ONCE ms (listfeed-gen --once --list spacelog)" "$(calc "$TRIG / $ONCE")" "< 1 s, fresh" \
	"$(yn eval "lt $TRIG_MAX 1000 && [ $FRESH_BAD = 0 ]")"

# Two triggers back to back: the second waits for the coalescing second.
toggle_sql maker spacelog digest || die "changing spacelog failed"
pki_curl crm -o /dev/null --max-time 15 -X POST "$MURL/-/regenerate?list=spacelog&wait=10" &
p1=$!
sleep 0.05
toggle_sql maker spacelog digest || die "changing spacelog failed"
a=$(now)
pki_curl crm -o /dev/null --max-time 15 -X POST "$MURL/-/regenerate?list=spacelog&wait=10"
b=$(now)
wait "$p1"
info "second of two triggers 50 ms apart (coalesced)" "$(ms "$a" "$b") ms" "a trigger within 1 s of a generation's start waits for that second"

nginx_stop maker
fcgi_stop maker
bg_stop gen-maker

say ""
print_table
