#!/bin/bash
# listfeed.fcgi behind nginx: the files it hands to nginx by
# X-Accel-Redirect (exact bytes and headers) for each URL and file kind:
# clear text per reception, OpenPGP files per format and reception, no URL
# for the clear-text kinds as formats, 406 to Sympa for an OpenPGP file.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$TOP/tests/lib/fcgi.sh"

fcgi_site_shared || bail_out "listfeed.fcgi behind nginx did not start"

# ------------------------------------------------------------ plain text
check_eq "sympa: GET /lists/deelnemers 200" 200 "$(req sympa /lists/deelnemers)"
check_file_eq "sympa: exact bytes of the Sympa file" "$F/plain/deelnemers.sympa" "$T/body"
check_eq "plain: Content-Type" "text/plain; charset=utf-8" "$(hdr Content-Type)"
check_eq "plain: Cache-Control" "private, no-store" "$(hdr Cache-Control)"
check_eq "plain: Content-Disposition" 'inline; filename="deelnemers.txt"' "$(hdr Content-Disposition)"
check_eq "plain: no X-Accel-Redirect leaks" "" "$(hdr X-Accel-Redirect)"
check_eq "sympa: ?reception=mail 200" 200 "$(req sympa '/lists/deelnemers?reception=mail')"
check_file_eq "reception=mail: exact bytes" "$F/plain/mail/deelnemers.sympa" "$T/body"
check_eq "sympa: ?reception=digest 200" 200 "$(req sympa '/lists/deelnemers?reception=digest')"
check_file_eq "reception=digest: exact bytes" "$F/plain/digest/deelnemers.sympa" "$T/body"

# ------------------------------------------------------------ ciphertext
check_eq "sympa: GET .sympa.asc 200" 200 "$(req sympa /lists/deelnemers.sympa.asc)"
check_file_eq ".asc: exact bytes" "$F/lists/deelnemers.sympa.asc" "$T/body"
check_eq ".asc: Content-Type" "application/pgp-encrypted" "$(hdr Content-Type)"
check_eq ".asc: Cache-Control" "private, no-cache" "$(hdr Cache-Control)"
check_eq ".asc: Content-Disposition" 'attachment; filename="deelnemers.sympa.asc"' \
    "$(hdr Content-Disposition)"
check_eq "admin: GET bestuur.csv.asc 200" 200 "$(req admin /lists/bestuur.csv.asc)"
check_file_eq "admin: exact bytes" "$F/lists/bestuur.csv.asc" "$T/body"

# The cleartext kinds are no format: no .asc URL reaches them, for any
# client (admin and crm have plain = no, sympa has plain = yes).
for c in admin crm sympa; do
	for k in plain plain-mail plain-digest; do
		check_eq "$c: /lists/deelnemers.$k.asc is no URL: 404" 404 \
		    "$(req "$c" "/lists/deelnemers.$k.asc")"
		check_no_grep "  $c: no cleartext in the answer" '@example' "$T/body"
	done
done
# A format whose name merely starts with "plain" is an ordinary format.
check_eq "admin: format plaintext: 200" 200 "$(req admin /lists/bestuur.plaintext.asc)"
check_file_eq "  exact bytes" "$F/lists/bestuur.plaintext.asc" "$T/body"

# The encrypted Sympa files per reception, for any client seeing the list.
for r in mail digest; do
	check_eq "admin: .sympa.asc?reception=$r: 200" 200 "$(req admin "/lists/deelnemers.sympa.asc?reception=$r")"
	check_file_eq "  exact bytes" "$F/lists/$r/deelnemers.sympa.asc" "$T/body"
	check_eq "  Content-Disposition" "attachment; filename=\"deelnemers.sympa.$r.asc\"" \
	    "$(hdr Content-Disposition)"
	check_eq "  Content-Type" "application/pgp-encrypted" "$(hdr Content-Type)"
	check_eq "Sympa's User-Agent: .sympa.asc?reception=$r: 406" 406 \
	    "$(req sympa "/lists/deelnemers.sympa.asc?reception=$r" -A 'Sympa/6.2.70')"
done
check_eq "Sympa's User-Agent: .sympa.asc: 406" 406 "$(req sympa /lists/deelnemers.sympa.asc -A 'Sympa/6.2.70')"
check_eq "  list it may not see: 404 first" 404 "$(req sympa /lists/bestuur.sympa.asc -A 'Sympa/6.2.70')"
check_eq "encrypted mail file not in the manifest: 404" 404 "$(req admin '/lists/bestuur.sympa.asc?reception=mail')"

fcgi_site_done
done_testing
