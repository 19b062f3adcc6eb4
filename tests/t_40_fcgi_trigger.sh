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

# A stand-in generator: receives the datagram, then publishes generation 2
# (deelnemers changed) and run.json, atomically, as listfeed-gen would.
# Mode "silent" receives and never finishes a run.
cat >"$T/fakegen.py" <<'EOF'
import json, os, socket, sys, time
sock_path, feed, mode = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sock_path)
def put(name, obj):
    tmp = os.path.join(feed, ".tmp-" + name)
    with open(tmp, "w") as f:
        json.dump(obj, f)
    os.rename(tmp, os.path.join(feed, name))
while True:
    msg = s.recv(256).decode()
    with open(os.path.join(feed, "..", "trigger.log"), "a") as f:
        f.write(msg)
    if mode == "silent":
        continue
    started = int(time.time() * 1000)
    time.sleep(0.2)
    with open(os.path.join(feed, "manifest.json")) as f:
        m = json.load(f)
    m["generation"] += 1
    m["lists"]["deelnemers"].update(changed=m["generation"], added=4, removed=1)
    put("manifest.json", m)
    put("run.json", {"started_ms": started, "finished_ms": int(time.time() * 1000),
                     "exit": 3 if mode == "held" else 0,
                     "result": "held" if mode == "held" else "ok",
                     "message": "", "generation": m["generation"]})
EOF
bg_start t40-fakegen python3 "$T/fakegen.py" "$TRIG" "$F" ok
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
bg_start t40-fakegen python3 "$T/fakegen.py" "$TRIG" "$F" silent
wait_until 5 test -S "$TRIG" || not_ok "fake generator socket (silent)"
check_eq "wait with no finished run: 504" 504 "$(req crm '/-/regenerate?wait=1' -X POST)"
check_eq "  JSON error" '{"error":"timeout"}' "$(cat "$T/body")"
bg_stop t40-fakegen
rm -f "$TRIG"

done_testing
