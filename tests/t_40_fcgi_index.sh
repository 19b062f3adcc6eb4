#!/bin/bash
# listfeed.fcgi behind nginx: the index page. Per client its lists and
# the links it may follow (clear text only with plain = yes, the encrypted
# files per format and reception), the run's message escaped, a strict CSP.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$TOP/tests/lib/fcgi.sh"

fcgi_site_shared || bail_out "listfeed.fcgi behind nginx did not start"

check_eq "admin: index 200" 200 "$(req admin /)"
cp "$T/body" "$T/index.html"
check_grep "index: text/html" '^[Cc]ontent-[Tt]ype: text/html; charset=utf-8' "$T/hdr"
check_grep "index: strict CSP" "^[Cc]ontent-[Ss]ecurity-[Pp]olicy: default-src 'none'" "$T/hdr"
check_grep "index: client name" '<strong>admin</strong>' "$T/index.html"
check_grep "index: list deelnemers" '<code>deelnemers</code>' "$T/index.html"
check_grep "index: list bestuur" '<code>bestuur</code>' "$T/index.html"
check_grep "index: .asc link" 'href="/lists/bestuur.csv.asc"' "$T/index.html"
check_grep "index: a format named plain... is listed" 'href="/lists/bestuur.plaintext.asc"' "$T/index.html"
check_no_grep "index: no link to a cleartext kind as a format" '\.plain(-mail|-digest)?\.asc' "$T/index.html"
check_grep "index: encrypted mail file" 'href="/lists/deelnemers.sympa.asc\?reception=mail"' "$T/index.html"
check_grep "index: encrypted digest file" 'href="/lists/deelnemers.sympa.asc\?reception=digest"' "$T/index.html"
check_no_grep "index (plain = no): no clear-text link" 'href="/lists/deelnemers"' "$T/index.html"
check_grep "index: run message escaped" '&lt;script&gt;alert\(1\)&lt;/script&gt; &amp; co' "$T/index.html"
check_no_grep "index: no raw <script>" '<script' "$T/index.html"
check_eq "sympa: index 200" 200 "$(req sympa /)"
check_grep "index (sympa): clear-text link" 'href="/lists/deelnemers"' "$T/body"
check_grep "index (sympa): digest link" 'href="/lists/deelnemers\?reception=digest"' "$T/body"
check_no_grep "index (sympa): no hidden list" 'bestuur' "$T/body"
check_eq "HEAD /: 200" 200 "$(req sympa / -I)"
check_no_grep "HEAD /: no body" '<html' "$T/body"

fcgi_site_done
done_testing
