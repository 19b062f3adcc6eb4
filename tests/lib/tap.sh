# shellcheck shell=bash
# tests/lib/tap.sh: TAP output and checks (sourced by common.sh; see its header).


# One line, '#' escaped (it starts a TAP directive).
_lf_desc() {
	local s=$*
	s=${s//$'\n'/ }
	s=${s//$'\r'/ }
	s=${s//#/\\#}
	printf '%s' "$s"
}

# Each line of the arguments (or of stdin with no argument) as a TAP comment.
diag() {
	if [ $# -eq 0 ]; then
		sed 's/^/# /'
	else
		printf '%s\n' "$@" | sed 's/^/# /'
	fi
}

ok() {
	_LF_N=$((_LF_N + 1))
	printf 'ok %d - %s\n' "$_LF_N" "$(_lf_desc "$1")"
}

not_ok() {
	_LF_N=$((_LF_N + 1))
	_LF_FAILED=$((_LF_FAILED + 1))
	printf 'not ok %d - %s\n' "$_LF_N" "$(_lf_desc "$1")"
	shift
	[ $# -gt 0 ] && diag "$@"
	return 0
}

skip() {
	_LF_N=$((_LF_N + 1))
	printf 'ok %d - %s # SKIP %s\n' "$_LF_N" "$(_lf_desc "$1")" "$(_lf_desc "${2:-}")"
}

skip_all() {
	printf '1..0 # SKIP %s\n' "$(_lf_desc "$*")"
	_LF_DONE=1
	exit 0
}

bail_out() {
	not_ok "$*"
	_LF_DONE=1
	printf '1..%d\n' "$_LF_N"
	exit 1
}

done_testing() {
	_LF_DONE=1
	printf '1..%d\n' "$_LF_N"
	if [ "$_LF_FAILED" -gt 0 ]; then
		printf '# %d of %d failed\n' "$_LF_FAILED" "$_LF_N"
		exit 1
	fi
	exit 0
}

require_exec() {
	local f
	for f in "$@"; do
		[ -x "$f" ] || skip_all "not built: $f"
	done
}

_lf_quote() {
	local out="" a
	for a in "$@"; do out+="$(printf '%q' "$a") "; done
	printf '%s' "${out% }"
}

# Lines of a file as diagnostics (first 40).
_lf_diag_file() {
	local label=$1 f=$2 n
	[ -s "$f" ] || return 0
	n=$(wc -l <"$f")
	diag "$label:"
	head -n 40 "$f" | cat -v | sed 's/^/#   /'
	[ "$n" -gt 40 ] && diag "  ... ($n lines)"
	return 0
}

_LF_SAN_RE='ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error: |SUMMARY: UndefinedBehaviorSanitizer'

_lf_has_san() {
	[ -f "$1" ] && grep -Eq "$_LF_SAN_RE" "$1"
}

# Runs CMD with stdout/stderr in LAST_OUT/LAST_ERR, status in LAST_RC.
_lf_run() {
	"$@" >"$LAST_OUT" 2>"$LAST_ERR"
	LAST_RC=$?
}

_lf_report() {
	local desc=$1 want=$2
	shift 2
	not_ok "$desc" "command: $(_lf_quote "$@")" "exit status: $LAST_RC (wanted $want)"
	_lf_diag_file stdout "$LAST_OUT"
	_lf_diag_file stderr "$LAST_ERR"
}

_lf_san_fail() {
	local desc=$1
	shift
	not_ok "$desc" "command: $(_lf_quote "$@")" "sanitizer report on stderr (exit status $LAST_RC)"
	_lf_diag_file stderr "$LAST_ERR"
}

check() {
	local desc=$1
	shift
	_lf_run "$@"
	if _lf_has_san "$LAST_ERR"; then
		_lf_san_fail "$desc" "$@"
	elif [ "$LAST_RC" -eq 0 ]; then
		ok "$desc"
	else
		_lf_report "$desc" 0 "$@"
	fi
}

check_fail() {
	local desc=$1
	shift
	_lf_run "$@"
	if _lf_has_san "$LAST_ERR"; then
		_lf_san_fail "$desc" "$@"
	elif [ "$LAST_RC" -ge 1 ] && [ "$LAST_RC" -le 125 ]; then
		ok "$desc"
	else
		_lf_report "$desc" "1..125" "$@"
	fi
}

check_exit() {
	local desc=$1 code=$2
	shift 2
	_lf_run "$@"
	if _lf_has_san "$LAST_ERR"; then
		_lf_san_fail "$desc" "$@"
	elif [ "$LAST_RC" -eq "$code" ]; then
		ok "$desc"
	else
		_lf_report "$desc" "$code" "$@"
	fi
}

check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "expected: $(printf '%q' "$2")" "  actual: $(printf '%q' "$3")"
	fi
}

check_file_eq() {
	local desc=$1 exp=$2 act=$3
	if [ ! -f "$exp" ] || [ ! -f "$act" ]; then
		not_ok "$desc" "missing file: $([ -f "$exp" ] || printf '%s ' "$exp")$([ -f "$act" ] || printf '%s' "$act")"
	elif cmp -s "$exp" "$act"; then
		ok "$desc"
	else
		not_ok "$desc" "files differ: $exp $act"
		diff -u "$exp" "$act" | head -n 60 | cat -v | sed 's/^/#   /'
	fi
}

check_grep() {
	if [ -f "$3" ] && grep -Eq -- "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1" "no line matches /$2/ in $3"
		[ -f "$3" ] && _lf_diag_file "$3" "$3"
	fi
}

check_no_grep() {
	if [ -f "$3" ] && ! grep -Eq -- "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1" "a line matches /$2/ in $3 (or it is missing)"
		[ -f "$3" ] && grep -En -- "$2" "$3" | head -n 20 | cat -v | sed 's/^/#   /'
	fi
}

