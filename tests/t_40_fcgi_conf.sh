#!/bin/bash
# listfeed.fcgi -n and the command line: what configuration it accepts and
# refuses, with file and line. No server runs.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$TOP/tests/lib/fcgi.sh"

fcgi_world || bail_out "fcgi_world"

check "-n accepts the configuration" "$FCGI" -n -c "$CONF"
printf '[feed]\ndir = relative\n' >"$T/bad.conf"
check_exit "-n refuses a relative feed dir" 1 "$FCGI" -n -c "$T/bad.conf"
check_exit "-n refuses a missing file" 1 "$FCGI" -n -c "$T/none.conf"
# A format may not take the name of an internal file kind.
for k in plain plain-mail plain-digest sympa-mail sympa-digest; do
	printf '[feed]\ndir = /tmp\ntemplates = '"$TOP/templates"'\nformats = csv %s\n' "$k" >"$T/bad.conf"
	check_exit "-n refuses format \"$k\" (an internal kind)" 1 "$FCGI" -n -c "$T/bad.conf"
	check_grep "  with file:line" "bad.conf:4: .*$k" "$LAST_ERR"
	printf '[feed]\ndir = /tmp\ntemplates = '"$TOP/templates"'\n[list x]\nformats = %s\n' "$k" >"$T/bad.conf"
	check_exit "-n refuses [list] format \"$k\"" 1 "$FCGI" -n -c "$T/bad.conf"
done
printf '[feed]\ndir = /tmp\ntemplates = '"$TOP/templates"'\nformats = plaintext\n' >"$T/ok.conf"
check "-n accepts format \"plaintext\"" "$FCGI" -n -c "$T/ok.conf"
check_exit "unknown option: usage, exit 1" 1 "$FCGI" -Z
check_exit "stray argument: usage, exit 1" 1 "$FCGI" -c "$CONF" extra

done_testing
