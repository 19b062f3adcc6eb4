#!/usr/bin/env bash
# Operations in view, through a real nginx on a feed listfeed-gen made:
# the last fetch per client (status, metrics, index page; a client learns
# only of itself and of clients whose every list it sees), the signing
# key's expiry (run.json, status, metrics, the generator's warning), the
# request counters by "code" with 406 counted, access lines without a
# timestamp of their own under the journal, and the example alert rules
# naming only metrics that /-/metrics really has.
set -u
. "$(dirname "$0")/lib/common.sh"

require_exec "$GEN"
need_fcgi_nginx
gen_world gen

F=$T/feed
CONF=$T/listfeed.conf
{
	base_conf gen "$F"
	client_conf sympa 'deelnemers spacelog' plain
	client_conf admin '*'
	client_conf crm '' trigger
} >"$CONF"
# client_conf writes "lists = " for the CRM: it has none.
sed -i 's/^lists = $//' "$CONF"

json() {	# json FILE PYTHON-EXPR (of j): the value, printed
	python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
metric() {	# metric NAME[{LABELS}]: its value in $T/body
	awk -v n="$1" '$1 == n { print $2 }' "$T/body"
}

# ------------------------------------------------------ the signing key
check_exit "a generation" 0 "$GEN" -c "$CONF"
want=$(gpg_expiry "$W/gnupg" "$FEED_FPR")
check_eq "run.json: the signing key's expiry, as gpg lists it" "$want" \
    "$(json "$F/run.json" 'j.get("sign_key_expires")')"
# A run that changes nothing encrypts nothing, so it lists no key: no gpg
# at all; run.json keeps the expiry the last run recorded (the responder's
# status and metrics below show it from this run's run.json).
check_exit "a generation that changes nothing" 0 \
    execs_traced "$T/nochange.trace" "$GEN" -c "$CONF" --once
check_eq "... starts no gpg" 0 "$(gpg_starts "$T/nochange.trace")"
check_eq "... and keeps the expiry in run.json" "$want" \
    "$(json "$F/run.json" 'j.get("sign_key_expires")')"

# A key that expires in 10 days: the generator warns, run.json has it.
GH=$T/gnupg-soon
mkdir -m 700 "$GH"
gpg --homedir "$GH" --batch --passphrase '' --quick-gen-key 'Soon <soon@example.org>' \
    ed25519 sign 10d 2>/dev/null
SOON=$(gpg --homedir "$GH" --batch --with-colons --list-secret-keys 2>/dev/null |
	awk -F: '$1 == "fpr" { print $10; exit }')
gpg --homedir "$W/gnupg" --batch --export "$PROVIDER_FPR" | gpg --homedir "$GH" --batch --import 2>/dev/null
sed -e "s#^home = .*#home = $GH#" -e "s#^sign_key = .*#sign_key = $SOON#" \
    -e "s#^dir = .*#dir = $T/feed-soon#" "$CONF" >"$T/soon.conf"
check_exit "a generation signed by a key that expires in 10 days" 0 \
    execs_traced "$T/soon.trace" "$GEN" -c "$T/soon.conf"
check_eq "... lists the signing key once (its expiry from that listing)" 1 \
    "$(gpg_starts "$T/soon.trace" '"--list-')"
check_grep "... warns that the key expires soon" \
    "signing key $SOON: expires .*, in (9|10) days" "$LAST_ERR"
check_eq "... and records when" "$(gpg_expiry "$GH" "$SOON")" \
    "$(json "$T/feed-soon/run.json" 'j.get("sign_key_expires")')"
check_exit "--check-config passes (an expiry is no problem yet)" 0 \
    "$GEN" -c "$T/soon.conf" --check-config
check_grep "... and warns too" "signing key $SOON: expires .*, in (9|10) days" "$LAST_ERR"
gpgconf --homedir "$GH" --kill all 2>/dev/null

# ------------------------------------------------- the two --check-config
check_exit "listfeed.fcgi --check-config" 0 "$FCGI" -c "$CONF" --check-config
check_eq "... says so on standard output" "$CONF: configuration ok" "$(cat "$LAST_OUT")"
check_exit "listfeed-gen --check-config" 0 "$GEN" -c "$CONF" --check-config
check_eq "... in the same words, on the same stream" "$CONF: configuration ok" "$(cat "$LAST_OUT")"
check_exit "listfeed.fcgi --help: exit 0" 0 "$FCGI" --help
check_grep "... usage on standard output" '^usage: listfeed.fcgi' "$LAST_OUT"
check_exit "listfeed.fcgi --version: exit 0" 0 "$FCGI" --version
check_grep "... on standard output" '^listfeed.fcgi [0-9]' "$LAST_OUT"
check_exit "listfeed.fcgi: a bad option, exit 1" 1 "$FCGI" --no-such-option
check_grep "... usage on standard error" '^usage: listfeed.fcgi' "$LAST_ERR"
# Two problems at once: a bad index template and a damaged manifest.
mkdir -p "$T/badidx" "$T/feed-bad"
{ cat "$TOP/templates/index.html"; echo '<!-- BEGIN nosuch -->'; } >"$T/badidx/index.html"
echo '{"version": 1, "lists": [' >"$T/feed-bad/manifest.json"
sed -e "s#^templates = .*#templates = $T/badidx#" -e "s#^dir = .*#dir = $T/feed-bad#" \
    "$CONF" >"$T/bad.conf"
check_exit "listfeed.fcgi --check-config with two problems: exit 1" 1 \
    "$FCGI" -c "$T/bad.conf" --check-config
check_grep "... names the template" 'badidx/index.html' "$LAST_ERR"
check_grep "... names the manifest" 'feed-bad/manifest.json' "$LAST_ERR"
check_grep "... counts them" 'bad.conf: 2 problems found' "$LAST_ERR"
check_eq "... and says nothing on standard output" "" "$(cat "$LAST_OUT")"

# -------------------------------------------------------- the responder
LOG=$W/log/fcgi-t44.log
: >"$LOG"
JOURNAL_STREAM=$(stat -c '%d:%i' "$LOG") site_start t44 "$CONF" "$F" ||
	bail_out "listfeed.fcgi or nginx did not start"
# A fetch is of a list's live version: its generation, not the last run's.
GEN_NOW=$(basename "$(readlink "$F/l/deelnemers")")

check_eq "metrics: no fetch by sympa yet" 200 "$(site_req admin /-/metrics)"
check_eq "  its time is 0" 0.000 \
    "$(metric 'listfeed_client_last_fetch_timestamp_seconds{client="sympa"}')"
before=$(date +%s)
check_eq "sympa fetches its list" 200 "$(site_req sympa /lists/deelnemers)"
check_eq "a HEAD is no fetch" 200 "$(site_req sympa /lists/spacelog -I)"
check_eq "406 to Sympa for an OpenPGP file" 406 \
    "$(site_req sympa /lists/deelnemers.csv.asc -A 'Sympa/6.2.70')"

check_eq "admin: metrics" 200 "$(site_req admin /-/metrics)"
cp "$T/body" "$T/metrics"
t=$(metric 'listfeed_client_last_fetch_timestamp_seconds{client="sympa"}')
check "metrics: sympa's last fetch is now" test "${t%.*}" -ge "$before" -a "${t%.*}" -le "$(date +%s)"
check_eq "metrics: from the generation served" "$GEN_NOW" \
    "$(metric 'listfeed_client_last_fetch_generation{client="sympa"}')"
check_eq "metrics: the CRM fetched nothing" 0 \
    "$(metric 'listfeed_client_last_fetch_generation{client="crm"}')"
check_eq "metrics: the signing key's expiry" "$want" \
    "$(metric listfeed_signing_key_expiry_timestamp_seconds)"
check_grep "metrics: 406 counted" '^listfeed_requests_total\{code="406"\} [1-9][0-9]*$' "$T/body"
check_grep "metrics: the status label is \"code\"" '^listfeed_requests_total\{code="200"\} [1-9]' "$T/body"
check_no_grep "metrics: no \"status\" label" 'status=' "$T/body"
check_grep "metrics: when the responder started" '^listfeed_start_timestamp_seconds [1-9]' "$T/body"

check_eq "admin: status" 200 "$(site_req admin /-/status)"
check_eq "status: sympa's last fetch, generation" "$GEN_NOW" \
    "$(json "$T/body" 'j["fetches"]["sympa"]["generation"]')"
check "status: its time" test "$(json "$T/body" 'j["fetches"]["sympa"]["last_ms"] // 1000')" -ge "$before"
check_eq "status: none by the CRM" None "$(json "$T/body" 'j["fetches"]["crm"]')"
check_eq "status: the signing key's expiry" "$want" \
    "$(json "$T/body" 'j["signing_key"]["expires"]')"

check_eq "sympa: status" 200 "$(site_req sympa /-/status)"
check_eq "sympa learns of its own fetches only" "['sympa']" \
    "$(json "$T/body" 'sorted(j["fetches"])')"
check_eq "sympa: metrics" 200 "$(site_req sympa /-/metrics)"
check_no_grep "sympa: no other client in its metrics" 'client="(admin|crm)"' "$T/body"

check_eq "admin: index page" 200 "$(site_req admin /)"
check_grep "index: sympa's last fetch and its generation" \
    "<code>sympa</code></td><td>[0-9T:Z-]+</td><td class=\"n\">$GEN_NOW<" "$T/body"
check_grep "index: the CRM has not fetched" \
    '<code>crm</code></td><td>not since start</td>' "$T/body"

# Under the journal, which stamps lines itself: no timestamp of our own.
check_grep "journal: an access line without its own time" \
    '^<6>listfeed.fcgi: request sympa [0-9a-f]{40} GET /lists/deelnemers 200 ' "$LOG"
check_no_grep "journal: no RFC 3339 time in access lines" \
    '^<6>listfeed.fcgi: request [0-9]{4}-' "$LOG"

# ---------------------------------------------------------- alert rules
RULES=$TOP/doc/prometheus-alerts.yml
check "doc/prometheus-alerts.yml parses as YAML" python3 -c \
    'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); assert d["groups"][0]["rules"]' "$RULES"
grep -o 'listfeed_[a-z_]*' "$RULES" | sort -u >"$T/rule-metrics"
check "the rules name some metrics" test -s "$T/rule-metrics"
while read -r m; do
	check_grep "alert rules: $m is exported" "^$m(\{| )" "$T/metrics"
done <"$T/rule-metrics"

done_testing
