# shellcheck shell=bash
# tests/lib/vg.sh: valgrind (memcheck) for the valgrind tests, sourced
# after common.sh.
#   VG_OPTS           valgrind's options for a server started by hand
#                     (add --log-file=LOG; vg_clean LOG after it stopped)
#   vg LOG CMD...     CMD under valgrind, its report in LOG; exit 99 on an
#                     error or a definite leak, else CMD's status
#   vg_clean LOG      nothing but valgrind's silence in LOG: no invalid
#                     access, no uninitialised value, no definite leak
#
# The leak check is the main process's only. A process forked from a
# threaded one (GPGME forks to start gpg) holds the other threads' memory
# without their stacks, so its own leak check finds it "definitely lost":
# forked children are silent, and leaks are read from LOG, not counted as
# errors (which would make such a child exit 99, and GPGME fail).
VG_OPTS=(--quiet --leak-check=full --show-leak-kinds=definite
	--errors-for-leak-kinds=none --child-silent-after-fork=yes)

vg() {
	local log=$1 rc
	shift
	valgrind "${VG_OPTS[@]}" --error-exitcode=99 --log-file="$log" "$@"
	rc=$?
	if [ "$rc" != 99 ] && ! vg_clean "$log"; then
		rc=99
	fi
	return "$rc"
}

vg_clean() {
	! grep -Eq 'Invalid|uninitialised|definitely lost|ERROR SUMMARY: [1-9]' "$1"
}
