#!/usr/bin/env bash
# Least privilege in the running programs, at this kernel's Landlock ABI
# and at the ABIs older kernels offer (LF_LANDLOCK_ABI_MAX: 2 as on
# Linux 6.1, and 1): listfeed.fcgi and listfeed-gen --watch run with
# no_new_privs and a seccomp filter (/proc/PID/status); a responder
# refuses, on reload, a feed directory moved into the generator's
# GNUPGHOME; the generator runs gpg and links a generation from the last
# inside its sandbox (on ABI 1 without Landlock, logged) and cannot
# write through a link out of its feed; listfeed-relay verifies its
# sources at ABI 2 and 1; LISTFEED_SANDBOX=off turns it all off.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/relay.sh"
require_exec "$FCGI" "$GEN"
command -v python3 >/dev/null || skip_all "python3 needed to send datagrams"

# status_field PID FIELD: the value of FIELD in /proc/PID/status.
status_field() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

landlock=$(python3 -c '
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print(max(libc.syscall(444, None, 0, 1), 0))')
diag "Landlock ABI of this kernel: $landlock"

# The ABIs to run at: the kernel's (""), then 2 and 1 where lower.
abis=("")
for a in 2 1; do
	[ "$landlock" -gt "$a" ] && abis+=("$a")
done

# at ABI CMD...: CMD with the Landlock ABI lowered to ABI ("": as is).
at() {
	local abi=$1
	shift
	if [ -n "$abi" ]; then LF_LANDLOCK_ABI_MAX=$abi "$@"; else "$@"; fi
}

# abi_logged ABI NAME WHO: at a lowered ABI, the log of NAME says so,
# and (with Landlock applied) that TCP ports are not restricted.
abi_logged() {
	[ -n "$1" ] || return 0
	check_grep "$3: ABI lowered to $1, logged" "lowered to $1 by" "$W/log/$2.log"
	grep -q 'going on without it' "$W/log/$2.log" && return 0
	check_grep "$3: ABI $1: the port rule skipped, logged" \
	    "ABI $1: TCP bind and connect not restricted" "$W/log/$2.log"
}

gen_world sandbox
# The generator's GNUPGHOME, its own copy: the responder must not see it.
GHOME=$T/gnupg
cp -a "$W/gnupg" "$GHOME" && rm -f "$GHOME"/S.* && echo "$GHOME" >>"$W/gnupg-homes" ||
	bail_out "GNUPGHOME copy"
echo '{"version": 1, "generation": 0, "lists": {}}' >"$GHOME/manifest.json"

# ------------------------------------------------------------ responder
F=$T/feed
mkdir -p "$F/lists"
echo '{"version": 1, "generation": 0, "lists": {}}' >"$F/manifest.json"

# responder ABI: listfeed.fcgi at that Landlock ABI.
responder() {
	local abi=$1 tag=t45r${1:-k} who="responder${1:+ (ABI $1)}" conf pid
	conf=$T/etc-$tag/fcgi.conf	# its directory is readable: keep it apart
	mkdir -p "$T/etc-$tag"
	cat >"$conf" <<-EOF
		[feed]
		dir = $F
		templates = $TOP/templates
		trigger_socket = $T/trigger.sock
		[fcgi]
		threads = 2
	EOF
	at "$abi" fcgi_start "$conf" "$W/fcgi-$tag/sock" "$tag" ||
		bail_out "listfeed.fcgi did not start"
	pid=$(bg_pid "fcgi-$tag")
	check_eq "$who: NoNewPrivs 1" 1 "$(status_field "$pid" NoNewPrivs)"
	check_eq "$who: Seccomp 2 (filter)" 2 "$(status_field "$pid" Seccomp)"
	abi_logged "$abi" "fcgi-$tag" "$who"
	if [ "$landlock" -ge 1 ]; then
		# A reload that points the feed into the generator's GNUPGHOME:
		# Landlock refuses it, so the file there is never read.
		sed -i "s|^dir = .*|dir = $GHOME|" "$conf"
		kill -HUP "$pid"
		check "$who: a feed moved into the generator's GNUPGHOME is refused on reload" \
		    wait_until 5 grep -q "$GHOME/manifest.json: Permission denied" "$W/log/fcgi-$tag.log"
		check "$who: still running" bg_alive "fcgi-$tag"
	else
		skip "$who: feed moved outside its rules" "no Landlock"
	fi
	fcgi_stop "$tag"
	check "$who: socket removed at exit (inside its sandbox)" test ! -e "$W/fcgi-$tag/sock"
}

for a in "${abis[@]}"; do
	responder "$a"
done

LISTFEED_SANDBOX=off fcgi_start "$T/etc-t45rk/fcgi.conf" "$W/fcgi-t45off/sock" t45off ||
	bail_out "listfeed.fcgi did not start"
pid=$(bg_pid fcgi-t45off)
check_eq "LISTFEED_SANDBOX=off: Seccomp 0" 0 "$(status_field "$pid" Seccomp)"
check_grep "LISTFEED_SANDBOX=off: logged" 'sandbox disabled' "$W/log/fcgi-t45off.log"
fcgi_stop t45off

# ------------------------------------------------------------ generator
# gen_conf FEED [TRIGGER]: the generator's configuration on stdout.
gen_conf() {
	cat <<-EOC
		[database]
		defaults_file = $W/db-sandbox/my.cnf
		query = SELECT * FROM listfeed_subscribers
		[feed]
		dir = $1
		templates = $TOP/templates
		${2:+trigger_socket = $2}
		interval = 0
		[gpg]
		home = $GHOME
		sign_key = $FEED_FPR
		recipients = $PROVIDER_FPR
	EOC
}

# finished FEED N: the last run has ended with generation N or later.
finished() {
	jq -e --argjson n "$2" '(.finished_ms // 0) > 0 and .generation >= $n' \
	    "$1/run.json" >/dev/null 2>&1
}

# ran_after FEED MS: a run started after MS has ended.
ran_after() {
	jq -e --argjson t "$2" '.started_ms > $t and (.finished_ms // 0) > 0' \
	    "$1/run.json" >/dev/null 2>&1
}

# same_file A B: one inode (a file carried by a link).
# linked_across DIR: a file of DIR/2 is the same file (a hard link) as
# the one at its path in DIR/1.
linked_across() {
	local f
	for f in $(cd "$1/2" && find . -type f ! -name entry.json); do
		[ -f "$1/1/$f" ] && [ "$(stat -c %d:%i "$1/2/$f")" = "$(stat -c %d:%i "$1/1/$f")" ] &&
			return 0
	done
	return 1
}

# generator ABI: listfeed-gen --watch at that Landlock ABI; its second
# generation, triggered, links a changed list's unchanged files from its
# first version.
generator() {
	local abi=$1 tag=t45g${1:-k} who="generator${1:+ (ABI $1)}" feed sock pid f t0
	feed=$T/feed-$tag
	sock=$T/$tag.sock
	gen_conf "$feed" "$sock" >"$T/$tag.conf"
	at "$abi" bg_start "gen-$tag" "$GEN" -c "$T/$tag.conf" --watch
	check "$who: first generation inside the sandbox" wait_until 60 finished "$feed" 1
	pid=$(bg_pid "gen-$tag")
	check_eq "$who: NoNewPrivs 1" 1 "$(status_field "$pid" NoNewPrivs)"
	check_eq "$who: Seccomp 2 (filter)" 2 "$(status_field "$pid" Seccomp)"
	f=lists/spacelog.csv.asc
	check_grep "$who: gpg ran (signed and encrypted files)" 'BEGIN PGP MESSAGE' "$feed/v/spacelog/1/$f"
	# One list changes; its new version links its unchanged files.
	db_sql sandbox "UPDATE mailinglists_subscription s
		JOIN members_user u ON u.id = s.member_id
		JOIN mailinglists_mailinglist l ON l.id = s.mailinglist_id
		SET s.active = 1 - s.active
		WHERE l.name = 'deelnemers' AND u.email = 'dekker@example.nl'"
	t0=$(jq .started_ms "$feed/run.json")
	python3 - "$sock" <<-'PY'
		import socket, sys
		socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"regenerate\n", sys.argv[1])
	PY
	check "$who: a trigger runs a second generation" wait_until 30 ran_after "$feed" "$t0"
	check_eq "$who: generation 2, exit status 0" "2 0" \
	    "$(jq -r '"\(.generation) \(.exit)"' "$feed/run.json")"
	check_eq "$who: an unchanged list keeps its version" ../v/spacelog/1 "$(readlink "$feed/l/spacelog")"
	check "$who: an unchanged file linked across versions" linked_across "$feed/v/deelnemers"
	abi_logged "$abi" "gen-$tag" "$who"
	if [ "$abi" = 1 ]; then
		check_grep "$who: without Landlock, logged" \
		    'ABI 1 cannot allow a rename or link across directories; going on without it' \
		    "$W/log/gen-$tag.log"
	fi
	kill -TERM "$pid"
	check "$who: SIGTERM stops it" wait_until 15 sh -c "! kill -0 $pid 2>/dev/null"
	check "$who: trigger socket removed (inside its sandbox)" test ! -e "$sock"
	bg_stop "gen-$tag"
}

# escape ABI: a feed whose .state is a link out of it: the generation
# fails, nothing is written outside.
escape() {
	local abi=$1 tag=t45e${1:-k} who="generator${1:+ (ABI $1)}"
	mkdir -p "$T/feed-$tag" "$T/outside-$tag"
	ln -s "$T/outside-$tag" "$T/feed-$tag/.state"
	gen_conf "$T/feed-$tag" >"$T/$tag.conf"
	check_fail "$who: a link out of the feed: the run fails" at "$abi" "$GEN" -c "$T/$tag.conf" --once
	check_grep "$who: refused by Landlock" "\.state/.*Permission denied" "$LAST_ERR"
	check_eq "$who: nothing written outside the feed" "" "$(ls -A "$T/outside-$tag")"
}

for a in "${abis[@]}"; do
	generator "$a"
	if [ "$landlock" -ge 1 ] && [ "$a" != 1 ]; then
		escape "$a"
	fi
done

# ------------------------------------------------------------ relay
if [ ! -x "$RELAY" ] || ! command -v nginx >/dev/null; then
	skip "relay at lower Landlock ABIs" "listfeed-relay or nginx missing"
elif [ "${#abis[@]}" -gt 1 ]; then
	relay_world t45 || bail_out "feed server"
	members 5 >"$T/members.txt"
	publish_all 3 "$T/members.txt" || bail_out "publish"
	for a in "${abis[@]:1}"; do
		rm -f "$RSTATE/relay.state"
		check_exit "relay (ABI $a): --once verifies every source" 0 \
		    at "$a" "$RELAY" -c "$RCONF" --once
		check_eq "relay (ABI $a): one line per source" 6 "$(grep -c ': ok: generation 3' "$LAST_OUT")"
		check_grep "relay (ABI $a): with Landlock (no link across directories)" \
		    "lowered to $a by" "$LAST_ERR"
		check_no_grep "relay (ABI $a): Landlock not refused" 'going on without it' "$LAST_ERR"
		check "relay (ABI $a): state written" test -s "$RSTATE/relay.state"
	done
fi

done_testing
