# shellcheck shell=bash
# tests/lib/vg.sh: valgrind (memcheck) for the valgrind tests, sourced
# after common.sh.
#   vg LOG CMD...     CMD under valgrind, its report in LOG; exit 99 on an
#                     error, else CMD's status
#   vg_clean LOG      nothing but valgrind's silence in LOG: no invalid
#                     access, no uninitialised value, no definite leak

vg() {
	local log=$1
	shift
	valgrind --quiet --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite --show-leak-kinds=definite \
		--log-file="$log" "$@"
}

vg_clean() {
	! grep -Eq 'Invalid|uninitialised|definitely lost|ERROR SUMMARY: [1-9]' "$1"
}
