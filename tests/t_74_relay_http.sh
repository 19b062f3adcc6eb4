#!/usr/bin/env bash
# listfeed-relay when the feed server fails: 404, 500, a server
# certificate from another CA, nothing listening.  --once exits 2; the
# daemon keeps the last good members, and answers 503 before it has any.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/relay.sh"
require_exec "$RELAY"
relay_world t74 || bail_out "feed server"
relay_foreign_server t74 || bail_out "foreign server"

members 8 >"$T/good.txt"
publish_all 3 "$T/good.txt" || bail_out "publish"

# Before the first good copy: 503 (Sympa keeps its members).
relay_conf "$FOREIGN_URL" >"$T/foreign.conf"
check_exit "a server certificate from another CA: --once exits 2" 2 "$RELAY" -c "$T/foreign.conf" --once
check_grep "and says why" '^deelnemers all: fetch failed: .*(certificate|issuer)' "$LAST_OUT"
check "no state written" test ! -e "$RSTATE/relay.state"
relay_start t74f "$T/foreign.conf" || bail_out "relay"
check "a round against the foreign server" wait_until 20 grep -q 'round done: 2' "$W/log/relay-t74f.log"
relay_get /lists/deelnemers
check_eq "no copy yet: 503" 503 "$HTTP_CODE"
check_grep "503 says why" 'fetch failed' "$BODY"
check_eq "nothing else in the 503" "" "$(grep '@' "$BODY")"
relay_stop t74f

relay_start t74 || bail_out "relay"
check "first round" wait_until 20 grep -q 'round done: 0' "$W/log/relay-t74.log"

# Clients that connect and say nothing (or too slowly) do not lock Sympa
# out: 200 of them, then Sympa's GET is answered at once; an idle
# connection is dropped after 10 seconds.
idle=()
for ((i = 0; i < 200; i++)); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$RELAY_PORT" && idle+=("$fd")
done
check_eq "200 idle connections open" 200 "${#idle[@]}"
code=$(curl -s -m 5 --noproxy '*' -o /dev/null -w '%{http_code}' "$RELAY_URL/lists/deelnemers")
check_eq "with 200 idle connections, Sympa gets its answer" 200 "$code"
start=$SECONDS
read -r -t 20 -u "${idle[0]}" line
rc=$?
check "an idle connection is closed by the relay (read: $rc)" test "$rc" -eq 1
check "after about 10 seconds ($((SECONDS - start)) s)" test $((SECONDS - start)) -ge 8 -a $((SECONDS - start)) -le 15
for fd in "${idle[@]}"; do exec {fd}<&-; done

failing() {	# failing WHAT REGEX: one round, then the checks
	check "$1: a round" relay_refresh t74
	relay_get /lists/deelnemers
	check_eq "$1: the last good members" "$(cat "$T/good.txt")" "$(members_of "$BODY")"
	relay_get /-/status
	check_eq "$1: status says why" true "$(jq --arg re "$2" '.sources[0] |
		.serving and (.last_error // "" | test($re)) and .last_error_time != null' "$BODY")"
	check_exit "$1: --once exits 2" 2 "$RELAY" -c "$RCONF" --once
}

mv "$FEEDDIR/all/deelnemers.sympa.asc" "$T/saved.asc"
failing "404" 'HTTP 404'
mv "$T/saved.asc" "$FEEDDIR/all/deelnemers.sympa.asc"
relay_fail500 on
failing "500" 'HTTP 500'
relay_fail500 off
nginx_stop feed-t74
failing "nothing listening" "Couldn't connect|connect"
done_testing
