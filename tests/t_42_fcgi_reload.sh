#!/bin/bash
# A configuration reload that fails keeps the running configuration, ACL
# included: an operator who removes a client and makes a typo in the same
# edit must learn it from /-/status, /-/metrics, the log (error level,
# also in the journal) and listfeed.fcgi -n.
set -u
. "$(dirname "$0")/lib/common.sh"

need_fcgi_nginx

F=$T/feed
CONF=$T/listfeed.conf
mkdir -p "$F/src/lists"
printf -- '-----BEGIN PGP MESSAGE-----\n\nhF4D\n-----END PGP MESSAGE-----\n' >"$F/src/lists/bestuur.csv.asc"
cat >"$T/summary.json" <<EOF
{"version": 1, "generation": 1, "generated_ms": $(($(date +%s) * 1000)),
 "result": "ok", "held": [], "rejects": {},
 "lists": {"bestuur": {"count": 2, "reception": {"mail": 2, "digest": 0},
    "added": 2, "removed": 0, "changed": 1, "keys": "k",
    "files": {"csv": {"path": "lists/bestuur.csv.asc", "sha256": "00"}}}}}
EOF
python3 "$TOP/tests/tools/feedtool.py" publish "$F" "$T/summary.json" || bail_out "feedtool publish"

# write_conf [EXTRA...]: sympa, and the admin unless "noadmin"; every
# further argument is a line of its own at the end.
write_conf() {
	{
		printf '[feed]\ndir = %s\ntemplates = %s\n\n' "$F" "$TOP/templates"
		client_conf sympa bestuur
		if [ "${1:-}" != noadmin ]; then
			client_conf admin bestuur
		fi
		[ $# -gt 0 ] && shift
		[ $# -gt 0 ] && printf '%s\n' "$@"
	} >"$CONF.tmp"
	mv "$CONF.tmp" "$CONF"
}
write_conf

# The log as systemd's journal would take it: JOURNAL_STREAM names stderr.
LOG=$W/log/fcgi-t42.log
: >"$LOG"
JOURNAL_STREAM=$(stat -c '%d:%i' "$LOG") site_start t42 "$CONF" "$F" ||
    bail_out "listfeed.fcgi or nginx did not start"
req() { site_req "$@"; }
# status_config CLIENT: the "config" object of /-/status as one line.
status_config() {
	req "$1" /-/status >/dev/null
	python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])).get("config"), sort_keys=True))' "$T/body"
}

check_eq "admin fetches before the edit" 200 "$(req admin /lists/bestuur.csv.asc)"
check "status: the configuration in force, reload ok" python3 -c '
import json, sys
c = json.loads(sys.argv[1])
assert c["reload"] == "ok" and c["loaded_ms"] > 0 and c["loaded_at"].endswith("Z"), c
assert "failed_since" not in c, c' "$(status_config sympa)"
req sympa /-/metrics >/dev/null
check_grep "metrics: last reload successful" '^listfeed_config_last_reload_successful 1$' "$T/body"
check_grep "metrics: no failure" '^listfeed_config_reload_failed_since_timestamp_seconds 0\.000$' "$T/body"

# The edit: the admin's certificate is removed, and a typo comes with it.
write_conf noadmin '[client crm]' 'fingerprnt = 00'
typo_line=$(grep -n '^fingerprnt' "$CONF" | cut -d: -f1)
before=$(date +%s)
check_eq "the removed client still fetches (the old ACL is kept)" 200 \
    "$(req admin /lists/bestuur.csv.asc)"
cfg=$(status_config sympa)
check "status: reload failed, since when, and what is in force" python3 -c '
import json, sys
c = json.loads(sys.argv[1])
assert c["reload"] == "failed", c
assert c["failed_since_ms"] >= (int(sys.argv[2]) - 1) * 1000, c
assert c["failed_since"].endswith("Z") and c["loaded_at"].endswith("Z"), c
assert "in force" in c["message"] and "listfeed.fcgi -n" in c["message"], c
assert "fingerprnt" not in json.dumps(c), "the error itself is for the operator"
' "$cfg" "$before"
req sympa /-/metrics >/dev/null
check_grep "metrics: last reload failed" '^listfeed_config_last_reload_successful 0$' "$T/body"
since=$(sed -n 's/^listfeed_config_reload_failed_since_timestamp_seconds \([0-9]*\)\..*/\1/p' "$T/body")
check "metrics: failing since the edit" test "${since:-0}" -ge $((before - 1))
check_grep "log: the error with file:line, at error level" \
    "^<3>listfeed.fcgi: $CONF:$typo_line: .*fingerprnt" "$LOG"
check_grep "log: what it means, at error level" \
    "^<3>listfeed.fcgi: $CONF: reload failed \(since .*\): the configuration loaded at .* stays in force" "$LOG"
check_grep "log: a request line is at info level" '^<6>listfeed.fcgi: request ' "$LOG"
check_exit "-n: exit 1" 1 "$FCGI" -n -c "$CONF"
check_grep "-n: the error with file:line" "$CONF:$typo_line: unknown key \"fingerprnt\"" "$LAST_ERR"
check_grep "-n: what a running responder does meanwhile" \
    "a running listfeed.fcgi keeps the configuration it has" "$LAST_ERR"

# A second bad edit: still failing since the first.
sleep 1.1
write_conf noadmin '[client crm]' 'lists = bad/name'
cfg2=$(status_config sympa)
check_eq "a second bad version: failing since the first" \
    "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["failed_since_ms"])' "$cfg")" \
    "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["failed_since_ms"])' "$cfg2")"

# Fixed: the new ACL applies and the failure is over.
write_conf noadmin
check_eq "fixed: the removed client is refused" 403 "$(req admin /lists/bestuur.csv.asc)"
check "status: reload ok again" python3 -c '
import json, sys
c = json.loads(sys.argv[1])
assert c["reload"] == "ok" and "failed_since" not in c, c' "$(status_config sympa)"
req sympa /-/metrics >/dev/null
check_grep "metrics: successful again" '^listfeed_config_last_reload_successful 1$' "$T/body"

# Moving the file in force back (same inode and time) ends a failure too.
cp -p "$CONF" "$T/good.conf"
mv "$CONF" "$T/inforce.conf"
write_conf noadmin 'bad line without equals'
check_eq "a bad version again" '"failed"' \
    "$(status_config sympa | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["reload"]))')"
mv "$T/inforce.conf" "$CONF"
check_eq "the file in force moved back: ok" '"ok"' \
    "$(status_config sympa | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["reload"]))')"

fcgi_stop t42
nginx_stop t42
done_testing
