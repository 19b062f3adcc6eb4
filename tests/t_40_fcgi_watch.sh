#!/bin/bash
# listfeed.fcgi behind nginx: what it keeps between requests instead of
# looking paths up (cgi/fswatch.h, cgi/entcache.h) is never older than a
# lookup made at the request: a list's link switched is seen by the next
# request, also after the inotify queue overflowed; a list removed is 404;
# a configuration edited in place or replaced is reloaded; a file of the
# live version truncated after its size was learnt is 503, never a 200;
# FEED/l replaced by another directory is watched in its turn;
# and an entry is kept per feed: after [feed] dir names another feed, a
# list of the same name and version there is served from its own entry.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$TOP/tests/lib/fcgi.sh"

fcgi_site_own t40-watch || bail_out "listfeed.fcgi behind nginx did not start"
grep -q 'inotify' "$LOG" && diag "$(grep inotify "$LOG")"

# replace_src REL TEXT: a new file for the next version; the live
# version holds the old one by a hard link (never written in place).
replace_src() {
	printf '%b' "$2" >"$F/src/$1.new" && chmod 0640 "$F/src/$1.new" &&
		mv "$F/src/$1.new" "$F/src/$1"
}

check_eq "deelnemers, version 1" 200 "$(req sympa /lists/deelnemers)"
check_grep "  its file" '^bob@example.org' "$T/body"
replace_src plain/deelnemers.sympa 'dave@example.org\tDave\nerin@example.org\nfrank@example.org\n'
fcgi_manifest "$F" 2 2
check_eq "l/deelnemers switched: the next request" 200 "$(req sympa /lists/deelnemers)"
check_grep "  has version 2's file" '^dave@example.org' "$T/body"

# A file learnt (served once), then truncated in place.
check_eq "mail file served" 200 "$(req sympa '/lists/deelnemers?reception=mail')"
cp "$F/l/deelnemers/plain/mail/deelnemers.sympa" "$T/mail.keep"
: >"$F/l/deelnemers/plain/mail/deelnemers.sympa"
check_eq "then truncated in place: 503, never a 200" 503 \
    "$(req sympa '/lists/deelnemers?reception=mail')"
cat "$T/mail.keep" >"$F/l/deelnemers/plain/mail/deelnemers.sympa"
check_eq "written back: 200" 200 "$(req sympa '/lists/deelnemers?reception=mail')"

# More events than the queue holds (fs.inotify.max_queued_events), then
# a switch whose own event is lost.
max=$(cat /proc/sys/fs/inotify/max_queued_events 2>/dev/null || echo 16384)
python3 - "$F/l" "$max" <<'EOF'
import os, sys
p = os.path.join(sys.argv[1], ".flood")
for _ in range(int(sys.argv[2]) // 2 + 100):
    os.symlink("x", p)
    os.unlink(p)
EOF
replace_src plain/deelnemers.sympa 'gina@example.org\nhank@example.org\nivy@example.org\n'
fcgi_manifest "$F" 3 3
check_eq "switched after an overflow: the next request" 200 "$(req sympa /lists/deelnemers)"
check_grep "  has version 3's file" '^gina@example.org' "$T/body"
check_grep "  the overflow was seen" 'inotify queue overflowed' "$LOG"

# FEED/l replaced by another directory: its watch is lost, the new one
# is watched.
cp -a "$F/l" "$F/l.new" && mv "$F/l" "$F/l.old" && mv "$F/l.new" "$F/l" && rm -r "$F/l.old"
check_eq "FEED/l replaced: served" 200 "$(req sympa /lists/deelnemers)"
replace_src plain/deelnemers.sympa 'jack@example.org\nkim@example.org\nlee@example.org\n'
fcgi_manifest "$F" 4 4
check_eq "then switched: the next request" 200 "$(req sympa /lists/deelnemers)"
check_grep "  has version 4's file" '^jack@example.org' "$T/body"

check_eq "bestuur served" 200 "$(req admin /lists/bestuur.csv.asc)"
rm "$F/l/bestuur"
check_eq "l/bestuur removed: 404 at the next request" 404 "$(req admin /lists/bestuur.csv.asc)"

# The configuration edited in place (no rename), then replaced.
n=$(grep -c 'configuration reloaded' "$LOG")
fcgi_conf "$T/conf.new" "$F" "$TRIG" bestuur
cat "$T/conf.new" >"$CONF"
req sympa /lists/deelnemers >/dev/null
check_eq "config written in place: reloaded" $((n + 1)) "$(grep -c 'configuration reloaded' "$LOG")"
fcgi_conf "$CONF" "$F" "$TRIG"
req sympa /lists/deelnemers >/dev/null
check_eq "config replaced by rename: reloaded" $((n + 2)) "$(grep -c 'configuration reloaded' "$LOG")"

# Per feed: a request that started under the old configuration (a
# trigger wait) reads the old feed's entries after the reload; the new
# feed's list of the same name and version must not get them.
cp -a "$F" "$T/feed2"
python3 - "$T/feed2/v/deelnemers/4/entry.json" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    e = json.load(f)
del e["files"]["plain"]
with open(sys.argv[1], "w") as f:
    json.dump(e, f)
EOF
bg_start t40-watch-gen python3 "$TOP/tests/tools/feedtool.py" gen "$TRIG" "$F" silent '{}'
wait_until 5 test -S "$TRIG" || not_ok "stand-in generator socket"
pki_curl crm -o "$T/wbody" -w '%{http_code}' -X POST "$URL/-/regenerate?wait=20" \
    >"$T/wstatus" 2>/dev/null &
waiter=$!
wait_until 10 grep -qx regenerate "$T/trigger.log" || not_ok "the trigger was sent"
fcgi_conf "$CONF" "$T/feed2" "$TRIG"
check_eq "a request under the new feed (reloads)" 404 "$(req sympa /no/such/path)"
cat >"$F/.run.tmp" <<EOF
{"started_ms": $(date +%s%3N), "finished_ms": $(date +%s%3N), "exit": 0,
 "result": "ok", "message": "", "generation": 4}
EOF
mv "$F/.run.tmp" "$F/run.json"
wait "$waiter"
check_eq "the waiting trigger ends (old feed)" 200 "$(cat "$T/wstatus")"
check_eq "new feed: its own entry (no clear file): 404" 404 "$(req sympa /lists/deelnemers)"
check_eq "new feed: its own entry (encrypted file): 200" 200 "$(req sympa /lists/deelnemers.csv.asc)"

# The configuration edited in place through another name of the same
# file (a hard link elsewhere, as a bind-mounted file is): no event in
# its directory, seen by the check by path made at most once a second.
# Its own directory stays quiet: nothing else is written there.
fcgi_stop t40-watch
mkdir -p "$T/quiet" "$T/elsewhere" && cp "$CONF" "$T/quiet/listfeed.conf" &&
	CONF=$T/quiet/listfeed.conf || bail_out "quiet configuration"
fcgi_start "$CONF" "$SOCK" t40-watch || bail_out "restart on the quiet configuration"
ln "$CONF" "$T/elsewhere/listfeed.conf" || bail_out "hard link"
check_eq "served before the edit" 200 "$(req sympa /lists/deelnemers.csv.asc)"
n=$(grep -c 'configuration reloaded' "$LOG")
fcgi_conf "$T/elsewhere/conf.new" "$T/feed2" "$TRIG"
sed -i '/^\[client sympa\]/,/^$/s/^lists = .*/lists = bestuur/' "$T/elsewhere/conf.new"
cat "$T/elsewhere/conf.new" >"$T/elsewhere/listfeed.conf"
reloaded() {
	req sympa /lists/deelnemers.csv.asc >/dev/null
	[ "$(grep -c 'configuration reloaded' "$LOG")" -gt "$n" ]
}
wait_until 10 reloaded
check_eq "edited through a hard link: reloaded" $((n + 1)) \
    "$(grep -c 'configuration reloaded' "$LOG")"
check_eq "  the list taken from the client" 404 "$(req sympa /lists/deelnemers.csv.asc)"

check_no_grep "no sanitizer report" 'Sanitizer' "$LOG"
done_testing
