# shellcheck shell=bash
# tests/bench/lib.sh: the bench's helpers, sourced by run.sh: messages,
# packages, arithmetic on EPOCHREALTIME stamps, the table (row, info,
# print_table), and the measuring tools the figures share (mariadb_read,
# gen_timed, toggle_sql, wrk_run, cpu_ticks).

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
# ---------------------------------------------------------------- arithmetic

now() { printf '%s' "$EPOCHREALTIME"; }
# ms T0 T1: milliseconds between two EPOCHREALTIME stamps.
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'; }
# calc EXPR: awk arithmetic, 3 significant decimals.
calc() { awk "BEGIN { printf \"%.3f\", $* }"; }
# total COL FILE: the sum of column COL (blank-separated) of FILE.
total() { awk -v c="$1" '{ s += $c } END { print s + 0 }' "$2"; }
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
		# Rows in the order of their figure numbers, not of measurement.
		printf '%s\n' "${ROWS[@]}" | sort -t '|' -k2,2V -s
		if [ ${#INFO[@]} -gt 0 ]; then
			printf '\n| also measured | value | note |\n|---|---|---|\n'
			for r in "${INFO[@]}"; do printf '%s\n' "$r"; done
		fi
	} | tee "$OUT"
}


# ---------------------------------------------------------------- measuring

# mariadb_read SQL: wall ms of the command-line client reading every row
# over TLS as the listfeed account, as listfeed-gen does.
mariadb_read() {
	local a b
	a=$(now)
	mariadb --defaults-file="$CNF" --quick -B -e "$1" >/dev/null || return 1
	b=$(now)
	ms "$a" "$b"
}

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

# toggle_sql DB LIST COLUMN [CONDITION]: flips COLUMN of one subscription
# row (s) of LIST whose member is active and has no other row in that
# list, and that meets CONDITION: always the same row, so a second call
# undoes the first.
toggle_sql() {
	local id
	id=$(db_sql "$1" "SELECT s.id FROM mailinglists_subscription s
		JOIN mailinglists_mailinglist l ON l.id = s.mailinglist_id
		JOIN members_user u ON u.id = s.member_id
		WHERE l.name = '$2' AND u.is_active = 1 AND NOT EXISTS (SELECT 1
		FROM mailinglists_subscription s2 WHERE s2.mailinglist_id = s.mailinglist_id
		AND s2.member_id = s.member_id AND s2.id <> s.id) AND (${4:-1}) ORDER BY s.id LIMIT 1") || return 1
	[ -n "$id" ] || return 1
	db_sql "$1" "UPDATE mailinglists_subscription SET $3 = 1 - $3 WHERE id = $id"
}

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
