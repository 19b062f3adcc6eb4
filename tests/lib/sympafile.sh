# shellcheck shell=bash
# tests/lib/sympafile.sh: reading the Sympa files listfeed writes (sourced by
# common.sh; see its header).

# sympa_body FILE: the member lines of a file in the sympa format, without
# the signed header (six "# " lines, lib/sympafile.h).
sympa_body() {
	awk 'NR <= 6 && /^# / { next } { print }' "$1"
}

# sympa_header FILE KEY: the value of "# KEY: VALUE" in its header.
sympa_header() {
	sed -n "1,6s/^# $2: //p" "$1"
}
