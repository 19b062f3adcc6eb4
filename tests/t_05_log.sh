#!/usr/bin/env bash
# Log lines under systemd: a syslog priority prefix when stderr is the
# journal stream that JOURNAL_STREAM names, none elsewhere.
set -u
. "$(dirname "$0")/lib/common.sh"
require_exec "$GEN" "$FCGI"

# run_logged JOURNAL PROG ARGS...: stderr into $T/err; JOURNAL=match sets
# JOURNAL_STREAM to that file's device and inode, other: to a wrong inode.
run_logged() {
	local how=$1 js
	shift
	: >"$T/err"
	js=$(stat -c '%d:%i' "$T/err")
	case $how in
	match) JOURNAL_STREAM=$js "$@" 2>"$T/err" ;;
	other) JOURNAL_STREAM=${js%%:*}:1 "$@" 2>"$T/err" ;;
	*) env -u JOURNAL_STREAM "$@" 2>"$T/err" ;;
	esac
	return 0
}

run_logged match "$GEN" -c "$T/missing.conf" --check-config
check_grep "listfeed-gen: an error carries priority 3 in the journal" \
	'^<3>listfeed-gen: ' "$T/err"
check_no_grep "no line without a priority" '^listfeed-gen' "$T/err"
run_logged none "$GEN" -c "$T/missing.conf" --check-config
check_grep "without the journal: no prefix" '^listfeed-gen: ' "$T/err"
run_logged other "$GEN" -c "$T/missing.conf" --check-config
check_grep "a JOURNAL_STREAM for another stream: no prefix" '^listfeed-gen: ' "$T/err"
run_logged match "$FCGI" -c "$T/missing.conf" -n
check_grep "listfeed.fcgi: an error carries priority 3 in the journal" \
	'^<3>listfeed.fcgi: ' "$T/err"

done_testing
