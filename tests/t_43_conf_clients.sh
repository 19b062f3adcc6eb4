#!/bin/bash
# One certificate, one client: a fingerprint (or a subject) in two
# [client] sections is refused by both programs, naming both places
# (file:line), instead of the first section silently winning.
set -u
. "$(dirname "$0")/lib/common.sh"

require_exec "$FCGI" "$GEN"

C=$T/listfeed.conf
FA=0123456789abcdef0123456789abcdef01234567
FB=fedcba9876543210fedcba9876543210fedcba98

# expect_refused DESC FIRST-LINE SECOND-LINE WORDS: both programs exit 1
# and name $C:FIRST and $C:SECOND on one line with WORDS.
expect_refused() {
	local desc=$1 l1=$2 l2=$3 words=$4
	check_exit "listfeed.fcgi -n: $desc" 1 "$FCGI" -n -c "$C"
	check_grep "  names both places" "$C:$l2: .*$words.*$C:$l1" "$LAST_ERR"
	check_exit "listfeed-gen --check-config: $desc" 1 "$GEN" --check-config -c "$C"
	check_grep "  names both places" "$C:$l2: .*$words.*$C:$l1" "$LAST_ERR"
}

HEAD="[feed]
dir = $T/feed
templates = $TOP/templates
"

cat >"$C" <<EOF
$HEAD
[client sympa]
fingerprint = $FA
lists = deelnemers
plain = yes

[client admin]
lists = *
fingerprint = $FB
  ${FA^^}
EOF
expect_refused "a fingerprint in two clients" 6 13 "fingerprint $FA"

# Written with colons and upper case, it is the same certificate.
cat >"$C" <<EOF
$HEAD
[client a]
fingerprint = $FB
[client b]
fingerprint = $(printf '%s' "$FB" | tr a-f A-F | sed 's/../&:/g; s/:$//')
EOF
expect_refused "the same fingerprint in another spelling" 6 8 "fingerprint $FB"

cat >"$C" <<EOF
$HEAD
[client a]
subject = CN=sympa.example.net,O=Provider
lists = a

[client b]
lists = b
subject = CN=sympa.example.net,O=Provider
EOF
expect_refused "a subject in two clients" 6 11 "subject"

# Twice in one client is the same client: accepted.
cat >"$C" <<EOF
$HEAD
[client a]
fingerprint = $FA $FA
[client b]
fingerprint = $FB
subject = CN=b
EOF
check "listfeed.fcgi -n: a fingerprint twice in one client is fine" "$FCGI" -n -c "$C"

done_testing
