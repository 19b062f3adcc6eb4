#!/usr/bin/env bash
# Faults: nothing is lost and the last good feed stays whole.
# An empty result, a full disk, a read-only feed, a signing key gone,
# the gpg-agent killed, two generators at once.
set -u
. "$(dirname "$0")/lib/common.sh"
require_exec "$GEN"

pki_setup || bail_out "pki_setup"
gpg_setup || bail_out "gpg_setup"
db_start faults tls || bail_out "db_start"
db_fixture faults || bail_out "db_fixture"

# A private copy of the feed key's home: this script breaks it on purpose.
GH=$T/gnupg
cp -a "$W/gnupg" "$GH"
rm -f "$GH"/S.* 2>/dev/null
echo "$GH" >>"$W/gnupg-homes"

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
check_eq "0 rows: counts in the manifest kept" "20" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["lists"]["deelnemers"]["count"])' "$FEED/manifest.json")"

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
lists_json='import json,sys; print(json.dumps({n: {k: v for k, v in l.items() if k != "held"} for n, l in json.load(open(sys.argv[1]))["lists"].items()}, sort_keys=True))'
check_eq "signing key gone: the manifest's lists as they were" \
	"$(sed -n '/^{/,$p' "$T/snap1" | python3 -c "$lists_json" /dev/stdin)" \
	"$(python3 -c "$lists_json" "$FEED/manifest.json")"
check_eq "signing key gone: no list noted as held" "[]" \
	"$(python3 -c 'import json,sys; print(json.dumps([n for n, l in json.load(open(sys.argv[1]))["lists"].items() if "held" in l]))' "$FEED/manifest.json")"
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
	check_eq "disk full: no half-made generation left" 1 "$(ls "$SMALL/g" | wc -l)"
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

done_testing
