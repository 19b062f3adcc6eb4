#!/usr/bin/env bash
# listfeed-relay: a member moving from mail to digest is never in neither
# file Sympa reads.  When the digest file cannot be fetched in the round
# that brings the new mail file, the new mail file waits (pair.h).
set -u
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/relay.sh"
require_exec "$RELAY"
relay_world t79 || bail_out "feed server"

members 40 >"$T/all.txt"
head -n 30 "$T/all.txt" >"$T/mail.txt"
tail -n 10 "$T/all.txt" >"$T/digest.txt"
pub() {	# pub REC GEN FILE
	sympa_text deelnemers "$1" "$2" <"$3" | publish deelnemers "$1"
}
publish_all 2 "$T/all.txt" || bail_out "publish"
pub mail 2 "$T/mail.txt" && pub digest 2 "$T/digest.txt" || bail_out "publish"
relay_start t79 || bail_out "relay"
check "first round" wait_until 20 grep -q 'round done' "$W/log/relay-t79.log"

# m030 moves to digest; the digest file is not there this round.
head -n 29 "$T/all.txt" >"$T/mail3.txt"
tail -n 11 "$T/all.txt" >"$T/digest3.txt"
pub mail 3 "$T/mail3.txt" || bail_out "publish"
mv "$FEEDDIR/digest/deelnemers.sympa.asc" "$T/digest.asc.kept"
check "a round with the new mail file and no digest file" relay_refresh t79
relay_get '/lists/deelnemers?reception=mail'
cp "$BODY" "$T/mail.served"
relay_get '/lists/deelnemers?reception=digest'
cp "$BODY" "$T/digest.served"
check_eq "m030 is still in one of the two files" 1 \
	"$(cat "$T/mail.served" "$T/digest.served" | grep -c '^m030@')"
check_grep "the new mail file waits, and the log says why" \
	'm030@example.org left this file but is still in the list' "$W/log/relay-t79.log"

pub digest 3 "$T/digest3.txt" || bail_out "publish"
check "a round with the new digest file" relay_refresh t79
check "and one more" relay_refresh t79
relay_get '/lists/deelnemers?reception=mail'
check_eq "then the new mail file is served" "$(cat "$T/mail3.txt")" "$(members_of "$BODY")"
relay_get '/lists/deelnemers?reception=digest'
check_eq "and the new digest file" "$(cat "$T/digest3.txt")" "$(members_of "$BODY")"

# A member who leaves the list leaves the mail file at once.
head -n 28 "$T/all.txt" >"$T/mail4.txt"
{ head -n 28 "$T/all.txt"; tail -n 11 "$T/all.txt"; } >"$T/all4.txt"
pub all 4 "$T/all4.txt" && pub mail 4 "$T/mail4.txt" || bail_out "publish"
check "a round where m029 left the list" relay_refresh t79
relay_get '/lists/deelnemers?reception=mail'
check_eq "the new mail file is served at once" "$(cat "$T/mail4.txt")" "$(members_of "$BODY")"
relay_stop t79
done_testing
