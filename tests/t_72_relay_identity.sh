#!/usr/bin/env bash
# listfeed-relay against a hostile feed: files that are not the feed
# key's encrypted, signed file of exactly this list and reception.  Each
# is refused (--once exits 4), the daemon keeps serving the last good
# members and says why in its status; no other member ever reaches Sympa.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/relay.sh"
require_exec "$RELAY"
relay_world t72 || bail_out "feed server"

members 12 >"$T/good.txt"
members 4 other.example >"$T/other.txt"
publish_all 5 "$T/good.txt" || bail_out "publish"
relay_start t72 || bail_out "relay"
check "first round: every source verified" wait_until 20 grep -q 'round done: 0' "$W/log/relay-t72.log"
relay_get /lists/deelnemers
check_eq "the good members are served" "$(cat "$T/good.txt")" "$(members_of "$BODY")"

# hostile CASE REASON-REGEX: the file is in place; one round, then the
# checks.  stdin: how to make the file (a command list).
hostile() {
	local what=$1 why=$2
	relay_refresh t72 || not_ok "$what: a round ran"
	relay_get /lists/deelnemers
	check_eq "$what: still 200" 200 "$HTTP_CODE"
	check_eq "$what: the last good members, no other" "$(cat "$T/good.txt")" "$(members_of "$BODY")"
	relay_get /-/status
	check_eq "$what: status says why" true "$(jq --arg re "$why" '.sources[] |
		select(.list == "deelnemers" and .reception == "all") |
		.serving and .generation == 5 and (.last_error // "" | test($re))' "$BODY")"
	check_exit "$what: --once exits 4" 4 "$RELAY" -c "$RCONF" --once
	check_grep "$what: --once says why" "^deelnemers all: refused: .*($why)" "$LAST_OUT"
}

# A genuine, newer file of another list at this URL.
sympa_text spacelog all 6 <"$T/other.txt" | publish deelnemers all
hostile "another list's genuine file" 'the file is list spacelog'
# The same list, another reception.
sympa_text deelnemers digest 6 <"$T/other.txt" | publish deelnemers all
hostile "another reception's file" 'reception digest'
sympa_text deelnemers all 6 <"$T/other.txt" | publish deelnemers all otherkey
hostile "signed by another key the relay knows" "signed by $ADMIN_FPR, not by signer $FEED_FPR"
sympa_text deelnemers all 6 <"$T/other.txt" | publish deelnemers all stranger
hostile "signed by a key the relay does not know" 'signature by [0-9A-F]+: No public key'
sympa_text deelnemers all 6 <"$T/other.txt" | publish deelnemers all unsigned
hostile "encrypted, not signed" 'not signed'
sympa_text deelnemers all 6 <"$T/other.txt" | publish deelnemers all clearsigned
hostile "signed, not encrypted" 'not encrypted|decrypt'
sympa_text deelnemers all 6 <"$T/other.txt" | publish deelnemers all twosigs
hostile "two signatures" 'more than one signature'
head -c 3000 /dev/urandom | publish deelnemers all raw
hostile "a garbage body" 'decrypt'
sympa_text deelnemers all 6 <"$T/other.txt" | publish deelnemers all
head -c 300 "$FEEDDIR/all/deelnemers.sympa.asc" >"$T/cut"
publish deelnemers all raw <"$T/cut"
hostile "a truncated file" 'decrypt'
publish deelnemers all raw </dev/null
hostile "an empty body" 'empty input'
sympa_text deelnemers all 6 13 <"$T/other.txt" | publish deelnemers all
hostile "a count that does not match the lines" 'content: .*file ends early'
sympa_text deelnemers all 6 3 <"$T/other.txt" | publish deelnemers all
hostile "more lines than the count" 'more lines than the count'
printf 'M001@EXAMPLE.ORG\n' | sympa_text deelnemers all 6 | publish deelnemers all
hostile "an address not normalised" 'not a normalised address'
printf 'evil@example.org\tName\001x\n' | sympa_text deelnemers all 6 | publish deelnemers all
hostile "a name with a control character" 'name not clean'
printf 'evil@example.org\tAnna \342\200\256gro\n' | sympa_text deelnemers all 6 | publish deelnemers all
hostile "a name with a right-to-left override (U+202E)" 'name not clean'
{ sympa_text deelnemers all 6 <"$T/good.txt"; printf '# extra\n'; } | publish deelnemers all
hostile "a comment line after the members" 'more lines than the count'

# A compression bomb, not even signed: 256 MiB of zeros that gpg packs
# into a few hundred KiB.  Refused once the cleartext passes 64 times the
# file, before the signature is looked at: the relay's memory stays small.
pid=$(bg_pid relay-t72)
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
before=$(hwm "$pid")
head -c 256M /dev/zero | _lf_gpg "$W/gnupg" --armor --compress-level 9 --encrypt \
	-r "$PROVIDER_FPR" --trust-model always 2>>"$T/gpg.log" | publish deelnemers all raw
bomb=$(stat -c %s "$FEEDDIR/all/deelnemers.sympa.asc")
check "a compression bomb: under 1 MiB on the wire" test "$bomb" -lt 1048576
hostile "a compression bomb" "cleartext larger than $((bomb * 64)) bytes"
grown=$(( $(hwm "$pid") - before ))
check "a compression bomb: the relay grew by less than 64 MiB (${grown} KiB)" test "$grown" -lt 65536

# A name with a code point unassigned in the relay's Unicode data
# (U+0378): a generator built with newer data may have kept it as a
# letter.  It harms no reader, and the file is served.
{ cat "$T/good.txt"; printf 'new@example.org\tAnna \315\270\n'; } | sympa_text deelnemers all 7 | publish deelnemers all
check "a round with a name holding U+0378" relay_refresh t72
relay_get /lists/deelnemers
check_eq "U+0378 in a name: the file is served" "$(cat "$T/good.txt"; printf 'new@example.org\tAnna \315\270')" "$(members_of "$BODY")"

relay_stop t72
done_testing
