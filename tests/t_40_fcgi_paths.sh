#!/bin/bash
# listfeed.fcgi behind nginx: the URL allow-list. Hostile paths (dot
# segments, encoded separators, NUL, case, length) and query strings get
# 400 or 404, never a file; nginx's internal /_feed/ is not reachable.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$TOP/tests/lib/fcgi.sh"

fcgi_site_shared || bail_out "listfeed.fcgi behind nginx did not start"

for p in '/lists/../manifest.json' '/lists/%2e%2e/manifest.json' \
    '/lists/..%2fmanifest.json' '/lists/deelnemers%2f..' '/lists/a%00b' \
    '/lists/%2e%2e' '/lists/Deelnemers' '/lists/deelnemers/' '/lists//deelnemers' \
    "/lists/$(printf 'a%.0s' $(seq 1 65))" "/lists/$(printf 'a%.0s' $(seq 1 300))" \
    '/lists/deelnemers%' '/lists/deelnemers%zz' '/plain/deelnemers.sympa' \
    '/manifest.json' '/lists/deelnemers.sympa.asc/..' '/lists/.asc' \
    '/lists/deelnemers.SYMPA.asc' '/lists/deelnemers..asc' '/-/' '/-/status/'; do
	code=$(req sympa "$p")
	case $code in
	400 | 404) ok "hostile path $p: $code" ;;
	*) not_ok "hostile path $p: 400 or 404" "got $code" ;;
	esac
done
for q in 'reception=both' 'reception=mail&reception=mail' 'reception=mail&reception=digest' \
    'x=1' 'reception' 'reception=' '&reception=mail' 'reception=mail&' 'reception=%6dail%00' \
    'list=deelnemers' 'wait=5'; do
	check_eq "bad query ?$q: 400" 400 "$(req sympa "/lists/deelnemers?$q")"
done
check_eq "?reception on an .asc of another format: 404" 404 "$(req admin '/lists/deelnemers.csv.asc?reception=mail')"
check_eq "?reception=both on an .asc: 400" 400 "$(req admin '/lists/deelnemers.sympa.asc?reception=both')"
check_eq "encoded but valid name is decoded once: 200" 200 "$(req sympa '/lists/deeln%65mers')"
check_eq "double encoding is not decoded twice: 400/404" 1 \
    "$(c=$(req sympa '/lists/deeln%2565mers'); [ "$c" = 400 ] || [ "$c" = 404 ]; echo $((! $?)))"
check_eq "direct request to /_feed/: 404" 404 "$(req sympa /_feed/plain/deelnemers.sympa)"
check_eq "direct request to /_feed/ without cert: 404" 404 "$(req none /_feed/manifest.json)"

fcgi_site_done
done_testing
