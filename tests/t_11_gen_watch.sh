#!/usr/bin/env bash
# listfeed-gen --watch: triggers over the Unix datagram socket, coalescing,
# malformed messages, --check-config, SIGTERM.
set -u
. "$(dirname "$0")/lib/common.sh"
require_exec "$GEN"
command -v python3 >/dev/null || skip_all "python3 needed to send datagrams"

gen_world watch

CONF=$T/listfeed.conf
FEED=$T/feed
SOCK=$T/trigger.sock
# A GnuPG home of its own: the test extends its signing key.
GH=$T/gnupg
gpg_home_copy "$W/gnupg" "$GH" || bail_out "gpg_home_copy"
{
	base_conf watch "$FEED" "$SOCK"
	client_conf sympa spacelog plain
} | sed "s#^home = .*#home = $GH#" >"$CONF"

send() {	# send MESSAGE...: one datagram each
	python3 - "$SOCK" "$@" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for m in sys.argv[2:]:
    s.sendto(m.encode(), sys.argv[1])
PY
}
generation() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["generation"])' "$FEED/manifest.json" 2>/dev/null || echo 0
}
finished() {	# the last run has ended and is generation N or later
	python3 - "$FEED/run.json" "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if r["finished_ms"] and r["generation"] >= int(sys.argv[2]) else 1)
PY
}

check_exit "--check-config passes on a good configuration" 0 "$GEN" -c "$CONF" --check-config
check_grep "--check-config says so" 'configuration ok' "$LAST_OUT"
sed "s/^recipients = .*/recipients = 0123456789ABCDEF0123456789ABCDEF01234567/" "$CONF" >"$T/badkey.conf"
check_exit "--check-config: unknown recipient key, exit 4" 4 "$GEN" -c "$T/badkey.conf" --check-config
check_grep "--check-config names the key" '0123456789ABCDEF0123456789ABCDEF01234567' "$LAST_ERR"
sed "s/^sign_key = .*/sign_key = 0123456789ABCDEF0123456789ABCDEF01234567/" "$CONF" >"$T/badsign.conf"
check_exit "unknown signing key: exit 4" 4 "$GEN" -c "$T/badsign.conf" --check-config
check_exit "--watch with --dry-run is a usage error" 1 "$GEN" -c "$CONF" --watch --dry-run

bg_start gen-watch "$GEN" -c "$CONF" --watch
check "watch: first generation at start" wait_until 30 finished 1
check "watch: trigger socket exists" test -S "$SOCK"
check_eq "watch: trigger socket mode 0660" "660" "$(stat -c %a "$SOCK")"
g=$(generation)

send "regenerate"
check "a trigger starts a generation" wait_until 20 finished $((g + 1))
g=$(generation)

# A list change then a trigger naming the list: only that list is read.
db_sql watch "UPDATE members_user SET first_name = 'Trigger' WHERE email = 'femke@example.org'"
send "regenerate spacelog"
check "a named trigger regenerates" wait_until 20 finished $((g + 1))
check_grep "spacelog carries the new name" 'Trigger Hoogendoorn' "$FEED/plain/spacelog.sympa"
g=$(generation)

# The signing key extended while watching: the keyrings changed, so the
# next generation that signs lists the key again, and run.json has its
# new expiry without a restart.
before=$(gpg_expiry "$GH" "$FEED_FPR")
gpg --homedir "$GH" --batch --quick-set-expire "$FEED_FPR" 2y 2>/dev/null
check "the signing key extended" test "$(gpg_expiry "$GH" "$FEED_FPR")" -gt "$before"
db_sql watch "UPDATE members_user SET first_name = 'Extended' WHERE email = 'femke@example.org'"
send "regenerate spacelog"
check "a generation after the key was extended" wait_until 20 finished $((g + 1))
check_eq "run.json: the extended key's expiry" "$(gpg_expiry "$GH" "$FEED_FPR")" \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("sign_key_expires"))' "$FEED/run.json")"
g=$(generation)

# One database connection across generations; killed, it is made again.
conns() {	# the ids of the generator's connections, one a line
	db_sql watch "SELECT id FROM information_schema.processlist WHERE user = 'listfeed'"
}
c1=$(conns)
check_eq "watch: one database connection between generations" 1 "$(printf '%s\n' "$c1" | grep -c .)"
for l in spacelog deelnemers; do
	send "regenerate $l"
	check "a trigger for $l regenerates" wait_until 20 finished $((g + 1))
	g=$(generation)
done
check_eq "watch: the same connection after two triggers" "$c1" "$(conns)"
db_sql watch "KILL CONNECTION $c1"
db_sql watch "UPDATE members_user SET first_name = 'Killed' WHERE email = 'femke@example.org'"
send "regenerate spacelog"
check "after the connection was killed: a generation" wait_until 20 finished $((g + 1))
check_grep "after the connection was killed: it ended well" '"result": "ok"' "$FEED/run.json"
check_grep "after the connection was killed: the change is published" 'Killed Hoogendoorn' \
	"$FEED/plain/spacelog.sympa"
check_grep "the lost connection is logged" 'connection no longer answers' "$W/log/gen-watch.log"
c2=$(conns)
check "watch: a new connection, and only one" test "$c2" != "$c1" -a \
	"$(printf '%s\n' "$c2" | grep -c .)" = 1
g=$(generation)

# The helper that starts gpg killed: the next generation starts another.
helper=$(pgrep -P "$(bg_pid gen-watch)" -x listfeed-gen | head -n 1)
check "watch: one helper process" test -n "$helper"
kill -KILL "$helper" 2>/dev/null
db_sql watch "UPDATE members_user SET first_name = 'Helper' WHERE email = 'femke@example.org'"
send "regenerate spacelog"
check "after the helper was killed: a generation" wait_until 20 finished $((g + 1))
check_grep "after the helper was killed: it ended well" '"result": "ok"' "$FEED/run.json"
check_grep "after the helper was killed: the change is published" 'Helper Hoogendoorn' \
	"$FEED/plain/spacelog.sympa"
check_grep "the helper's end is logged" "helper process $helper: killed by signal 9" \
	"$W/log/gen-watch.log"
check "a new helper runs" test -n "$(pgrep -P "$(bg_pid gen-watch)" -x listfeed-gen)"
g=$(generation)

# A storm of 1000 triggers coalesces into a few generations.
msgs=()
for i in $(seq 1 1000); do msgs+=("regenerate"); done
send "${msgs[@]}"
sleep 3.5
wait_until 20 finished "$((g + 1))" >/dev/null
n=$(( $(generation) - g ))
check "1000 triggers: at least one generation" test "$n" -ge 1
check "1000 triggers: coalesced into at most 4 generations" test "$n" -le 4
g=$(generation)

send "regenerate ../etc" "bogus" "regenerate UPPER" "$(printf 'regenerate x\ny')"
sleep 1.5
check_eq "malformed triggers start nothing" "$g" "$(generation)"
check_grep "malformed triggers are logged" 'malformed' "$W/log/gen-watch.log"
check "still running after junk" bg_alive gen-watch

kill -TERM "$(bg_pid gen-watch)"
check "SIGTERM stops the watcher" wait_until 15 sh -c "! kill -0 $(bg_pid gen-watch) 2>/dev/null"
check "the trigger socket is removed" test ! -e "$SOCK"
check_no_grep "no sanitizer report" 'Sanitizer|runtime error' "$W/log/gen-watch.log"

# A server whose autocommit is off: the kept connection's first read must
# not open a transaction that every later read stays in (its snapshot).
db_admin watch -e "SET GLOBAL autocommit = 0"
g=$(generation)
bg_start gen-noac "$GEN" -c "$CONF" --watch
check "autocommit off: first generation" wait_until 30 finished $((g + 1))
g=$(generation)
db_sql watch "UPDATE members_user SET first_name = 'Snapshot' WHERE email = 'femke@example.org'; COMMIT"
wait_until 10 test -S "$SOCK" >/dev/null
send "regenerate spacelog"
check "autocommit off: a triggered generation" wait_until 20 finished $((g + 1))
check_grep "autocommit off: the committed change is published" 'Snapshot Hoogendoorn' \
	"$FEED/plain/spacelog.sympa"
bg_stop gen-noac
db_admin watch -e "SET GLOBAL autocommit = 1"

done_testing
