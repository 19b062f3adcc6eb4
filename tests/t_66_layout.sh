#!/usr/bin/env bash
# The per-list layout (doc/architecture.md): a publish of one list costs
# what changed.  Readers during one-list publishes get whole files of one
# version; a one-list run touches no other list's files and opens no
# other list's entry; a file request reads nothing proportional to the
# number of lists; a feed of the old layout (current -> g/N) is converted.
set -u
. "$(dirname "$0")/lib/common.sh"
require_exec "$GEN" "$FCGI"
command -v strace >/dev/null || skip_all "strace needed"

gen_world layout

FEED=$T/feed
CONF=$T/listfeed.conf
{
	base_conf layout "$FEED" "$T/trigger.sock"
	client_conf sympa deelnemers plain
	client_conf crm deelnemers trigger
} >"$CONF"

# ------------------------------------------------ 1. nothing else touched
check_exit "first run" 0 "$GEN" -c "$CONF"
others=$(ls "$FEED/l" | grep -v '^deelnemers$')
check "there are other lists" test -n "$others"
# inode, mtime, ctime, size of everything but deelnemers' own paths, the
# run's records and the directories whose entries those change.
snapshot() {
	(cd "$FEED" && find . \( -path ./v/deelnemers -o -path ./l/deelnemers \
	    -o -path ./run.json -o -path ./manifest.json -o -path './.state/deelnemers.*' \
	    -o -path ./.state/generation -o -path ./.state/lock -o -path . -o -path ./l \
	    -o -path ./.state \) -prune -o -printf '%p %i %T@ %C@ %s\n' | sort)
}
snapshot >"$T/before"
db_sql layout "UPDATE members_user SET last_name = 'Eenlijst' WHERE email = 'femke@example.org'"
strace -f -qq -y -o "$T/strace" -e trace=file,getdents64,write "$GEN" -c "$CONF" --list deelnemers \
    >"$T/out" 2>"$T/err"
check_grep "one-list run: deelnemers changed" '^deelnemers .* changed$' "$T/out"
snapshot >"$T/after"
check_file_eq "one-list run: no other list's file or directory touched" "$T/before" "$T/after"
# only_its_own WHAT TRACE: a trace (strace -f -y, file calls, getdents64,
# write) of a run of deelnemers alone opened no path of another list,
# listed neither l/ nor v/, and wrote nothing whose size grows with the
# number of lists: no write in the feed of over 1 KB but to deelnemers'
# own files (run.json, the summary, .state/generation are small).
only_its_own() {
	check_eq "$1: no path naming another list opened" "" \
	    "$(for n in $others; do grep -E "[/\"]$n([./\"]|$)" "$2"; done | head -5)"
	check_eq "$1: no directory of lists read" "" \
	    "$(grep -E 'getdents64\([0-9]+<'"$FEED"'/(l|v)>' "$2" | head -3)"
	check "  (the trace shows writes in the feed)" grep -q -E 'write\([0-9]+<'"$FEED"'/' "$2"
	check_eq "$1: no write of over 1 KB but to the list's own files" "" \
	    "$(grep -E 'write\([0-9]+<'"$FEED"'/' "$2" |
	       grep -v -E '<'"$FEED"'/(v/deelnemers/|\.state/deelnemers\.)' |
	       awk -F'= ' '$NF + 0 > 1024' | head -3)"
}
only_its_own "one-list run" "$T/strace"
check_eq "  (the full run that follows reads them all)" 1 \
    "$(strace -f -qq -y -o "$T/strace.full" -e trace=getdents64 "$GEN" -c "$CONF" >/dev/null 2>&1
       grep -c -E 'getdents64\([0-9]+<'"$FEED"'/l>' "$T/strace.full" | awk '{print ($1 > 0)}')"

# ------------------------------------------------ 2. the responder
fcgi_start "$CONF" "$T/fcgi.sock" layout || bail_out "listfeed.fcgi"
PORT=$(free_port)
site_conf "$PORT" "$T/fcgi.sock" "$FEED" |
	sed -e 's#rate=[0-9]*r/s#rate=100000r/s#' -e 's#burst=[0-9]*#burst=5000#' >"$T/site.conf"
nginx_start "$T/site.conf" layout || bail_out "nginx"
URL=https://localhost:$PORT
check "a file through the responder" pki_curl sympa -f -o "$T/first" "$URL/lists/deelnemers"
strace -f -qq -y -p "$(bg_pid fcgi-layout)" -o "$T/strace.fcgi" -e trace=file,getdents64 &
spid=$!
sleep 1
for i in 1 2 3; do pki_curl sympa -f -o /dev/null "$URL/lists/deelnemers?reception=mail"; done
sleep 0.5
kill "$spid"; wait "$spid" 2>/dev/null
# The list's link (read again only after it changed: cgi/entcache.h) or
# the file, looked at once by the first request for it.
check_grep "  the request was traced" '[lv]/deelnemers' "$T/strace.fcgi"
check_eq "a file request lists no directory" "" "$(grep getdents64 "$T/strace.fcgi" | head -3)"
check_eq "a file request opens no other list's path" "" \
    "$(for n in $others; do grep -E "[/\"]$n([./\"]|$)" "$T/strace.fcgi"; done | head -5)"

# ------------------------------------------------ 3. readers during one-list publishes
# Each round renames every member V<i> and republishes deelnemers alone
# (watcher, triggers naming it); each download must be whole (its header's
# count = its lines) and of one version (one V<i> in it).
G=$(jq .generation "$FEED/run.json")
bg_start gen-layout "$GEN" -c "$CONF" --watch || bail_out "listfeed-gen --watch"
wait_until 60 test -S "$T/trigger.sock" || bail_out "no trigger socket"
# run_done G: run.json records a finished run past generation G.
run_done() {
	test "$(jq .generation "$FEED/run.json")" -gt "$1" &&
	    test "$(jq .finished_ms "$FEED/run.json")" != 0
}
trigger() {
	python3 - "$T/trigger.sock" "$1" <<-'PY'
	import socket, sys
	socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"regenerate %s\n" % sys.argv[2].encode(), sys.argv[1])
	PY
}
# A trigger to the watcher, its first full generation done: the same.
wait_until 120 run_done "$G" || bail_out "the watcher's first generation"
G=$(jq .generation "$FEED/run.json")
strace -f -qq -y -p "$(bg_pid gen-layout)" -o "$T/strace.watch" -e trace=file,getdents64,write &
spid=$!
sleep 1
db_sql layout "UPDATE members_user SET last_name = 'W0'"
trigger deelnemers
wait_until 60 run_done "$G"
wait_until 10 grep -q 'manifest\.json' "$T/strace.watch"
sleep 0.5
kill "$spid"; wait "$spid" 2>/dev/null
check_grep "a trigger to the watcher: deelnemers switched" 'symlink.*l/\.tmp-deelnemers' "$T/strace.watch"
only_its_own "a trigger to the watcher" "$T/strace.watch"
# A waiting trigger naming deelnemers: the responder's answer reads that
# list's entry (run.json names the lists the run made live), no other.
G=$(jq .generation "$FEED/run.json")
strace -f -qq -y -p "$(bg_pid fcgi-layout)" -o "$T/strace.wait" -e trace=file,getdents64 &
spid=$!
sleep 1
db_sql layout "UPDATE members_user SET last_name = 'T0'"
check_eq "a waiting trigger naming deelnemers: 200" 200 \
    "$(pki_curl crm -m 90 -o "$T/wait.json" -w '%{http_code}' -X POST \
       "$URL/-/regenerate?list=deelnemers&wait=60")"
sleep 0.5
kill "$spid"; wait "$spid" 2>/dev/null
check "  its report: deelnemers changed in that run, nothing held" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["generation"] > int(sys.argv[2]) and d["exit"] == 0, d
assert list(d["lists"]) == ["deelnemers"] and d["held"] == {}, d
assert d["lists"]["deelnemers"]["count"] > 0, d' "$T/wait.json" "$G"
check_grep "  (the wait was traced)" 'run\.json' "$T/strace.wait"
check_eq "  the answer lists no directory of lists" "" \
    "$(grep -E 'getdents64\([0-9]+<'"$FEED"'/(l|v)>' "$T/strace.wait" | head -3)"
check_eq "  and opens no other list's path" "" \
    "$(for n in $others; do grep -E "[/\"]$n([./\"]|$)" "$T/strace.wait"; done | head -5)"
mkdir -p "$T/dl"
for round in $(seq 1 12); do
	db_sql layout "UPDATE members_user SET last_name = 'V$round'"
	trigger deelnemers
	urls=()
	for i in $(seq 1 10); do
		urls+=(-o "$T/dl/$round.$i.all" "$URL/lists/deelnemers"
		    -o "$T/dl/$round.$i.mail" "$URL/lists/deelnemers?reception=mail"
		    -o "$T/dl/$round.$i.digest" "$URL/lists/deelnemers?reception=digest")
	done
	for k in 1 2 3; do
		pki_curl sympa --parallel --parallel-max 30 -f "${urls[@]}" 2>>"$T/dl.err"
	done
done
wait_until 30 grep -q 'V12' "$FEED/plain/deelnemers.sympa"
check "the last round was published" grep -q 'V12' "$FEED/plain/deelnemers.sympa"
check "downloads: each whole and of one version" python3 - "$T/dl" <<'PY'
import os, re, sys
d = sys.argv[1]
names = os.listdir(d)
if len(names) < 300:
    sys.exit("only %d downloads" % len(names))
versions = set()
for n in names:
    data = open(os.path.join(d, n), "rb").read().decode()
    lines = data.split("\n")
    head = [l for l in lines[:6] if l.startswith("# ")]
    count = [int(l.split(": ")[1]) for l in head if l.startswith("# count: ")]
    body = [l for l in lines[len(head):] if l]
    if not data.endswith("\n") or count != [len(body)]:
        sys.exit("%s: not whole (count %s, %d lines)" % (n, count, len(body)))
    v = set(re.findall(r"\bV(\d+)\b", data))
    if len(v) > 1:
        sys.exit("%s: mixes versions %s" % (n, sorted(v)))
    versions |= v
print("versions seen: %d" % len(versions))
PY
check_eq "at most two versions of deelnemers kept" 1 "$(( $(ls "$FEED/v/deelnemers" | wc -l) <= 2 ))"
bg_stop gen-layout

# ------------------------------------------------ 4. the old layout converted
# The old layout built by hand from this feed: g/N holding every list's
# files and manifest.json, current -> g/N, lists, plain and manifest.json
# links through current/.
check_exit "a full run before" 0 "$GEN" -c "$CONF"
OLD=$T/old
cp -a "$FEED" "$OLD"
N=$(jq .generation "$OLD/manifest.json")
(cd "$OLD" && for n in l/*; do
	for f in $(cd "$n/" && find . -type f ! -name entry.json); do
		mkdir -p "g/$N/$(dirname "$f")" && ln "$n/$f" "g/$N/$f"
	done
done)
chmod 0750 "$OLD/g/$N/plain"
jq --argjson l "$(feed_entries "$OLD")" '. + {lists: $l}' "$OLD/manifest.json" >"$T/old.manifest"
cp "$T/old.manifest" "$OLD/g/$N/manifest.json"
rm -rf "$OLD/l" "$OLD/v" "$OLD/lists" "$OLD/plain" "$OLD/manifest.json" "$OLD/.state/generation"
ln -s "g/$N" "$OLD/current"
ln -s current/lists "$OLD/lists"
ln -s current/plain "$OLD/plain"
ln -s current/manifest.json "$OLD/manifest.json"
(cd "$OLD" && find -L lists plain -type f -exec sha256sum {} + | sort) >"$T/old.sums"
jq -S .lists "$OLD/g/$N/manifest.json" >"$T/old.lists"
sed "s#^dir = .*#dir = $OLD#" "$CONF" | sed "/^trigger_socket/d" >"$T/old.conf"
# An old manifest without "lists" converts nothing: refused, the old
# layout and its files kept (converting none would remove them).
jq 'del(.lists)' "$T/old.manifest" >"$OLD/g/$N/manifest.json"
check_exit "old manifest without lists: refused, exit 1" 1 "$GEN" -c "$T/old.conf"
check_grep "  says why" 'no "lists"' "$LAST_ERR"
check "  the old layout is kept" test -L "$OLD/current" -a -d "$OLD/g/$N"
check_eq "  with its files" "$(cat "$T/old.sums")" \
    "$(cd "$OLD" && find -L lists plain -type f -exec sha256sum {} + | sort)"
cp "$T/old.manifest" "$OLD/g/$N/manifest.json"
check_exit "old layout: the first run converts it" 0 "$GEN" -c "$T/old.conf"
check_grep "  and says so" 'converting generation' "$LAST_ERR"
check "  current and g/ are gone" test ! -e "$OLD/current" -a ! -e "$OLD/g"
check_eq "  every list has a live version" "$(jq -r 'keys[]' "$T/old.lists")" "$(ls "$OLD/l")"
check_eq "  the same files at the same paths" "$(cat "$T/old.sums")" \
    "$(cd "$OLD" && find -L lists plain -type f -exec sha256sum {} + | sort)"
check_no_grep "  no list changed" ' changed$' "$LAST_OUT"
check_eq "  the entries are the old manifest's" "$(cat "$T/old.lists")" \
    "$(for n in $(ls "$OLD/l"); do jq -S "{\"$n\": del(.name)}" "$OLD/l/$n/entry.json"; done | jq -S -s add)"
check "  generations count on" test "$(jq .generation "$OLD/run.json")" -gt "$N"

# A conversion killed while removing g/ (current already gone) left it,
# cleartext included: the next run removes it.
mkdir -p "$OLD/g/$N/plain"
echo "femke@example.org" >"$OLD/g/$N/plain/deelnemers.sympa"
jq --argjson l "$(feed_entries "$OLD")" '. + {lists: $l}' "$OLD/manifest.json" >"$T/old.manifest"
cp "$T/old.manifest" "$OLD/g/$N/manifest.json"
check_exit "g/ left without current: a run" 0 "$GEN" -c "$T/old.conf"
check "  removes g/ and its cleartext" test ! -e "$OLD/g"

# ------------------------------------------------ 5. the generation number
# .state/generation is a generation's name (lib/layout.h): anything else
# stops the run before it numbers a generation.
G=$(cat "$FEED/.state/generation")
M=$(jq .generation "$FEED/manifest.json")
for bad in 12abc 0012 -5 9999999999999999999 ''; do
	printf '%s\n' "$bad" >"$FEED/.state/generation"
	check_exit ".state/generation '$bad': refused, exit 1" 1 "$GEN" -c "$CONF"
	check_grep "  says why" 'generation: not a generation number' "$LAST_ERR"
done
check_eq "  nothing was published" "$M" "$(jq .generation "$FEED/manifest.json")"
printf '%s\n' "$G" >"$FEED/.state/generation"
check_exit ".state/generation good again: a run" 0 "$GEN" -c "$CONF"
check_eq "  numbers the next generation" "$((G + 1))" "$(jq .generation "$FEED/run.json")"

# ------------------------------------------------ 6. the version kept below the live one
# The one kept is the one live before: not a version of a crashed run.
check_exit "a full run" 0 "$GEN" -c "$CONF"
L=$(readlink "$FEED/l/deelnemers"); L=${L##*/}
C=$(( $(cat "$FEED/.state/generation") + 1 ))
# A run killed before its switch left version C of deelnemers, never live.
cp -a "$FEED/v/deelnemers/$L" "$FEED/v/deelnemers/$C"
printf '%s\n' "$C" >"$FEED/.state/generation"
db_sql layout "UPDATE members_user SET last_name = CONCAT(last_name, 'K')"
# A one-list run killed just after its switch (at the first look at the
# list's fixed paths).
strace -qq -o /dev/null -P "$FEED/plain/deelnemers.sympa" -e trace=newfstatat,lstat \
    -e inject=newfstatat,lstat:signal=KILL "$GEN" -c "$CONF" --list deelnemers >/dev/null 2>&1
check_eq "one-list run killed after its switch" "../v/deelnemers/$((C + 1))" "$(readlink "$FEED/l/deelnemers")"
check_exit "the next full run" 0 "$GEN" -c "$CONF"
check "  keeps the version live before" test -d "$FEED/v/deelnemers/$L"
check "  removes the one never live" test ! -e "$FEED/v/deelnemers/$C"

# ------------------------------------------------ 7. a switch that fails part-way
# deelnemers is switched, then spacelog's switch fails (a directory in the
# way of its temporary link): run.json names the generation deelnemers
# went live in, not the one before.
db_sql layout "UPDATE members_user SET last_name = 'Part'"
mkdir -p "$FEED/l/.tmp-spacelog/in-the-way"
S=$(readlink "$FEED/l/spacelog")
check_exit "a switch fails after another list's: exit 1" 1 "$GEN" -c "$CONF" --list deelnemers --list spacelog
P=$(readlink "$FEED/l/deelnemers"); P=${P##*/}
check_eq "  deelnemers went live in this run's generation" "$(cat "$FEED/.state/generation")" "$P"
check_eq "  spacelog stays at its version" "$S" "$(readlink "$FEED/l/spacelog")"
check_eq "  run.json names that generation" "$P" "$(jq .generation "$FEED/run.json")"
check_grep "  and says what happened" "\"message\": \"cannot sync or switch every new version \(see the log\); lists switched to generation $P: 1\"" "$FEED/run.json"
rm -rf "$FEED/l/.tmp-spacelog"
check_exit "  the next run publishes spacelog" 0 "$GEN" -c "$CONF" --list deelnemers --list spacelog
check_grep "  and only spacelog" '^spacelog .* changed$' "$LAST_OUT"
check_grep "  (deelnemers unchanged)" '^deelnemers .* unchanged$' "$LAST_OUT"

# ------------------------------------------------ 8. a full run syncs its versions at once
# A run of every list writes its versions unsynced and makes them durable
# by one syncfs(2) of FEED/v before its first switch (gen/feed.h); if that
# reports a write error (maybe another program's), it switches nothing,
# and the next run, whose syncfs reports only newer errors, publishes.  A
# run naming a list syncs each file.  Every list changes: a new last name.
live_all() { for n in $(ls "$FEED/l"); do printf '%s %s\n' "$n" "$(readlink "$FEED/l/$n")"; done; }
nlists=$(ls "$FEED/l" | wc -l)
next_gen() { echo $(($(cat "$FEED/.state/generation") + 1)); }
db_sql layout "UPDATE members_user SET last_name = 'Bulk'"
live_all >"$T/live.before"
KG=$(next_gen)
strace_run -o /dev/null -e trace=syncfs -e inject=syncfs:signal=KILL "$GEN" -c "$CONF" >/dev/null 2>&1
live_all >"$T/live.after"
check_file_eq "a full run killed at its syncfs: no list switched" "$T/live.before" "$T/live.after"
check_eq "  its versions are left over" "$nlists" "$(ls -d "$FEED"/v/*/"$KG" | wc -l)"

G=$(next_gen)
state_sums() { (cd "$FEED/.state" && find . -type f ! -name generation | sort | xargs md5sum); }
state_sums >"$T/state.before"
check_exit "a full run whose syncfs fails: exit 1" 1 \
    strace_run -o /dev/null -e trace=syncfs -P "$FEED/v" -e inject=syncfs:error=EIO "$GEN" -c "$CONF"
check_grep "  says why" "syncfs $FEED/v: Input/output error" "$LAST_ERR"
live_all >"$T/live.after"
check_file_eq "  no list switched" "$T/live.before" "$T/live.after"
check_grep "  run.json says so" '"message": "cannot sync or switch every new version \(see the log\); lists switched to generation [0-9]+: 0"' "$FEED/run.json"
check_eq "  its versions are removed" 0 "$(ls -d "$FEED"/v/*/"$G" 2>/dev/null | wc -l)"
state_sums >"$T/state.after"
check_file_eq "  the lists' state untouched" "$T/state.before" "$T/state.after"
check_eq "  and no l/.tmp- left" "" "$(ls -A "$FEED/l" | grep '^\.tmp-')"
check_eq "  the killed run's left-over too (a full run's start)" 0 \
    "$(ls -d "$FEED"/v/*/"$KG" 2>/dev/null | wc -l)"
check_exit "the next full run: exit 0" 0 "$GEN" -c "$CONF"
check_eq "  every list changed" "$nlists" "$(grep -c ' changed$' "$LAST_OUT")"
check "  every list switched" test -z "$(live_all | comm -12 - "$T/live.before")"

db_sql layout "UPDATE members_user SET last_name = 'Bulk2'"
live_all >"$T/live.before"
strace_run -y -o "$T/strace.bulk" -e trace=fsync,fdatasync,syncfs "$GEN" -c "$CONF" >"$T/out" 2>&1
check_eq "the next full run changes every list" "$nlists" "$(grep -c ' changed$' "$T/out")"
check_eq "  with one syncfs, of FEED/v" 1 "$(grep -c '^[0-9]* *syncfs([0-9]*<'"$FEED"'/v>)' "$T/strace.bulk")"
check_eq "  and no fsync of a version's file or directory" "" \
    "$(grep -E 'fsync\([0-9]+<'"$FEED"'/v/' "$T/strace.bulk" | head -3)"
check "  every list switched" test -z "$(live_all | comm -12 - "$T/live.before")"
db_sql layout "UPDATE members_user SET last_name = 'One'"
G=$(next_gen)
strace_run -y -o "$T/strace.one" -e trace=fsync,syncfs "$GEN" -c "$CONF" --list deelnemers >/dev/null 2>&1
check_eq "a run naming a list: no syncfs" 0 "$(grep -c 'syncfs(' "$T/strace.one")"
check_grep "  its version's files synced one by one" \
    'fsync\([0-9]+<'"$FEED"'/v/deelnemers/'"$G"'/plain/mail/deelnemers\.sympa>' "$T/strace.one"

done_testing
