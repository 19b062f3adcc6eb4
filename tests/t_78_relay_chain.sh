#!/usr/bin/env bash
# The whole chain with real parts: MariaDB -> listfeed-gen -> nginx +
# listfeed.fcgi with client TLS (no plain client: the web tier holds no
# cleartext) -> listfeed-relay -> Sympa's own data source code reading the
# relay on loopback: every member, the reception split, and a change in
# the CRM reaching Sympa.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/relay.sh"
. "$(dirname "$0")/lib/sympa.sh"
require_exec "$GEN" "$FCGI" "$RELAY"

gen_world chain

FEED=$T/feed
CONF=$T/listfeed.conf
{
	base_conf chain "$FEED"
	client_conf sympa "deelnemers spacelog"
} >"$CONF"
check "listfeed-gen --once: the first generation" "$GEN" -c "$CONF" --once
site_start chain "$CONF" "$FEED" || bail_out "listfeed.fcgi behind nginx"
relay_setup "$URL" || bail_out "relay_setup"
relay_start chain || bail_out "listfeed-relay"

sympa() {	# sympa LIST [RECEPTION]: what Sympa keeps from the relay, in $T/sympa.LIST.RECEPTION
	local q=""
	[ -n "${2:-}" ] && q="?reception=$2"
	sympa_fetch "$RELAY_URL/lists/$1$q" sympa >"$T/sympa.$1.${2:-all}"
}

for l in deelnemers spacelog; do
	check "Sympa reads $l from the relay" sympa "$l"
	sympa_expected "$TOP/tests/fixture/expected/$l.sympa" >"$T/expected.$l"
	check_file_eq "$l: exactly the expected members and names" "$T/expected.$l" "$T/sympa.$l.all"
	check_eq "$l: Sympa skipped no line" "" "$(grep -i 'skip' "$LAST_ERR")"
	check "$l?reception=mail" sympa "$l" mail
	check "$l?reception=digest" sympa "$l" digest
	check_eq "$l: mail + digest = the whole list" "$(sort "$T/sympa.$l.all")" \
		"$(sort "$T/sympa.$l.mail" "$T/sympa.$l.digest")"
done
check_eq "deelnemers: the two digest members" \
	"$(printf 'yara+lists@example.org\nzoe.chateau@example.fr')" "$(cut -f1 "$T/sympa.deelnemers.digest")"
check_exit "a list the relay does not serve: the source fails" 2 \
	sympa_fetch "$RELAY_URL/lists/hetbestuur" sympa

# No cleartext on the web tier, nor in the relay's state.
cut -f1 "$TOP"/tests/fixture/expected/*.sympa >"$T/addresses"
check_eq "no member address anywhere in the feed directory" "" \
	"$(grep -rliF -f "$T/addresses" "$FEED")"
check_no_grep "no member data in the relay's state" '@' "$RSTATE/relay.state"

# A change in the CRM, a new generation, a relay round: Sympa sees it.
db_sql chain "UPDATE mailinglists_subscription s JOIN members_user u ON u.id = s.member_id
	JOIN mailinglists_mailinglist l ON l.id = s.mailinglist_id
	SET s.active = 0 WHERE l.name = 'deelnemers' AND u.email = 'dekker@example.nl'"
check "listfeed-gen --once: a new generation" "$GEN" -c "$CONF" --once
check "SIGHUP: the relay fetches it" relay_refresh chain
check "Sympa reads the new deelnemers" sympa deelnemers
check_eq "Sympa no longer sees the removed member" "" "$(grep '^dekker@' "$T/sympa.deelnemers.all")"
check_eq "and keeps the others" "$(($(wc -l <"$T/expected.deelnemers") - 1))" \
	"$(wc -l <"$T/sympa.deelnemers.all" | tr -d ' ')"
check "the split follows: mail" sympa deelnemers mail
check "the split follows: digest" sympa deelnemers digest
check_eq "mail + digest = the new whole list" "$(sort "$T/sympa.deelnemers.all")" \
	"$(sort "$T/sympa.deelnemers.mail" "$T/sympa.deelnemers.digest")"
relay_get /-/status
check_eq "the relay's status: six sources, no error, deelnemers of the new generation" "6 6 $(jq \
	.generation "$FEED/manifest.json")" "$(jq -r '.sources | "\(length) \(map(select(.serving and
	.last_error == null)) | length) \(map(select(.list == "deelnemers" and .reception == "all"))[0].generation)"' "$BODY")"
done_testing
