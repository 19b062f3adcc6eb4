#!/usr/bin/env bash
# Both programs under valgrind (memcheck), built without sanitizers
# (make check builds them into build/vg): no invalid access, no use of
# uninitialised memory, no definite leak.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/vg.sh"
VG=${LF_VG_BUILD:-$TOP/build/vg}
[ -x "$VG/listfeed-gen" ] && [ -x "$VG/listfeed.fcgi" ] || skip_all "no plain build in $VG"
command -v valgrind >/dev/null || skip_all "valgrind is not installed"

gen_world vg

# valgrind cannot follow a seccomp filter: the sandbox is tested elsewhere.
export LISTFEED_SANDBOX=off
# The generator runs with its default encryption workers (threads in a
# run naming lists): vg (lib/vg.sh) leaves the leak check to the main
# process, not to GPGME's forked children, which hold the other threads'
# memory.

FEED=$T/feed
CONF=$T/listfeed.conf
{
	base_conf vg "$FEED"
	client_conf sympa '*' plain
} >"$CONF"

check_exit "listfeed-gen under valgrind: first generation" 0 vg "$T/gen1.vg" "$VG/listfeed-gen" -c "$CONF"
check "listfeed-gen: no memory error, no definite leak" vg_clean "$T/gen1.vg"
db_sql vg "UPDATE members_user SET last_name = 'Valgrind' WHERE email = 'femke@example.org'"
check_exit "listfeed-gen under valgrind: a change" 0 vg "$T/gen2.vg" "$VG/listfeed-gen" -c "$CONF"
check "listfeed-gen (change): clean" vg_clean "$T/gen2.vg"
# A run naming a list encrypts its files side by side, on threads.
db_sql vg "UPDATE members_user SET last_name = 'Valgrind 2' WHERE email = 'femke@example.org'"
check_exit "listfeed-gen under valgrind: a change, --list" 0 vg "$T/gen3.vg" "$VG/listfeed-gen" -c "$CONF" --list spacelog
check_grep "--list: spacelog changed" '^spacelog .* changed$' "$LAST_OUT"
check_grep "--list: the report counts the one list it visited" '^generation [0-9]+: 1 lists visited, ' "$LAST_OUT"
check "listfeed-gen (--list): clean" vg_clean "$T/gen3.vg"
sed "s#^port=.*#port=$(free_port)#" "$W/db-vg/my.cnf" >"$T/down.cnf"; chmod 600 "$T/down.cnf"
sed "s#^defaults_file = .*#defaults_file = $T/down.cnf#" "$CONF" >"$T/down.conf"
check_exit "listfeed-gen under valgrind: database down (exit 2)" 2 vg "$T/gen4.vg" "$VG/listfeed-gen" -c "$T/down.conf"
check "listfeed-gen (error path): clean" vg_clean "$T/gen4.vg"

# The responder behind nginx, under valgrind, for a handful of requests.
SOCK=$T/fcgi.sock
bg_start fcgi-vg valgrind "${VG_OPTS[@]}" --log-file="$T/fcgi.vg" "$VG/listfeed.fcgi" -c "$CONF" -s "$SOCK"
wait_until 60 test -S "$SOCK" || bail_out "listfeed.fcgi under valgrind did not start"
PORT=$(free_port)
site_conf "$PORT" "$SOCK" "$FEED" >"$T/site.conf"
nginx_start "$T/site.conf" vg || bail_out "nginx"
URL=https://localhost:$PORT
for path in / /lists/deelnemers '/lists/deelnemers?reception=digest' /lists/spacelog.csv.asc \
	/-/status /-/metrics /lists/nosuch '/lists/%2e%2e' '/lists/x?bogus=1'; do
	pki_curl sympa -o /dev/null "$URL$path" 2>/dev/null
done
pki_curl none -o /dev/null "$URL/" 2>/dev/null
check "the responder served under valgrind" pki_curl sympa -f -o /dev/null "$URL/lists/deelnemers"
kill -TERM "$(bg_pid fcgi-vg)"
wait_until 30 sh -c "! kill -0 $(bg_pid fcgi-vg) 2>/dev/null"
check "listfeed.fcgi: no memory error, no definite leak" vg_clean "$T/fcgi.vg"
[ -s "$T/fcgi.vg" ] && diag "$(head -n 20 "$T/fcgi.vg")"

done_testing
