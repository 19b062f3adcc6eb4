#!/usr/bin/env bash
# Static checks are part of the tests: mandoc on the man pages, cppcheck
# and clang-tidy on every C file (tests/lint.sh).
set -u
. "$(dirname "$0")/lib/common.sh"
for t in mandoc cppcheck clang-tidy; do
	command -v "$t" >/dev/null || skip_all "$t is not installed"
done
check "mandoc, cppcheck and clang-tidy find nothing" sh "$TOP/tests/lint.sh"
done_testing
