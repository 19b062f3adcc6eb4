#!/usr/bin/env bash
# listfeed-relay's guard (guard.h), per source against the last accepted
# count: a shrink past max_shrink and min_shrink, or an emptied list, is
# held (--once exits 3) and the last good members stay served; small
# changes pass; --once --force LIST accepts a held list.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/relay.sh"
require_exec "$RELAY"
relay_world t75 || bail_out "feed server"

members 40 >"$T/40.txt"
publish_all 2 "$T/40.txt" || bail_out "publish"
relay_start t75 || bail_out "relay"
check "first round" wait_until 20 grep -q 'round done: 0' "$W/log/relay-t75.log"

head -n 20 "$T/40.txt" | sympa_text deelnemers all 3 | publish deelnemers all
check "a round with 40 -> 20" relay_refresh t75
relay_get /lists/deelnemers
check_eq "held: the 40 members stay" "$(cat "$T/40.txt")" "$(members_of "$BODY")"
check_grep "held: logged" 'deelnemers all: held by the guard: would shrink from 40 to 20' "$W/log/relay-t75.log"
check_exit "held: --once exits 3" 3 "$RELAY" -c "$RCONF" --once
check_grep "held: --once says so" '^deelnemers all: held by the guard' "$LAST_OUT"

sympa_text deelnemers all 4 </dev/null | publish deelnemers all
check "a round with the list emptied" relay_refresh t75
relay_get /lists/deelnemers
check_eq "emptied: the 40 members stay" "$(cat "$T/40.txt")" "$(members_of "$BODY")"
check_exit "emptied: --once exits 3" 3 "$RELAY" -c "$RCONF" --once
check_grep "emptied: says so" '^deelnemers all: held by the guard: would be emptied \(was 40\)' "$LAST_OUT"

head -n 35 "$T/40.txt" | sympa_text deelnemers all 5 | publish deelnemers all
check "a round with 40 -> 35" relay_refresh t75
relay_get /lists/deelnemers
check_eq "a small change passes" "$(head -n 35 "$T/40.txt")" "$(members_of "$BODY")"

head -n 10 "$T/40.txt" | sympa_text deelnemers all 6 | publish deelnemers all
check_exit "35 -> 10: held" 3 "$RELAY" -c "$RCONF" --once
check_exit "--force is only for --once" 1 "$RELAY" -c "$RCONF" --force deelnemers
check_exit "--force an unknown list" 1 "$RELAY" -c "$RCONF" --once --force nosuch
check_exit "--once --force deelnemers accepts it" 0 "$RELAY" -c "$RCONF" --once --force deelnemers
check_grep "the state has the new count" '^deelnemers all 6 10 ' "$RSTATE/relay.state"
# The daemon ran meanwhile: its next round reads the state file again,
# so it neither writes the old count back nor holds the forced list.
members 41 | sympa_text spacelog all 3 | publish spacelog all
check "a round of the daemon after --once --force" relay_refresh t75
check_grep "the daemon recorded spacelog" '^spacelog all 3 41 ' "$RSTATE/relay.state"
check_grep "and kept the forced count" '^deelnemers all 6 10 ' "$RSTATE/relay.state"
relay_get /lists/deelnemers
check_eq "the daemon serves the forced list at once" "$(head -n 10 "$T/40.txt")" "$(members_of "$BODY")"
relay_stop t75
relay_start t75 || bail_out "relay restart"
check "a round after the restart" wait_until 20 grep -q 'round done: 0' "$W/log/relay-t75.log"
relay_get /lists/deelnemers
check_eq "after the restart the forced list is served" "$(head -n 10 "$T/40.txt")" "$(members_of "$BODY")"

# No state (first install, a new list, a state file removed): an empty
# whole list is held, never served as a 200 that empties Sympa's list.
relay_stop t75
rm -f "$RSTATE/relay.state"
sympa_text deelnemers all 7 </dev/null | publish deelnemers all
check_exit "no state, an empty list: --once holds it" 3 "$RELAY" -c "$RCONF" --once
check_grep "  and says why" '^deelnemers all: held by the guard: empty, with no earlier copy' "$LAST_OUT"
relay_start t75 || bail_out "relay restart"
check "a round with no state" wait_until 20 grep -q 'round done' "$W/log/relay-t75.log"
relay_get /lists/deelnemers
check_eq "  Sympa gets a 503, never an empty 200" 503 "$HTTP_CODE"
relay_stop t75
check_exit "--once --force serves it" 0 "$RELAY" -c "$RCONF" --once --force deelnemers
done_testing
