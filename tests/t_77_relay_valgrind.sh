#!/usr/bin/env bash
# listfeed-relay under valgrind (memcheck), built without sanitizers
# (make check builds it into build/vg): --once on good and refused files,
# and the daemon answering a handful of requests, with no invalid access,
# no use of uninitialised memory, no definite leak.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/vg.sh"
. "$(dirname "$0")/lib/relay.sh"
VG=${LF_VG_BUILD:-$TOP/build/vg}
[ -x "$VG/listfeed-relay" ] || skip_all "no plain build in $VG"
command -v valgrind >/dev/null || skip_all "valgrind is not installed"
relay_world t77 || bail_out "feed server"

# valgrind cannot follow a seccomp filter: the sandbox is tested elsewhere.
export LISTFEED_SANDBOX=off

members 6 >"$T/m.txt"
for r in all mail digest; do
	sympa_text deelnemers "$r" 2 <"$T/m.txt" | publish deelnemers "$r"
	sympa_text spacelog "$r" 2 <"$T/m.txt" | publish spacelog "$r" unsigned
done
check_exit "--once under valgrind: refused files (exit 4)" 4 vg "$T/once.vg" "$VG/listfeed-relay" -c "$RCONF" --once
check "--once: clean" vg_clean "$T/once.vg"

RELAY=$VG/listfeed-relay
bg_start relay-t77 valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite --log-file="$T/daemon.vg" "$RELAY" -v -c "$RCONF"
check "the daemon under valgrind answers" wait_until 60 grep -q 'round done' "$W/log/relay-t77.log"
for p in /lists/deelnemers '/lists/deelnemers?reception=digest' /lists/spacelog /lists/nosuch \
	'/lists/x?bogus=1' /-/status /nowhere; do
	relay_get "$p"
done
relay_get /lists/deelnemers
check_eq "a list is served under valgrind" 200 "$HTTP_CODE"
[ "$HTTP_CODE" = 200 ] || diag "$(tail -n 30 "$W/log/relay-t77.log")"
check "a second round under valgrind" relay_refresh t77
kill -TERM "$(bg_pid relay-t77)"
wait_until 60 sh -c "! kill -0 $(bg_pid relay-t77) 2>/dev/null"
check "the daemon: clean" vg_clean "$T/daemon.vg"
[ -s "$T/daemon.vg" ] && diag "$(head -n 20 "$T/daemon.vg")"
bg_stop relay-t77
done_testing
