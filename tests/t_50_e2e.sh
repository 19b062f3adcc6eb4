#!/usr/bin/env bash
# End to end: MariaDB -> listfeed-gen --watch -> listfeed.fcgi -> nginx with
# client TLS -> Sympa's own data source code (Sympa 6.2.70 from Debian).
set -u
. "$(dirname "$0")/lib/common.sh"
require_exec "$GEN" "$FCGI"

. "$(dirname "$0")/lib/sympa.sh"

gen_world e2e

FEED=$T/feed
CONF=$T/listfeed.conf
{
	RECIPIENTS="$PROVIDER_FPR $ADMIN_FPR" base_conf e2e "$FEED" "$T/trigger.sock"
	client_conf sympa "deelnemers spacelog" plain
	client_conf crm '*' trigger
} >"$CONF"
gen_watch e2e "$CONF" "$FEED"
site_start e2e "$CONF" "$FEED" || bail_out "listfeed.fcgi behind nginx"

sympa() {	# sympa CLIENT PATH: what Sympa keeps from that URL
	sympa_fetch "$URL$2" "$1"
}

check "Sympa fetches deelnemers" sympa sympa /lists/deelnemers
cp "$LAST_OUT" "$T/sympa.deelnemers"
sympa_expected "$TOP/tests/fixture/expected/deelnemers.sympa" >"$T/expected.deelnemers"
check_file_eq "Sympa parses exactly the expected members and names" \
	"$T/expected.deelnemers" "$T/sympa.deelnemers"
check_eq "Sympa skipped no line" "" "$(grep -i 'skip' "$LAST_ERR")"
check "reception=mail source" sympa sympa '/lists/deelnemers?reception=mail'
cp "$LAST_OUT" "$T/sympa.mail"
check "reception=digest source" sympa sympa '/lists/deelnemers?reception=digest'
cp "$LAST_OUT" "$T/sympa.digest"
check_eq "digest source: the two digest members" \
	"$(printf 'yara+lists@example.org\nzoe.chateau@example.fr')" "$(cut -f1 "$T/sympa.digest")"
check_eq "mail + digest sources = the whole list" "$(sort "$T/sympa.deelnemers")" \
	"$(sort "$T/sympa.mail" "$T/sympa.digest")"

check_exit "a list Sympa may not see: the source fails (kept members)" 2 sympa sympa /lists/hetbestuur
check_exit "an unknown list: the source fails" 2 sympa sympa /lists/nosuchlist
check_exit "a certificate without ACL entry: the source fails" 2 sympa unknown /lists/deelnemers
check_exit "a certificate from another CA: the source fails" 2 sympa foreign /lists/deelnemers
check_exit "an encrypted file is not for Sympa: the source fails" 2 sympa sympa /lists/deelnemers.sympa.asc
check_grep "Sympa is told why (406)" 'Not Acceptable' "$LAST_ERR"

# The guard: the CRM's list emptied by mistake; Sympa still gets the last good one.
db_sql e2e "CREATE TABLE keep_sub AS SELECT * FROM mailinglists_subscription;
	UPDATE mailinglists_subscription SET active = 0"
g=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["generation"])' "$FEED/manifest.json")
check "CRM trigger with wait: answered" pki_curl crm -f -X POST "$URL/-/regenerate?wait=20"
cp "$LAST_OUT" "$T/report.json"
check_eq "report: the generation held lists" "held" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"])' "$T/report.json")"
check "Sympa fetches deelnemers while it is held" sympa sympa /lists/deelnemers
check_file_eq "held: Sympa still gets every member" "$T/expected.deelnemers" "$LAST_OUT"
db_sql e2e "UPDATE mailinglists_subscription s JOIN keep_sub k ON k.id = s.id SET s.active = k.active;
	DROP TABLE keep_sub"

# A real change, pushed by the CRM, reaches Sympa.
db_sql e2e "UPDATE mailinglists_subscription s JOIN members_user u ON u.id = s.member_id
	JOIN mailinglists_mailinglist l ON l.id = s.mailinglist_id
	SET s.active = 0 WHERE l.name = 'deelnemers' AND u.email = 'dekker@example.nl'"
check "CRM trigger for deelnemers with wait" pki_curl crm -f -X POST "$URL/-/regenerate?list=deelnemers&wait=20"
cp "$LAST_OUT" "$T/report2.json"
check_eq "report: one update on deelnemers" "1 0 1" \
	"$(python3 -c 'import json,sys
r = json.load(open(sys.argv[1])); l = r["lists"]["deelnemers"]
print(r["updates"], l["added"], l["removed"])' "$T/report2.json")"
check "Sympa fetches the new list" sympa sympa /lists/deelnemers
check_eq "Sympa no longer sees the removed member" "" "$(grep '^dekker@' "$LAST_OUT")"
check_eq "and keeps the others" "$(($(wc -l <"$T/expected.deelnemers") - 1))" "$(wc -l <"$LAST_OUT" | tr -d ' ')"

done_testing
