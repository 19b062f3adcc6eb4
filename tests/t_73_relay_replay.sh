#!/usr/bin/env bash
# listfeed-relay refuses an older generation (a replayed genuine file),
# also right after a restart (the state file remembers), and the same
# generation with other content; Sympa gets the last good members or a
# 503, never the older ones.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/relay.sh"
require_exec "$RELAY"
relay_world t73 || bail_out "feed server"

members 10 >"$T/old.txt"
members 12 >"$T/new.txt"
publish_all 9 "$T/old.txt" || bail_out "publish"
cp "$FEEDDIR/all/deelnemers.sympa.asc" "$T/gen9.asc"
sympa_text deelnemers all 10 <"$T/new.txt" | publish deelnemers all
cp "$FEEDDIR/all/deelnemers.sympa.asc" "$T/gen10.asc"

relay_start t73 || bail_out "relay"
check "first round" wait_until 20 grep -q 'round done: 0' "$W/log/relay-t73.log"
relay_get /lists/deelnemers
check_eq "generation 10 served" "$(cat "$T/new.txt")" "$(members_of "$BODY")"
check_grep "the state file remembers generation 10" '^deelnemers all 10 12 ' "$RSTATE/relay.state"

publish deelnemers all raw <"$T/gen9.asc"
check "a round with generation 9 replayed" relay_refresh t73
relay_get /lists/deelnemers
check_eq "replay: generation 10 still served" "$(cat "$T/new.txt")" "$(members_of "$BODY")"
check_grep "replay: logged" 'deelnemers all: refused: generation 9 is older than 10' "$W/log/relay-t73.log"
check_exit "replay: --once exits 4" 4 "$RELAY" -c "$RCONF" --once
check_grep "replay: --once says why" '^deelnemers all: refused: generation 9 is older than 10' "$LAST_OUT"

# Right after a restart there is no copy in memory: 503, not generation 9.
relay_stop t73
relay_start t73 || bail_out "relay restart"
check "round after the restart" wait_until 20 grep -q 'round done: 4' "$W/log/relay-t73.log"
relay_get /lists/deelnemers
check_eq "after a restart, replay: 503" 503 "$HTTP_CODE"
check_grep "503 says why" 'older than 10' "$BODY"
relay_get '/lists/deelnemers?reception=mail'
check_eq "the other sources are served" 200 "$HTTP_CODE"

# The same generation number with other content is refused too.
sympa_text deelnemers all 10 <"$T/old.txt" | publish deelnemers all
check "a round with generation 10 re-made" relay_refresh t73
relay_get /lists/deelnemers
check_eq "generation 10 with another count: still 503" 503 "$HTTP_CODE"
check_grep "says why" 'generation 10 again, but with count 10' "$BODY"

publish deelnemers all raw <"$T/gen10.asc"
check "a round with the genuine generation 10" relay_refresh t73
relay_get /lists/deelnemers
check_eq "generation 10 served again" "$(cat "$T/new.txt")" "$(members_of "$BODY")"

relay_stop t73

# The state file cannot be written (a read-only file system): a newer
# generation is not served, since after a restart the relay would no
# longer know it and would take generation 10 again; --once exits 5.
if mkdir -p "$T/rostate" && mount -t tmpfs -o size=1m tmpfs "$T/rostate" 2>/dev/null; then
	cp "$RSTATE/relay.state" "$T/rostate/"
	RSTATE=$T/rostate relay_conf "$FEED_URL" >"$T/ro.conf"
	relay_start t73ro "$T/ro.conf" || bail_out "relay on the tmpfs"
	mount -o remount,ro "$T/rostate"
	members 14 >"$T/newer.txt"
	sympa_text deelnemers all 11 <"$T/newer.txt" | publish deelnemers all
	check "read-only state: a round with generation 11" relay_refresh t73ro
	relay_get /lists/deelnemers
	check_eq "read-only state: generation 10 still served" "$(cat "$T/new.txt")" "$(members_of "$BODY")"
	relay_get /-/status
	check_eq "read-only state: status says why" true "$(jq '.sources[0] | .generation == 10 and
		(.last_error // "" | test("generation 11 accepted, but the state file .* could not be written"))' "$BODY")"
	check_exit "read-only state: --once exits 5" 5 "$RELAY" -c "$T/ro.conf" --once
	check_grep "read-only state: --once says why" '^deelnemers all: not recorded: generation 11 accepted, but the state file' "$LAST_OUT"
	mount -o remount,rw "$T/rostate"
	check "writable again: a round" relay_refresh t73ro
	relay_get /lists/deelnemers
	check_eq "writable again: generation 11 served" "$(cat "$T/newer.txt")" "$(members_of "$BODY")"
	check_grep "writable again: recorded" '^deelnemers all 11 14 ' "$T/rostate/relay.state"
	relay_stop t73ro
	umount "$T/rostate"
else
	skip "read-only state" "cannot mount a tmpfs here"
fi

# A broken state file: the relay refuses to start rather than forget.
printf 'garbage\n' >"$RSTATE/relay.state"
check_exit "a corrupt state file: --once exits 1" 1 "$RELAY" -c "$RCONF" --once
check_grep "and says where" 'relay.state: line 1' "$LAST_ERR"
done_testing
