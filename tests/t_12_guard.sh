#!/usr/bin/env bash
# The shrink guard against a real MariaDB: each file a client fetches is
# guarded by its own count (the mail and digest sources of Sympa), small
# lists change freely (min_shrink), a lost manifest still guards (what
# .state remembers), the publish sequence syncs every directory it
# changes, and held lists show where operators look (report, log,
# /-/status, /-/metrics, the index page, the trigger's wait report).
set -u
. "$(dirname "$0")/lib/common.sh"
require_exec "$GEN" "$FCGI"

gen_world guard

FEED=$T/feed
CONF=$T/listfeed.conf
TRIG=$T/trigger.sock
conf() {	# conf [EXTRA-LINES]: the configuration of this script
	base_conf guard "$FEED" "$TRIG"
	client_conf sympa "deelnemers spacelog" plain
	client_conf crm '*' trigger
	client_conf admin '*'
	[ -n "${1:-}" ] && printf '%s\n' "$1"
	return 0
}
conf >"$CONF"

# jq-like: mf EXPR prints a Python expression over the summary m, with
# every list's live entry in m["lists"].
mf() {
	python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m["lists"]=json.loads(sys.argv[3]); print(eval(sys.argv[2]))' \
		"$FEED/manifest.json" "$1" "$(feed_entries "$FEED")"
}
sub() {	# sub LIST SET WHERE: update that list's subscriptions
	db_sql guard "UPDATE mailinglists_subscription SET $2 WHERE mailinglist_id =
		(SELECT id FROM mailinglists_mailinglist WHERE name = '$1') ${3:+AND $3}"
}
snapshot() { db_sql guard "DROP TABLE IF EXISTS keep; CREATE TABLE keep AS SELECT * FROM mailinglists_subscription"; }
restore() {
	db_sql guard "UPDATE mailinglists_subscription s JOIN keep k ON k.id = s.id
		SET s.active = k.active, s.digest = k.digest"
}

# Ten digest members on deelnemers: two Sympa sources worth guarding.
sub deelnemers 'digest = 1' 'member_id <= 10'
check_exit "first generation" 0 "$GEN" -c "$CONF"
DIGEST=$(mf 'm["lists"]["deelnemers"]["reception"]["digest"]')
check "deelnemers has at least 8 digest members" test "$DIGEST" -ge 8
cp "$FEED/plain/digest/deelnemers.sympa" "$T/digest.before"
cp "$FEED/plain/mail/deelnemers.sympa" "$T/mail.before"
sympa_body "$FEED/plain/deelnemers.sympa" >"$T/all.before"
snapshot

# ---------------------------------------------------------------- item 2
# Every digest member becomes a mail member: the total is unchanged, but
# Sympa's digest source would answer 200 with no one.
sub deelnemers 'digest = 0'
check_exit "digest members all turned mail: held (exit 3)" 3 "$GEN" -c "$CONF"
check_grep "report: the digest source would be emptied" \
	"^deelnemers 20 \\+0 -0 HELD: its digest members would be emptied \\(was $DIGEST\\); listfeed-gen --force deelnemers publishes it\$" "$LAST_OUT"
check_file_eq "digest file still has every digest member" "$T/digest.before" "$FEED/plain/digest/deelnemers.sympa"
check_file_eq "mail file unchanged" "$T/mail.before" "$FEED/plain/mail/deelnemers.sympa"
restore
# The view starts returning NULL for the reception mode (NULL means mail).
conf >"$T/null.conf"
sed -i 's/^query = .*/query = SELECT `list`, `user_subscriber`, `comment_subscriber`, `first_name`, NULL AS `digest`, `owner`, `moderator` FROM `listfeed_subscribers`/' "$T/null.conf"
check_exit "reception NULL for everyone: held" 3 "$GEN" -c "$T/null.conf"
check_grep "report names the digest source" '^deelnemers 20 .*HELD: its digest members would be emptied' "$LAST_OUT"
check_file_eq "NULL reception: digest file intact" "$T/digest.before" "$FEED/plain/digest/deelnemers.sympa"
# Not emptied, but shrunk past both limits.
sub deelnemers 'digest = 0' 'member_id <= 8'
check_exit "digest source shrinks by most of its members: held" 3 "$GEN" -c "$CONF"
check_grep "report: the digest source would shrink" \
	"^deelnemers 20 .*HELD: its digest members would shrink from $DIGEST to [0-9]+ \\(more than max_shrink 20% and min_shrink 5\\)" "$LAST_OUT"
check_file_eq "shrunk digest source: file intact" "$T/digest.before" "$FEED/plain/digest/deelnemers.sympa"
restore
check_exit "restored: publishes (nothing to hold)" 0 "$GEN" -c "$CONF"
check_eq "manifest: deelnemers no longer held" "None" "$(mf 'm["lists"]["deelnemers"].get("held")')"

# ---------------------------------------------------------------- item 3
# A two-member list losing one (50 %) is not held: at most min_shrink.
sub hetbestuur 'active = 0' 'member_id = 2'
check_exit "hetbestuur 2 -> 1: published (exit 0)" 0 "$GEN" -c "$CONF"
check_grep "report: hetbestuur changed" '^hetbestuur 1 \+0 -1 changed$' "$LAST_OUT"
# spacelog 7 -> 5 passes by default, is held with [list] min_shrink = 0.
sub spacelog 'active = 0' 'member_id IN (1, 2)'
conf "$(printf '[list spacelog]\nmin_shrink = 0')" >"$T/min0.conf"
check_exit "spacelog 7 -> 5 with min_shrink = 0: held" 3 "$GEN" -c "$T/min0.conf"
check_grep "report: both limits named" \
	'^spacelog 5 .*HELD: would shrink from 7 to 5 \(more than max_shrink 20% and min_shrink 0\)' "$LAST_OUT"
check_exit "spacelog 7 -> 5 with the default min_shrink: published" 0 "$GEN" -c "$CONF"
check_grep "report: spacelog changed" '^spacelog 5 \+0 -2 changed$' "$LAST_OUT"
# Emptied is always held, however small the list.
sub hetbestuur 'active = 0'
check_exit "hetbestuur 1 -> 0: held" 3 "$GEN" -c "$CONF"
check_grep "report: would be emptied" '^hetbestuur 0 .*HELD: would be emptied \(was 1\)' "$LAST_OUT"
check_grep "log: the held list and the command that releases it" \
	'list hetbestuur: held: would be emptied \(was 1\); listfeed-gen --force hetbestuur publishes it' "$LAST_ERR"
restore
check_exit "all restored" 0 "$GEN" -c "$CONF"

# ---------------------------------------------------------------- item 8
# The manifest is lost between two runs: .state still guards.
check "state remembers counts, never an address" test -s "$FEED/.state/deelnemers.counts"
check_eq "state counts: whole, mail, digest" \
	"$(mf '"%d %d %d" % (m["lists"]["deelnemers"]["count"], m["lists"]["deelnemers"]["reception"]["mail"], m["lists"]["deelnemers"]["reception"]["digest"])')" \
	"$(cat "$FEED/.state/deelnemers.counts")"
check_no_grep "no address in .state" '@' "$FEED/.state/deelnemers.counts"
GEN_BEFORE=$(mf 'm["generation"]')
rm "$FEED/l/deelnemers/entry.json"
sub deelnemers 'active = 0' 'member_id <= 6'
check_exit "manifest deleted, list shrunk 20 -> 14: held" 3 "$GEN" -c "$CONF"
check_grep "report: held by what .state remembers" '^deelnemers 14 .*HELD: would shrink from 20 to 14' "$LAST_OUT"
check "new generation numbered past the live one" test "$(mf 'm["generation"]')" -gt "$GEN_BEFORE"
check_eq "held entry keeps the remembered count" 20 "$(mf 'm["lists"]["deelnemers"]["count"]')"
check_eq "held entry names no file (none is known good)" 0 "$(mf 'len(m["lists"]["deelnemers"]["files"])')"
check "no Sympa file for deelnemers: a 404, never a short 200" test ! -e "$FEED/plain/deelnemers.sympa"
check_exit "the next run still holds it" 3 "$GEN" -c "$CONF"
# l/deelnemers points at nothing (its version lost): still guarded.
restore
check_exit "restored and republished" 0 "$GEN" -c "$CONF"
sympa_body "$FEED/plain/deelnemers.sympa" >"$T/all.now"
check_file_eq "republished: every member" "$T/all.before" "$T/all.now"
rm -rf "$FEED/v/deelnemers/$(basename "$(readlink "$FEED/l/deelnemers")")"
sub deelnemers 'active = 0' 'member_id <= 6'
check_exit "l/deelnemers dangling, list shrunk: held" 3 "$GEN" -c "$CONF"
check_grep "report: dangling l/deelnemers, still held" '^deelnemers 14 .*HELD: would shrink from 20 to 14' "$LAST_OUT"
# A state from before the counts file: the members file still counts.
rm -f "$FEED/l/deelnemers/entry.json" "$FEED/.state/deelnemers.counts"
check_exit "only the members file left: held" 3 "$GEN" -c "$CONF"
check_grep "report: held by the members file's count" '^deelnemers 14 .*HELD: would shrink from 20 to 14' "$LAST_OUT"
# Without the counts file, the mail and digest members before are not
# known: the digest source emptied is held, on this run and the next.
restore
sub deelnemers 'digest = 0'
check_exit "no counts file, digest members all turned mail: held" 3 "$GEN" -c "$CONF"
check_grep "report: mail and digest before unknown" '^deelnemers 20 .*HELD: its mail and digest members before are unknown' "$LAST_OUT"
check_exit "the next run still holds it" 3 "$GEN" -c "$CONF"
check "no digest file for deelnemers: a 404, never an empty 200" test ! -e "$FEED/plain/digest/deelnemers.sympa"
# The held entry (no files, mail and digest 0: unknown) must not stand in
# for .state once .state forgets the list too.
rm -f "$FEED/.state/deelnemers.members"
check_exit "held entry and no .state: still held" 3 "$GEN" -c "$CONF"
check "still no digest file for deelnemers" test ! -e "$FEED/plain/digest/deelnemers.sympa"
restore
sub deelnemers 'active = 0' 'member_id <= 6'
# Damaged state with no manifest: held, never published blind.
rm "$FEED/l/deelnemers/entry.json"
printf '20 x 3\n' >"$FEED/.state/deelnemers.counts"
check_exit "damaged counts, no manifest: held" 3 "$GEN" -c "$CONF"
check_grep "report: says the state is unreadable" '^deelnemers 14 .*HELD: what it last published is unreadable' "$LAST_OUT"
check_grep "log: names the damaged file" 'deelnemers.counts: damaged' "$LAST_ERR"
check_exit "--force publishes it and rewrites the state" 0 "$GEN" -c "$CONF" --force deelnemers
check_eq "state rewritten" 14 "$(cut -d' ' -f1 "$FEED/.state/deelnemers.counts")"
restore
check_exit "restored" 0 "$GEN" -c "$CONF"
# A run whose generation never goes live leaves .state as it was: the
# fallback compares with what was published, not with that run.
COUNTS=$(cat "$FEED/.state/deelnemers.counts")
sub deelnemers 'active = 0' 'member_id <= 4'
mkdir "$FEED/l/.tmp-deelnemers"	# the switch of l/deelnemers fails
check_exit "20 -> 16, but the switch fails: exit 1" 1 "$GEN" -c "$CONF"
rmdir "$FEED/l/.tmp-deelnemers"
check_eq "state: the counts of the live generation" "$COUNTS" "$(cat "$FEED/.state/deelnemers.counts")"
rm "$FEED/l/deelnemers/entry.json"
sub deelnemers 'active = 0' 'member_id <= 6'
check_exit "then the manifest is lost, 20 -> 14: held" 3 "$GEN" -c "$CONF"
check_grep "report: held against the published 20" '^deelnemers 14 .*HELD: would shrink from 20 to 14' "$LAST_OUT"
restore
check_exit "restored" 0 "$GEN" -c "$CONF"
check_grep "report: counted from the published files" '^deelnemers 20 \+0 -0 changed$' "$LAST_OUT"

# Durability: every directory entry the publish makes (a version's
# directory, its files, the fixed links, the state) is followed by an fsync
# of its directory, or, below FEED/v, by a syncfs of FEED/v (a run over
# every list syncs its versions so: gen/feed.h), before l/NAME is switched
# to it.  Checked on a run over every list and on a run naming the list.
# synced_before_switch TRACE: the check, on an strace -y of the run.
synced_before_switch() {
	python3 - "$1" "$FEED" <<-'PY'
	import os, re, sys
	trace, feed = sys.argv[1], sys.argv[2]
	made = []        # (index, path) of each new directory entry
	synced = []      # (index, dir) of each fsync
	whole = []       # (index, dir) of each syncfs: what lies below dir
	switch = None
	calls = 'mkdir|mkdirat|symlink|symlinkat|link|linkat|rename|renameat|renameat2|openat|fsync|syncfs'
	part = {}        # pid -> the first half of a call another one split
	for i, line in enumerate(open(trace)):
	    u = re.match(r'(\d+) +(.*) <unfinished \.\.\.>$', line)
	    if u:
	        part[u.group(1)] = u.group(2)
	        continue
	    r = re.match(r'(\d+) +<\.\.\. \w+ resumed>(.*)', line)
	    if r and r.group(1) in part:
	        line = r.group(1) + ' ' + part.pop(r.group(1)) + r.group(2)
	    m = re.search(r'\b(' + calls + r')\((.*)\) += (-?\d+)', line)
	    if not m or m.group(3).startswith('-'):
	        continue
	    call, args = m.group(1), m.group(2)
	    strs = re.findall(r'"((?:[^"\\]|\\.)*)"', args)
	    if call in ('fsync', 'syncfs'):
	        d = re.match(r'\d+<(.*)>', args)
	        if d:
	            (synced if call == 'fsync' else whole).append((i, d.group(1)))
	        continue
	    if call == 'openat' and 'O_CREAT' not in args:
	        continue
	    target = strs[-1] if strs else None
	    if target is None or not target.startswith(feed + '/'):
	        continue
	    if call.startswith('rename'):    # the old name is gone
	        made = [(k, p) for k, p in made if p != strs[0]]
	    made.append((i, target))
	    if call.startswith('rename') and target == feed + '/l/spacelog':
	        switch = i
	if switch is None:
	    sys.exit('no switch of l/spacelog')
	bad = []
	for i, p in made:
	    parent = os.path.dirname(p)
	    limit = switch if i < switch else 10**9
	    if p == feed + '/l/spacelog':
	        limit = 10**9
	    if not any(i < j < limit and d == parent for j, d in synced) and \
	       not any(i < j < limit and (parent + '/').startswith(d + '/') for j, d in whole):
	        bad.append(p)
	if bad:
	    sys.exit('not synced: ' + ', '.join(bad))
	PY
}
if command -v strace >/dev/null; then
	trace_calls=mkdir,mkdirat,symlink,symlinkat,link,linkat,rename,renameat,renameat2,openat,fsync,syncfs
	sub spacelog 'active = 0' 'member_id = 19'
	strace_run -y -o "$T/strace" -e trace=$trace_calls "$GEN" -c "$CONF" >/dev/null 2>&1
	check "strace: a new version was published" grep -q '"'"$FEED"'/v/spacelog/[0-9]*"' "$T/strace"
	check "  by a run over every list, with one syncfs" grep -q '^[0-9]* *syncfs(' "$T/strace"
	check "every new entry's directory is synced before the switch" synced_before_switch "$T/strace"
	[ -s "$LAST_OUT" ] && diag "$(cat "$LAST_OUT")"
	sub spacelog 'active = 1' 'member_id = 19'
	strace_run -y -o "$T/strace.one" -e trace=$trace_calls "$GEN" -c "$CONF" --list spacelog >/dev/null 2>&1
	check "strace: a run naming spacelog published it" grep -q '"'"$FEED"'/v/spacelog/[0-9]*"' "$T/strace.one"
	check "  without a syncfs" test "$(grep -c 'syncfs(' "$T/strace.one")" = 0
	check "  every new entry's directory synced before the switch" synced_before_switch "$T/strace.one"
	[ -s "$LAST_OUT" ] && diag "$(cat "$LAST_OUT")"
else
	skip "durability: strace not installed"
fi

# ---------------------------------------------------------------- where operators look
sub deelnemers 'active = 0' 'member_id <= 6'
sub hetbestuur 'active = 0'
check_exit "two lists held" 3 "$GEN" -c "$CONF"
fcgi_start "$CONF" "$T/fcgi.sock" t12 || bail_out "listfeed.fcgi"
PORT=$(free_port)
site_conf "$PORT" "$T/fcgi.sock" "$FEED" >"$T/site.conf"
nginx_start "$T/site.conf" t12 || bail_out "nginx"
URL=https://localhost:$PORT
get() {	# get CLIENT PATH [CURL-ARGS...]: the body in $T/body
	local c=$1 p=$2
	shift 2
	pki_curl "$c" -fsS "$@" "$URL$p" >"$T/body" 2>"$T/curl.err"
}

check "admin: /-/status" get admin /-/status
check "status: held lists with reason and release" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
h = d["held"]
assert set(h) == {"deelnemers", "hetbestuur"}, h
assert h["deelnemers"]["reason"] == "would shrink from 20 to 14 (more than max_shrink 20% and min_shrink 5)", h
assert h["deelnemers"]["release"] == "listfeed-gen --force deelnemers", h
assert h["hetbestuur"]["reason"] == "would be emptied (was 2)", h' "$T/body"
check "sympa: /-/status" get sympa /-/status
check_eq "status (sympa): only the held lists it sees" '["deelnemers"]' \
	"$(python3 -c 'import json,sys; print(json.dumps(sorted(json.load(open(sys.argv[1]))["held"])))' "$T/body")"
check "admin: /-/metrics" get admin /-/metrics
check_grep "metrics: deelnemers held" '^listfeed_list_held\{list="deelnemers"\} 1$' "$T/body"
check_grep "metrics: spacelog not held" '^listfeed_list_held\{list="spacelog"\} 0$' "$T/body"
check_grep "metrics: HELP names the release command" '^# HELP listfeed_list_held .*listfeed-gen --force LIST' "$T/body"
check "admin: index" get admin /
check_grep "index: deelnemers held, why" 'Held: <code>deelnemers</code> would shrink from 20 to 14' "$T/body"
check_grep "index: the release command" '<code>listfeed-gen --force deelnemers</code>' "$T/body"
check "sympa: index" get sympa /
check_no_grep "index (sympa): no hidden held list" 'hetbestuur' "$T/body"
check "sympa still gets the last good deelnemers" get sympa /lists/deelnemers
sympa_body "$T/body" >"$T/body.members"
check_file_eq "  every member" "$T/all.before" "$T/body.members"

bg_start t12-gen "$GEN" -c "$CONF" --watch || bail_out "listfeed-gen --watch"
wait_until 20 test -S "$TRIG" || not_ok "trigger socket"
check "crm: regenerate?wait=30" get crm '/-/regenerate?wait=30' -X POST
check "wait report: held lists with reason and release" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["exit"] == 3 and d["result"] == "held", d
assert d["held"]["deelnemers"]["release"] == "listfeed-gen --force deelnemers", d
assert d["held"]["hetbestuur"]["reason"] == "would be emptied (was 2)", d' "$T/body"
check "crm: regenerate?list=hetbestuur&wait=30" get crm '/-/regenerate?list=hetbestuur&wait=30' -X POST
check_eq "wait report for one list: only that list's hold" '["hetbestuur"]' \
	"$(python3 -c 'import json,sys; print(json.dumps(sorted(json.load(open(sys.argv[1]))["held"])))' "$T/body")"
bg_stop t12-gen
nginx_stop t12
fcgi_stop t12

done_testing
