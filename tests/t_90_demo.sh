#!/usr/bin/env bash
# make demo DEMO_ONESHOT=1 is a test too: every step must pass.
set -u
. "$(dirname "$0")/lib/common.sh"
require_exec "$GEN" "$FCGI"

# The demo makes and removes a world of its own.
check "demo runs every step and exits 0" \
	env -u LF_WORLD DEMO_ONESHOT=1 bash "$TOP/tests/demo.sh" "$BUILD"
cp "$LAST_OUT" "$T/demo.out"
check_grep "Sympa's fetch parsed into members" 'parsed as [1-9][0-9]* members' "$T/demo.out"
check_grep "the admin decrypted the CSV" 'decrypted: [1-9][0-9]* members' "$T/demo.out"
check_grep "the CRM got a change report" 'generation [0-9]+: 1 updates; spacelog' "$T/demo.out"
check_grep "no certificate: 403" 'HTTP 403' "$T/demo.out"
check_grep "all steps passed" '^All steps passed\.$' "$T/demo.out"
check_no_grep "no step failed" 'FAILED' "$T/demo.out"

done_testing
