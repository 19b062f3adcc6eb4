#!/usr/bin/env bash
# Sympa's own data source code (include_remote_file, from Debian's sympa
# 6.2.70) reads listfeed-relay on loopback: the whole list and the
# reception split, exactly the verified members; a 503 makes the source
# fail (Sympa keeps its members), and a refused file never reaches it.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/relay.sh"
. "$(dirname "$0")/lib/sympa.sh"
require_exec "$RELAY"
relay_world t76 || bail_out "feed server"

printf '%s\n' 'anna@example.org	Anna de Vries' 'Bob.Smith@example.net	Bob Smith' \
	'chloe@example.fr	Chloé Ünal' 'dirk@example.nl' 'eve+lists@example.org	Eve' >"$T/all.txt"
grep -v -e '^dirk@' -e '^eve' "$T/all.txt" >"$T/mail.txt"
grep -e '^dirk@' -e '^eve' "$T/all.txt" >"$T/digest.txt"
for r in all mail digest; do
	sympa_text deelnemers "$r" 4 <"$T/$r.txt" | publish deelnemers "$r"
done
relay_start t76 || bail_out "relay"

for r in all mail digest; do
	q=""
	[ "$r" = all ] || q="?reception=$r"
	check "Sympa reads deelnemers$q from the relay" sympa_fetch "$RELAY_URL/lists/deelnemers$q" sympa
	cp "$LAST_OUT" "$T/sympa.$r"
	sympa_expected "$T/$r.txt" >"$T/expected.$r"
	check_file_eq "Sympa keeps exactly the members ($r)" "$T/expected.$r" "$T/sympa.$r"
	check_eq "Sympa skipped no line ($r)" "" "$(grep -i 'skip' "$LAST_ERR")"
done
check_eq "mail + digest = the whole list" "$(sort "$T/sympa.all")" "$(sort "$T/sympa.mail" "$T/sympa.digest")"

check_exit "a list the relay does not serve: the source fails" 2 sympa_fetch "$RELAY_URL/lists/hetbestuur" sympa
check_exit "spacelog, with no good copy (404 at the feed): 503, the source fails" 2 \
	sympa_fetch "$RELAY_URL/lists/spacelog" sympa

# Another list's file at this URL: refused, Sympa still sees the members.
members 3 | sympa_text spacelog all 5 | publish deelnemers all
check "a round with the wrong file" relay_refresh t76
check "Sympa reads deelnemers" sympa_fetch "$RELAY_URL/lists/deelnemers" sympa
check_file_eq "the same members as before" "$T/expected.all" "$LAST_OUT"
done_testing
