#!/usr/bin/env bash
# Faults: nothing is lost and the last good feed stays whole.
# An empty result, a full disk, a read-only feed, a signing key gone,
# the gpg-agent killed, two generators at once.
set -u
. "$(dirname "$0")/lib/common.sh"
require_exec "$GEN"

gen_world faults

# A private copy of the feed key's home: this script breaks it on purpose.
GH=$T/gnupg
gpg_home_copy "$W/gnupg" "$GH"

conf() {	# conf FEED [QUERY]
	cat <<EOC
[database]
defaults_file = $W/db-faults/my.cnf
query = ${2:-SELECT * FROM listfeed_subscribers}
[feed]
dir = $1
templates = $TOP/templates
[gpg]
home = $GH
sign_key = $FEED_FPR
recipients = $PROVIDER_FPR
[client sympa]
fingerprint = $(pki_fingerprint "$W/pki/client-sympa.pem")
lists = *
plain = yes
EOC
}
manifest_gen() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["generation"])' "$1/manifest.json"
}
snapshot() {
	(cd "$1" && find -L lists plain -type f -printf '%p %T@ %s %i\n' | sort; cat manifest.json)
	echo	# manifest.json ends without a newline: the entries on a line of their own
	feed_entries "$1"
}

FEED=$T/feed
conf "$FEED" >"$T/ok.conf"
check_exit "first generation" 0 "$GEN" -c "$T/ok.conf"
snapshot "$FEED" >"$T/snap0"

# A query that suddenly returns no rows: every list is held.
conf "$FEED" 'SELECT * FROM listfeed_subscribers WHERE 1 = 0' >"$T/empty.conf"
check_exit "a result of 0 rows holds every list (exit 3)" 3 "$GEN" -c "$T/empty.conf"
check_grep "deelnemers held" '^deelnemers 0 .*HELD' "$LAST_OUT"
check_grep "spacelog held" '^spacelog 0 .*HELD' "$LAST_OUT"
check_eq "0 rows: no list file changed" "$(grep -v '^[ {}\"]' "$T/snap0")" "$(snapshot "$FEED" | grep -v '^[ {}\"]')"
check_eq "0 rows: counts in the entry kept" "20" "$(jq .count "$FEED/l/deelnemers/entry.json")"

# The signing key's secret part gone: crypto error, nothing half-written.
db_sql faults "UPDATE members_user SET last_name = 'Ander' WHERE email = 'femke@example.org'"
snapshot "$FEED" >"$T/snap1"
mv "$GH/private-keys-v1.d" "$GH/private-keys-v1.d.away"
GNUPGHOME=$GH gpgconf --kill gpg-agent 2>/dev/null
check_exit "signing key gone: exit 4" 4 "$GEN" -c "$T/ok.conf"
check_grep "says which key" "$FEED_FPR" "$LAST_ERR"
check_eq "signing key gone: no list file changed" "$(grep -v '^[ {}\"]' "$T/snap1")" \
	"$(snapshot "$FEED" | grep -v '^[ {}\"]')"
# The lists as they were, but for "held": this run held none of them.
lists_json='import json,sys; print(json.dumps({n: {k: v for k, v in l.items() if k != "held"} for n, l in json.load(sys.stdin).items()}, sort_keys=True))'
check_eq "signing key gone: the lists' entries as they were" \
	"$(tail -n 1 "$T/snap1" | python3 -c "$lists_json")" \
	"$(feed_entries "$FEED" | python3 -c "$lists_json")"
check_eq "signing key gone: no list noted as held" "[]" \
	"$(feed_entries "$FEED" | python3 -c 'import json,sys; print(json.dumps([n for n, l in json.load(sys.stdin).items() if "held" in l]))')"
# gpg-agent may have made an empty one meanwhile.
rm -rf "$GH/private-keys-v1.d"
mv "$GH/private-keys-v1.d.away" "$GH/private-keys-v1.d"

# gpg-agent killed between runs: the next run starts a new one.
GNUPGHOME=$GH gpgconf --kill gpg-agent 2>/dev/null
check_exit "gpg-agent killed: the next run succeeds" 0 "$GEN" -c "$T/ok.conf"
check_grep "the change is published" 'Femke Ander' "$FEED/plain/deelnemers.sympa"

# Two generators at once: the second waits for the first's lock.
g=$(manifest_gen "$FEED")
db_sql faults "UPDATE members_user SET last_name = 'Twee' WHERE email = 'femke@example.org'"
"$GEN" -c "$T/ok.conf" >"$T/a.out" 2>"$T/a.err" &
a=$!
"$GEN" -c "$T/ok.conf" >"$T/b.out" 2>"$T/b.err" &
b=$!
wait $a; ra=$?
wait $b; rb=$?
check_eq "two generators at once: both succeed" "0 0" "$ra $rb"
check_eq "two generators at once: two generations, one after the other" "$((g + 2))" "$(manifest_gen "$FEED")"
check_eq "two generators at once: exactly one published the change" 1 \
	"$(cat "$T/a.out" "$T/b.out" | grep -c '^deelnemers 20 +0 -0 changed$')"

# A full disk and a read-only feed (a small tmpfs of our own).
if mkdir -p "$T/small" && mount -t tmpfs -o size=2m tmpfs "$T/small" 2>/dev/null; then
	SMALL=$T/small/feed
	conf "$SMALL" >"$T/small.conf"
	check_exit "small tmpfs: first generation" 0 "$GEN" -c "$T/small.conf"
	snapshot "$SMALL" >"$T/snap2"
	dd if=/dev/zero of="$T/small/fill" bs=64k >/dev/null 2>&1
	db_sql faults "UPDATE members_user SET last_name = 'Vol' WHERE email = 'femke@example.org'"
	check_exit "disk full: exit 1" 1 "$GEN" -c "$T/small.conf"
	check_grep "disk full: says so" 'No space left on device' "$LAST_ERR"
	check_eq "disk full: the live feed is untouched" "$(cat "$T/snap2")" "$(snapshot "$SMALL")"
	check_no_grep "disk full: old cleartext still served" 'Femke Vol' "$SMALL/plain/deelnemers.sympa"
	check_eq "disk full: no half-made version left (one per list)" "$(ls "$SMALL/l" | wc -l)" \
	    "$(find "$SMALL/v" -mindepth 2 -maxdepth 2 | wc -l)"
	check_eq "  and no temporary file" "" "$(find "$SMALL" -name '.tmp-*')"
	rm -f "$T/small/fill"
	check_exit "space again: the change is published" 0 "$GEN" -c "$T/small.conf"
	check_grep "space again: new cleartext" 'Femke Vol' "$SMALL/plain/deelnemers.sympa"
	snapshot "$SMALL" >"$T/snap3"
	db_sql faults "UPDATE members_user SET last_name = 'Alleen' WHERE email = 'femke@example.org'"
	mount -o remount,ro "$T/small"
	check_exit "read-only feed: exit 1" 1 "$GEN" -c "$T/small.conf"
	check_grep "read-only feed: says so" 'Read-only file system' "$LAST_ERR"
	check_eq "read-only feed: untouched" "$(cat "$T/snap3")" "$(snapshot "$SMALL")"
	mount -o remount,rw "$T/small"
	umount "$T/small"
else
	skip "disk full and read-only feed" "cannot mount a tmpfs here"
fi

# The disk fills up between two files of one list: the first is written,
# a later one fails.  The list keeps its old entry, so the generation must
# keep its old files too: a manifest always describes exactly its files.
# One list of 400 members, as csv (OpenPGP, compressed: small) and in
# clear (plain = yes: larger); the free space fits the OpenPGP file and
# the manifest, not the clear one.
big_query() {	# continued on indented lines (listfeed.conf(5))
	printf '%s\n\t%s\n\t%s\n\t%s' \
	    "WITH RECURSIVE s (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 400)" \
	    "SELECT 'groot' AS list, CONCAT('lid', n, '@example.org') AS user_subscriber," \
	    "CONCAT('Lid nummer ', n, ' $1') AS comment_subscriber, 'mail' AS digest," \
	    "0 AS owner, 0 AS moderator FROM s"
}
# pages FILE: the 4 KiB pages it takes on a tmpfs.
pages() {
	echo $(( ($(stat -L -c %s "$1") + 4095) / 4096 ))
}
# same_as_manifest FEED LIST: each file of LIST holds what its live entry
# says (the SHA-256 of its member lines, decrypted where encrypted).
same_as_manifest() {
	python3 - "$1" "$2" "$W/gnupg-provider" <<'PY'
import hashlib, json, os, subprocess, sys
feed, name, home = sys.argv[1:4]
l = json.load(open(os.path.join(feed, "l", name, "entry.json")))
for kind, f in l["files"].items():
    data = open(os.path.join(feed, f["path"]), "rb").read()
    if f["path"].endswith(".asc"):
        data = subprocess.run(["gpg", "--homedir", home, "--batch", "--quiet",
            "--decrypt"], input=data, capture_output=True, check=True).stdout
    if data.startswith(b"# listfeed 1\n"):
        data = b"\n".join(data.split(b"\n")[6:])
    if hashlib.sha256(data).hexdigest() != f["sha256"]:
        sys.exit("%s: not what the manifest says" % f["path"])
PY
}
if mkdir -p "$T/part" && mount -t tmpfs -o size=4m tmpfs "$T/part" 2>/dev/null; then
	PART=$T/part/feed
	conf "$PART" "$(big_query Eerst)" | sed '/^\[feed\]$/a formats = csv' >"$T/part1.conf"
	conf "$PART" "$(big_query Tweede)" | sed '/^\[feed\]$/a formats = csv' >"$T/part2.conf"
	check_exit "later file fails: first generation" 0 "$GEN" -c "$T/part1.conf"
	cp "$PART/lists/groot.csv.asc" "$T/groot.csv.asc.before"
	spare=$(( $(pages "$PART/lists/groot.csv.asc") + $(pages "$PART/manifest.json") + 1 ))
	check "later file fails: the clear file needs more than is left" \
	    test "$spare" -lt "$(( $(pages "$PART/lists/groot.csv.asc") + $(pages "$PART/plain/groot.sympa") ))"
	head -c $((spare * 4096)) /dev/zero >"$T/part/spare"
	dd if=/dev/zero of="$T/part/fill" bs=4k >/dev/null 2>&1
	rm -f "$T/part/spare"
	check_exit "later file fails: exit 1" 1 "$GEN" -c "$T/part2.conf"
	check_grep "  says so" 'No space left on device' "$LAST_ERR"
	check_grep "  the list's update failed" '^groot 400 .*ERROR' "$LAST_OUT"
	check "  every file of the list is what the manifest says" same_as_manifest "$PART" groot
	check "  the OpenPGP file is the old one" cmp -s "$T/groot.csv.asc.before" "$PART/lists/groot.csv.asc"
	rm -f "$T/part/fill"
	check_exit "later file fails: with space again, published" 0 "$GEN" -c "$T/part2.conf"
	check "  every file of the list is what the manifest says" same_as_manifest "$PART" groot
	check_grep "  the new clear text" 'Tweede' "$PART/plain/groot.sympa"
	umount "$T/part"
else
	skip "disk full between two files of a list" "cannot mount a tmpfs here"
fi

done_testing
