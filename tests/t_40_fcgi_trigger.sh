#!/bin/bash
# listfeed.fcgi behind nginx: POST /-/regenerate against a stand-in
# generator. Who may trigger, the datagram sent, 202 without wait, the
# change report with wait, 503 with no generator, 504 on timeout.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$TOP/tests/lib/fcgi.sh"

fcgi_site_own t40-trigger || bail_out "listfeed.fcgi behind nginx did not start"

check_eq "sympa (trigger = no): regenerate 403" 403 "$(req sympa /-/regenerate -X POST)"
check_eq "crm: no generator listening: 503" 503 "$(req crm /-/regenerate -X POST)"
check_eq "  reason" "generator not running" "$(cat "$T/body")"
check_eq "crm: bad wait: 400" 400 "$(req crm '/-/regenerate?wait=61' -X POST)"
check_eq "crm: bad list: 400" 400 "$(req crm '/-/regenerate?list=../x' -X POST)"

# A stand-in generator (tests/tools/feedtool.py): receives the datagram,
# then publishes generation 2 (deelnemers changed) and run.json, as
# listfeed-gen would.  Mode "silent" receives and never finishes a run.
CHANGES='{"deelnemers": {"added": 4, "removed": 1}}'
bg_start t40-fakegen python3 "$TOP/tests/tools/feedtool.py" gen "$TRIG" "$F" ok "$CHANGES"
wait_until 5 test -S "$TRIG" || not_ok "fake generator socket"

check_eq "crm: regenerate without wait: 202" 202 "$(req crm /-/regenerate -X POST)"
check "202: JSON accepted/after_ms" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["accepted"] is True and d["after_ms"] > 0, d' "$T/body"
wait_until 5 grep -qx regenerate "$T/trigger.log"
check_grep "generator got \"regenerate\"" '^regenerate$' "$T/trigger.log"
sleep 0.5
check_eq "crm: regenerate?list=deelnemers&wait=10: 200" 200 \
    "$(req crm '/-/regenerate?list=deelnemers&wait=10' -X POST -d 'ignored body')"
check_grep "generator got \"regenerate deelnemers\"" '^regenerate deelnemers$' "$T/trigger.log"
check "wait: change report" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["generation"] == 3, d
assert d["result"] == "ok" and d["exit"] == 0, d
assert d["updates"] == 5, d
assert d["lists"] == {"deelnemers": {"count": 3, "added": 4, "removed": 1}}, d' "$T/body"
check_eq "status follows the new manifest" 3 \
    "$(req crm /-/status >/dev/null; python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["generation"])' "$T/body")"
check_eq "crm: regenerate of an unknown-to-it list is still allowed (lists = *)" 202 \
    "$(req crm '/-/regenerate?list=other' -X POST)"
bg_stop t40-fakegen
rm -f "$TRIG"
bg_start t40-fakegen python3 "$TOP/tests/tools/feedtool.py" gen "$TRIG" "$F" silent "$CHANGES"
wait_until 5 test -S "$TRIG" || not_ok "fake generator socket (silent)"
check_eq "wait with no finished run: 504" 504 "$(req crm '/-/regenerate?wait=1' -X POST)"
check_eq "  JSON error" '{"error":"timeout"}' "$(cat "$T/body")"
bg_stop t40-fakegen
rm -f "$TRIG"

done_testing
