#!/bin/bash
# POST /-/regenerate through a real nginx: what a client with
# trigger = yes and no lists may name and learn (every list's name and
# change counts, never a member), and how many waits may run at once
# (past the bound: 429) while Sympa keeps fetching from a generator that
# never finishes a run.
set -u
. "$(dirname "$0")/lib/common.sh"

need_fcgi_nginx

F=$T/feed
CONF=$T/listfeed.conf
TRIG=$T/trigger.sock
THREADS=4

# ------------------------------------------------------------ the feed
# Made in $F/src, published by tests/tools/feedtool.py.
mkdir -p "$F/src/lists" "$F/src/plain/mail" "$F/src/plain/digest"
printf 'alice@example.org\tAlice\nbob@example.org\tBob\n' >"$F/src/plain/deelnemers.sympa"
printf 'alice@example.org\tAlice\n' >"$F/src/plain/mail/deelnemers.sympa"
printf 'bob@example.org\tBob\n' >"$F/src/plain/digest/deelnemers.sympa"
for n in deelnemers.csv bestuur.csv; do
	printf -- '-----BEGIN PGP MESSAGE-----\n\nhF4D\n-----END PGP MESSAGE-----\n' >"$F/src/lists/$n.asc"
done
NOW_MS=$(($(date +%s) * 1000))
cat >"$T/summary.json" <<EOF
{"version": 1, "generation": 1,
 "started_at": "2026-11-25T20:00:00Z", "started_ms": $NOW_MS,
 "generated_at": "2026-11-25T20:00:01Z", "generated_ms": $((NOW_MS + 1000)),
 "result": "ok", "held": [], "rejects": {},
 "lists": {
  "bestuur": {"count": 2, "reception": {"mail": 2, "digest": 0},
    "added": 2, "removed": 0, "changed": 1, "changed_at": "2026-11-25T20:00:01Z",
    "keys": "k", "files": {"csv": {"path": "lists/bestuur.csv.asc", "sha256": "00"}}},
  "deelnemers": {"count": 2, "reception": {"mail": 1, "digest": 1},
    "added": 2, "removed": 0, "changed": 1, "changed_at": "2026-11-25T20:00:01Z",
    "keys": "k",
    "files": {"plain": {"path": "plain/deelnemers.sympa", "sha256": "00"},
              "plain-mail": {"path": "plain/mail/deelnemers.sympa", "sha256": "00"},
              "plain-digest": {"path": "plain/digest/deelnemers.sympa", "sha256": "00"},
              "csv": {"path": "lists/deelnemers.csv.asc", "sha256": "00"}}}}}
EOF
python3 "$TOP/tests/tools/feedtool.py" publish "$F" "$T/summary.json" || bail_out "feedtool publish"

cat >"$CONF" <<EOF
[feed]
dir = $F
trigger_socket = $TRIG
templates = $TOP/templates

[fcgi]
threads = $THREADS

$(client_conf sympa deelnemers plain)

[client crm]
fingerprint = $(pki_fingerprint "$W/pki/client-crm.pem")
trigger = yes
EOF
check "-n accepts a trigger client without lists" "$FCGI" -n -c "$CONF"

# The shipped site as it is, limit_req included.
site_start t41 "$CONF" "$F" || bail_out "listfeed.fcgi or nginx did not start"
req() { site_req "$@"; }

# A stand-in generator (tests/tools/feedtool.py): each datagram publishes
# a generation in which both lists changed.  Mode "deaf" binds the socket
# and never reads it.
CHANGES='{"deelnemers": {"added": 3, "removed": 1, "count": 4}, "bestuur": {"added": 0, "removed": 1, "count": 1}}'

# ------------------------------------------------------------ trigger = yes, no lists
bg_start t41-gen python3 "$TOP/tests/tools/feedtool.py" gen "$TRIG" "$F" ok "$CHANGES"
wait_until 5 test -S "$TRIG" || not_ok "fake generator socket"
check_eq "sympa (trigger = no): 403" 403 "$(req sympa /-/regenerate -X POST)"
check_eq "crm may name a list outside its lists: 200" 200 \
    "$(req crm '/-/regenerate?list=bestuur&wait=10' -X POST)"
check "  the report names that list with its counts" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["lists"] == {"bestuur": {"count": 1, "added": 0, "removed": 1}}, d
assert d["updates"] == 1, d' "$T/body"
check_eq "crm: a whole run: 200" 200 "$(req crm '/-/regenerate?wait=10' -X POST)"
check "  the report has every changed list and the sum of changes" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["lists"] == {"bestuur": {"count": 1, "added": 0, "removed": 1},
    "deelnemers": {"count": 4, "added": 3, "removed": 1}}, d
assert d["updates"] == 5, d' "$T/body"
check_no_grep "  and no member" '@' "$T/body"
check_eq "crm may still not fetch a list: 404" 404 "$(req crm /lists/bestuur.csv.asc)"
bg_stop t41-gen
rm -f "$TRIG"

# ------------------------------------------------------------ bounded waits
# A generator that never finishes a run: every wait lasts its 60 s.
bg_start t41-gen python3 "$TOP/tests/tools/feedtool.py" gen "$TRIG" "$F" deaf "$CHANGES"
wait_until 5 test -S "$TRIG" || not_ok "deaf generator socket"
NWAIT=$((THREADS + 2))
for i in $(seq 1 "$NWAIT"); do
	pki_curl crm -m 90 -o "$T/wait.$i.body" -D "$T/wait.$i.hdr" -w '%{http_code}\n' \
	    -X POST "$URL/-/regenerate?wait=60" >"$T/wait.$i.code" 2>/dev/null &
	echo $! >>"$T/wait.pids"
done
# Those past the bound are answered at once.
answered() {
	local n=0 i
	for i in $(seq 1 "$NWAIT"); do
		[ -s "$T/wait.$i.code" ] && n=$((n + 1))
	done
	echo "$n"
}
wait_until 10 test "$(answered)" -ge $((NWAIT - 1))
sleep 0.5
c429=$(cat "$T"/wait.*.code | grep -c '^429$')
check_eq "all waits but one answered 429 at once ($THREADS threads)" $((NWAIT - 1)) "$c429"
for i in $(seq 1 "$NWAIT"); do
	[ "$(cat "$T/wait.$i.code")" = 429 ] || continue
	check "  429 is JSON from the responder, with Retry-After" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["error"] == "too many waiting triggers", d
assert any(l.lower().startswith("retry-after:") for l in open(sys.argv[2])), "Retry-After"
' "$T/wait.$i.body" "$T/wait.$i.hdr"
	break
done

# Sympa fetches meanwhile: every one completes (generous bound, not a
# timing), within limit_req's burst for one certificate.
for i in 1 2 3 4; do
	for r in '' '?reception=mail' '?reception=digest'; do
		code=$(pki_curl sympa -m 10 -A 'Sympa/6.2.70' -o "$T/fetch" -w '%{http_code}\n' \
		    "$URL/lists/deelnemers$r" 2>/dev/null)
		echo "$code $r" >>"$T/fetches"
	done
done
check_eq "12 Sympa fetches while a trigger waits: all 200" 12 "$(grep -c '^200 ' "$T/fetches")"
check_eq "  the last one whole" "$(cat "$F/plain/digest/deelnemers.sympa")" "$(cat "$T/fetch")"
check_eq "the one wait within the bound still waits" $((NWAIT - 1)) "$(answered)"
check_eq "metrics while it waits: 200" 200 "$(req sympa /-/metrics)"
check_grep "metrics: waiting triggers" '^listfeed_trigger_waiting 1$' "$T/body"
check_grep "metrics: their bound" '^listfeed_trigger_waiting_max 1$' "$T/body"
check_grep "metrics: 429 counted" '^listfeed_requests_total\{code="429"\} [1-9][0-9]*$' "$T/body"

# Stopping ends the wait in progress (503), not after its 60 s.
fcgi_stop t41
while read -r p; do
	wait "$p" 2>/dev/null
done <"$T/wait.pids"
check_eq "the wait ended when the responder stopped" 0 "$(cat "$T"/wait.*.code | grep -c '^$')"
bg_stop t41-gen
nginx_stop t41
done_testing
