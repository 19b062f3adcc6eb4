#!/usr/bin/env bash
# make demo DEMO_ONESHOT=1 is a test too: every step must pass.
# tests/run: alongside the others (each demo makes a world of its own).
set -u
. "$(dirname "$0")/lib/common.sh"
require_exec "$GEN" "$FCGI"

# The demo makes and removes a world of its own.
check "demo runs every step and exits 0" \
	env -u LF_WORLD DEMO_ONESHOT=1 bash "$TOP/tests/demo.sh" "$BUILD"
cp "$LAST_OUT" "$T/demo.out"
check_grep "Sympa's fetch parsed into members" 'parsed as [1-9][0-9]* members' "$T/demo.out"
check_grep "Sympa read the relay's verified copy" 'deelnemers.reception=digest: HTTP 200, [1-9][0-9]* members' "$T/demo.out"
check_grep "through the relay: mail + digest = the whole list" 'ok: mail \+ digest = the whole list' "$T/demo.out"
check_grep "the admin decrypted the CSV" 'decrypted: [1-9][0-9]* members' "$T/demo.out"
check_grep "the CRM got a change report" 'generation [0-9]+: 1 updates; spacelog' "$T/demo.out"
check_grep "no certificate: 403" 'HTTP 403' "$T/demo.out"
check_grep "all steps passed" '^All steps passed\.$' "$T/demo.out"
check_no_grep "no step failed" 'FAILED' "$T/demo.out"

# Without DEMO_ONESHOT it stays up until Ctrl-C (or SIGTERM), then stops
# everything it started.
setsid env -u LF_WORLD bash "$TOP/tests/demo.sh" "$BUILD" >"$T/live.out" 2>&1 </dev/null &
demo=$!
check "interactive demo comes up" wait_until 120 grep -q 'Running until Ctrl-C' "$T/live.out"
url=$(grep -o 'https://localhost:[0-9]*/' "$T/live.out" | head -n 1)
world=$(grep -o '/tmp/lf\.[A-Za-z0-9]*' "$T/live.out" | head -n 1)
sleep 2
check "it still serves after its steps" curl -sf -o /dev/null --cacert "$world/pki/ca.pem" \
	--cert "$world/pki/client-admin.pem" --key "$world/pki/client-admin.key" "$url"
# A background job ignores SIGINT (POSIX): TERM takes the same way out.
kill -TERM "$demo"
check "stopping it stops everything" wait_until 30 sh -c "! kill -0 $demo 2>/dev/null"
check "and removes its directory" test ! -e "$world"

done_testing
