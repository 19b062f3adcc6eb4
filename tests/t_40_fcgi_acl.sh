#!/bin/bash
# listfeed.fcgi behind nginx: who may fetch what. No, unknown or foreign
# certificates get 403 (or nginx's 400); a list a client may not see, or
# its clear text for a client with plain = no, is the same 404 as an
# unknown list. Each request leaves one audit line, without addresses.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$TOP/tests/lib/fcgi.sh"

fcgi_site_shared || bail_out "listfeed.fcgi behind nginx did not start"

# ------------------------------------------------------------ authorisation
check_eq "no certificate: 403" 403 "$(req none /lists/deelnemers)"
check_eq "no certificate: one-line reason" "client certificate required" "$(cat "$T/body")"
check_eq "no certificate on /: 403" 403 "$(req none /)"
check_eq "unknown certificate: 403" 403 "$(req unknown /lists/deelnemers)"
check_eq "unknown certificate: reason" "unknown client certificate" "$(cat "$T/body")"
check_eq "unknown certificate on /-/status: 403" 403 "$(req unknown /-/status)"
code=$(pki_curl none --path-as-is -o "$T/body" -w '%{http_code}' \
    --cert "$W/pki/client-foreign.pem" --key "$W/pki/client-foreign.key" \
    "$URL/lists/deelnemers" 2>/dev/null)
check_eq "foreign CA: 400 from nginx" 400 "$code"

check_eq "sympa: list it may not see: 404" 404 "$(req sympa /lists/bestuur.csv.asc)"
cp "$T/body" "$T/body.hidden"
check_eq "sympa: unknown list: 404" 404 "$(req sympa /lists/nosuchlist.csv.asc)"
check_file_eq "hidden and unknown lists: same answer" "$T/body.hidden" "$T/body"
check_eq "sympa: plain of a list it may not see: 404" 404 "$(req sympa /lists/bestuur)"
check_file_eq "  same answer" "$T/body.hidden" "$T/body"
check_eq "sympa: format not in the manifest: 404" 404 "$(req sympa /lists/deelnemers.mailman.asc)"
# plain = no: the clear text does not exist for that client (404, as unknown).
check_eq "admin (plain = no): clear text 404" 404 "$(req admin /lists/deelnemers)"
check_file_eq "  same answer as an unknown list" "$T/body.hidden" "$T/body"
check_eq "admin: no plain for a list without clear text either" 404 "$(req admin /lists/bestuur)"

# ------------------------------------------------------------ audit log
req sympa /lists/deelnemers >/dev/null
req sympa /lists/deelnemers -I >/dev/null
check_grep "audit line for a fetch" \
    "request [0-9T:-]+Z sympa $FP_SYMPA GET /lists/deelnemers 200 $(wc -c <"$F/plain/deelnemers.sympa")\$" "$LOG"
check_grep "audit line for a refusal" "request [0-9T:-]+Z - - GET /lists/deelnemers 403 " "$LOG"
check_grep "audit line for HEAD" "request [0-9T:-]+Z sympa $FP_SYMPA HEAD /lists/deelnemers 200 0\$" "$LOG"
check_no_grep "no subscriber address in the log" '@example\.org' "$LOG"

fcgi_site_done
done_testing
