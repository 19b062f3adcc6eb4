#!/bin/bash
# listfeed.fcgi behind nginx: what it does when its files change under it.
# A changed configuration is read without restart, a broken one or a
# broken manifest leaves the last good one in force; a file the manifest
# names but that is missing is 404, an empty one where members are
# expected is 503, never a 200.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$TOP/tests/lib/fcgi.sh"

fcgi_site_own t40-reload || bail_out "listfeed.fcgi behind nginx did not start"

check_eq "sympa: bestuur hidden before the reload" 404 "$(req sympa /lists/bestuur.csv.asc)"
fcgi_conf "$CONF" "$F" "$TRIG" bestuur
check_eq "config reloaded without restart: bestuur visible" 200 "$(req sympa /lists/bestuur.csv.asc)"
printf '[feed]\ndir = relative\n' >"$CONF"
check_eq "broken config: old one kept" 200 "$(req sympa /lists/bestuur.csv.asc)"
check_grep "broken config: logged" 'reload failed' "$LOG"
fcgi_conf "$CONF" "$F" "$TRIG"
check_eq "fixed config: reloaded" 404 "$(req sympa /lists/bestuur.csv.asc)"
printf '{ not json' >"$F/.tmp-m" && mv "$F/.tmp-m" "$F/manifest.json"
check_eq "broken manifest: last good one kept" 200 "$(req sympa /lists/deelnemers)"
fcgi_manifest "$F" 7 7
req admin /-/status >/dev/null
check_grep "new manifest read" '"generation":7' "$T/body"
# The live version's own files (l/deelnemers -> v/deelnemers/7).
mv "$F/l/deelnemers/plain/deelnemers.sympa" "$F/l/deelnemers/plain/deelnemers.sympa.gone"
check_eq "file in the manifest but missing: 404" 404 "$(req sympa /lists/deelnemers)"
mv "$F/l/deelnemers/plain/deelnemers.sympa.gone" "$F/l/deelnemers/plain/deelnemers.sympa"
: >"$F/l/deelnemers/plain/mail/deelnemers.sympa"
check_eq "empty file where members are expected: never a 200" 503 \
    "$(req sympa '/lists/deelnemers?reception=mail')"

done_testing
