# shellcheck shell=bash
# tests/lib/common.sh: shared library of the listfeed test scripts.
#
# Source it first thing in every tests/t_*.sh:
#     set -u
#     . "$(dirname "$0")/lib/common.sh"
#
# Variables
#   TOP    repository root (absolute)
#   BUILD  build directory: $LF_BUILD, else $TOP/build/san, else $TOP/build
#   GEN    $BUILD/listfeed-gen        FCGI  $BUILD/listfeed.fcgi
#   W      the world: temp dir shared by all scripts of one tests/run
#          ($LF_WORLD); a script run alone makes its own and removes it on exit
#   T      temp dir private to this script (inside $W)
#   LAST_RC LAST_OUT LAST_ERR   exit status and stdout/stderr files of the
#          command of the last check/check_fail/check_exit
#   FEED_FPR PROVIDER_FPR ADMIN_FPR   set by gpg_setup
#   FCGI_SOCK                          set by fcgi_start
#
# TAP (each prints one line, numbered)
#   ok DESC | not_ok DESC [DETAIL...] | skip DESC [REASON] | diag TEXT...
#   check DESC CMD...             ok if CMD exits 0
#   check_fail DESC CMD...        ok if CMD exits 1..125 (a crash is no "fail")
#   check_exit DESC CODE CMD...   ok if CMD exits with CODE
#   check_eq DESC EXPECTED ACTUAL
#   check_file_eq DESC EXPECTED_FILE ACTUAL_FILE   (diff on failure)
#   check_grep DESC REGEX FILE / check_no_grep DESC REGEX FILE  (grep -E)
#   done_testing                  last line; exits 1 if anything failed
#   skip_all REASON               whole script skipped (exit 0)
#   bail_out REASON               one failure, then exit 1
#   require_exec FILE...          skip_all unless each FILE is executable
#   A check fails too when the command's stderr holds a sanitizer report.
#
# Fixtures (idempotent within one world)
#   pki_setup, pki_fingerprint FILE, pki_subject FILE
#   pki_curl CLIENT CURL-ARGS...  curl with the test CA and client-CLIENT
#                                 (CLIENT "none": no client certificate)
#   gpg_setup
#   db_start NAME [tls|notls|foreign], db_port NAME, db_sql NAME SQL,
#   db_load NAME FILE, db_fixture NAME, db_client_cnf NAME, db_stop NAME,
#   db_admin NAME MARIADB-ARGS...  (mariadb as the admin account, Unix socket)
#   nginx_start CONF [NAME], nginx_stop [NAME], nginx_reload [NAME]
#   site_conf PORT SOCKET FEED    nginx/listfeed.conf filled in for this world
#   base_conf DB FEED [TRIGGER], client_conf NAME LISTS [plain] [trigger]
#                                 listfeed.conf sections for this world
#   fcgi_start CONF [SOCKET [NAME]], fcgi_stop [NAME]
#   bg_start NAME CMD..., bg_stop NAME, bg_pid NAME, bg_alive NAME
#   free_port, wait_until SECONDS CMD...
#   sympa_body FILE, sympa_header FILE KEY   a Sympa file's member lines,
#                                 one value of its signed header
#
# Processes: every server runs in the background with stdin from /dev/null
# and output to $W/log/NAME.log; its pid (and start time, against pid reuse)
# is in $W/pids/NAME.pid. It is stopped by that pid: TERM, up to 10 s, KILL.
# A script stops, at exit, the servers it started itself and no others;
# tests/run stops whatever is still recorded at the end of the run.

[ -n "${_LF_COMMON_LOADED:-}" ] && return 0
_LF_COMMON_LOADED=1
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if [ -n "${LF_BUILD:-}" ]; then
	case $LF_BUILD in
	/*) BUILD=$LF_BUILD ;;
	*) if [ -d "$LF_BUILD" ]; then BUILD=$(cd "$LF_BUILD" && pwd); else BUILD=$TOP/$LF_BUILD; fi ;;
	esac
elif [ -d "$TOP/build/san" ]; then
	BUILD=$TOP/build/san
else
	BUILD=$TOP/build
fi
# shellcheck disable=SC2034 # used by the scripts
GEN=$BUILD/listfeed-gen
FCGI=$BUILD/listfeed.fcgi

: "${ASAN_OPTIONS:=detect_leaks=1:abort_on_error=0}"
: "${UBSAN_OPTIONS:=print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS UBSAN_OPTIONS
if [ -f "$TOP/tests/lsan.supp" ]; then
	case ${LSAN_OPTIONS:-} in
	*suppressions=*) ;;
	'') LSAN_OPTIONS=suppressions=$TOP/tests/lsan.supp ;;
	*) LSAN_OPTIONS=$LSAN_OPTIONS:suppressions=$TOP/tests/lsan.supp ;;
	esac
	export LSAN_OPTIONS
fi

_LF_SCRIPT=$(basename "$0" .sh)
if [ -n "${LF_WORLD:-}" ]; then
	W=$LF_WORLD
	_LF_OWN_WORLD=0
	mkdir -p "$W" || exit 1
else
	# Short path: gpg-agent and mariadbd sockets live under it (107 bytes max).
	W=$(mktemp -d /tmp/lf.XXXXXX) || exit 1
	_LF_OWN_WORLD=1
fi
mkdir -p "$W/pids" "$W/log" || exit 1
T=$(mktemp -d "$W/t.$_LF_SCRIPT.XXXX") || exit 1

_LF_N=0          # TAP lines printed
_LF_FAILED=0     # of which failed
_LF_MINE=()      # servers this script started (names under $W/pids)
_LF_DONE=0
LAST_RC=0
LAST_OUT=$T/.last.out
LAST_ERR=$T/.last.err
: >"$LAST_OUT"
: >"$LAST_ERR"

# ---------------------------------------------------------------- TAP

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

# ---------------------------------------------------------------- locks

# mkdir-based lock on $W/.lock.NAME; a holder that died is detected.
_lf_lock() {
	local d="$W/.lock.$1" i=0 holder
	until mkdir "$d" 2>/dev/null; do
		holder=$(cat "$d/pid" 2>/dev/null) || holder=""
		if [ -n "$holder" ] && ! kill -0 "$holder" 2>/dev/null; then
			rm -rf "$d"
			continue
		fi
		i=$((i + 1))
		if [ "$i" -ge 1200 ]; then
			echo "common.sh: timeout waiting for lock $d" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "${BASHPID:-$$}" >"$d/pid"
}

_lf_unlock() {
	rm -rf "$W/.lock.$1"
}

# ---------------------------------------------------------------- processes

# Start time of a process (clock ticks since boot), "" if none.
_lf_starttime() {
	local stat rest
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	rest=${stat##*) }
	# fields after "comm": 3=state ... 22=starttime -> index 19 here
	# shellcheck disable=SC2086 # split the fields on purpose
	set -- $rest
	printf '%s' "${20:-}"
}

_lf_pid_alive() {
	local stat rest
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	rest=${stat##*) }
	case $rest in Z* | X*) return 1 ;; esac
	return 0
}

# PID from a pid file, only if that very process still runs.
_lf_pidfile_pid() {
	local f=$1 pid st
	[ -f "$f" ] || return 1
	read -r pid st <"$f" || [ -n "${pid:-}" ] || return 1
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	_lf_pid_alive "$pid" || return 1
	[ -z "${st:-}" ] || [ "$(_lf_starttime "$pid")" = "$st" ] || return 1
	printf '%s\n' "$pid"
}

# Stops the process of a pid file: TERM, wait up to 10 s, KILL.
_lf_stop_pidfile() {
	local f=$1 pid i
	if pid=$(_lf_pidfile_pid "$f"); then
		kill -TERM "$pid" 2>/dev/null
		for ((i = 0; i < 100; i++)); do
			_lf_pid_alive "$pid" || break
			sleep 0.1
		done
		if _lf_pid_alive "$pid"; then
			echo "common.sh: $(basename "$f" .pid) (pid $pid) ignored TERM for 10 s: KILL" >&2
			kill -KILL "$pid" 2>/dev/null
			for ((i = 0; i < 50; i++)); do
				_lf_pid_alive "$pid" || break
				sleep 0.1
			done
		fi
		wait "$pid" 2>/dev/null
	fi
	rm -f "$f"
	return 0
}

bg_pid() {
	_lf_pidfile_pid "$W/pids/$1.pid"
}

bg_alive() {
	_lf_pidfile_pid "$W/pids/$1.pid" >/dev/null
}

# bg_start NAME CMD...: CMD in the background, stdin /dev/null, stdout and
# stderr appended to $W/log/NAME.log. Stopped at this script's exit.
bg_start() {
	local name=$1 pid
	shift
	if bg_alive "$name"; then
		echo "common.sh: bg_start: $name already runs" >&2
		return 1
	fi
	"$@" </dev/null >>"$W/log/$name.log" 2>&1 &
	pid=$!
	printf '%s %s\n' "$pid" "$(_lf_starttime "$pid")" >"$W/pids/$name.pid"
	_LF_MINE+=("$name")
	return 0
}

# bg_stop NAME: stops it; a sanitizer report in its log is a failed test.
bg_stop() {
	local name=$1 n i
	_lf_stop_pidfile "$W/pids/$name.pid"
	n=${#_LF_MINE[@]}
	for ((i = 0; i < n; i++)); do
		[ "${_LF_MINE[i]:-}" = "$name" ] && unset '_LF_MINE[i]'
	done
	_LF_MINE=("${_LF_MINE[@]}")
	if _lf_has_san "$W/log/$name.log"; then
		not_ok "$name: no sanitizer report in its log" "log: $W/log/$name.log"
		grep -E -A 12 "$_LF_SAN_RE" "$W/log/$name.log" | head -n 40 | sed 's/^/#   /'
		mv "$W/log/$name.log" "$W/log/$name.log.reported"
	fi
	return 0
}

# wait_until SECONDS CMD...: polls CMD every 0.1 s.
wait_until() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	"$@" >/dev/null 2>&1
}

_lf_tcp_open() {
	timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on and no other
# server of this world was given.
free_port() {
	local p i
	_lf_lock ports || return 1
	for ((i = 0; i < 200; i++)); do
		# RANDOM repeats between subshells; ask the kernel instead.
		p=$(od -An -N4 -tu4 /dev/urandom) || { _lf_unlock ports; return 1; }
		p=$((20000 + ${p//[!0-9]/} % 12000))
		grep -qx "$p" "$W/ports" 2>/dev/null && continue
		_lf_tcp_open 127.0.0.1 "$p" && continue
		echo "$p" >>"$W/ports"
		_lf_unlock ports
		printf '%s\n' "$p"
		return 0
	done
	_lf_unlock ports
	echo "common.sh: no free port" >&2
	return 1
}

# ---------------------------------------------------------------- cleanup

_lf_gpg_kill_all() {
	local h
	[ -f "$W/gnupg-homes" ] || return 0
	while IFS= read -r h; do
		[ -d "$h" ] || continue
		GNUPGHOME=$h gpgconf --kill all >/dev/null 2>&1
		GNUPGHOME=$h gpgconf --remove-socketdir >/dev/null 2>&1
	done <"$W/gnupg-homes"
	return 0
}

_lf_exit() {
	local rc=$? i f failed=$_LF_FAILED
	trap - EXIT INT TERM HUP
	trap '' PIPE   # a reader gone: keep cleaning up, writes just fail
	for ((i = ${#_LF_MINE[@]} - 1; i >= 0; i--)); do
		bg_stop "${_LF_MINE[i]}"
	done
	# A sanitizer report found while stopping is a failure too.
	[ "$_LF_FAILED" -gt "$failed" ] && [ "$rc" -eq 0 ] && rc=1
	if [ "$_LF_OWN_WORLD" = 1 ]; then
		for f in "$W"/pids/*.pid; do
			[ -e "$f" ] && _lf_stop_pidfile "$f"
		done
		_lf_gpg_kill_all
		if [ "${LF_KEEP:-0}" = 1 ]; then
			echo "# world kept: $W" >&2
		else
			rm -rf "$W"
		fi
	elif [ "${LF_KEEP:-0}" != 1 ]; then
		rm -rf "$T"
	fi
	if [ "$rc" -eq 0 ] && [ "$_LF_DONE" = 0 ] && [ "$_LF_FAILED" -gt 0 ]; then
		rc=1
	fi
	exit "$rc"
}
trap _lf_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

# ---------------------------------------------------------------- PKI

_lf_pki_key() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null &&
		chmod 0600 "$1"
}

# _lf_pki_ca DIR BASE SUBJECT
_lf_pki_ca() {
	local d=$1 b=$2 subj=$3
	_lf_pki_key "$d/$b.key" &&
		openssl req -x509 -new -key "$d/$b.key" -sha256 -days 30 -subj "$subj" \
			-addext 'basicConstraints=critical,CA:TRUE' \
			-addext 'keyUsage=critical,keyCertSign,cRLSign' \
			-addext 'subjectKeyIdentifier=hash' \
			-out "$d/$b.pem" 2>/dev/null
}

# _lf_pki_leaf DIR CA-BASE OUT-BASE SUBJECT server|client
_lf_pki_leaf() {
	local d=$1 ca=$2 out=$3 subj=$4 kind=$5 ext=$1/$3.ext
	{
		echo 'basicConstraints=critical,CA:FALSE'
		echo 'subjectKeyIdentifier=hash'
		echo 'authorityKeyIdentifier=keyid'
		if [ "$kind" = server ]; then
			echo 'keyUsage=critical,digitalSignature,keyEncipherment'
			echo 'extendedKeyUsage=serverAuth'
			echo 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1'
		else
			echo 'keyUsage=critical,digitalSignature'
			echo 'extendedKeyUsage=clientAuth'
		fi
	} >"$ext"
	_lf_pki_key "$d/$out.key" &&
		openssl req -new -key "$d/$out.key" -subj "$subj" -out "$d/$out.csr" 2>/dev/null &&
		openssl x509 -req -in "$d/$out.csr" -CA "$d/$ca.pem" -CAkey "$d/$ca.key" \
			-set_serial "0x$(openssl rand -hex 12)" -days 30 -sha256 \
			-extfile "$ext" -out "$d/$out.pem" 2>/dev/null &&
		rm -f "$d/$out.csr" "$ext"
}

# pki_setup: $W/pki (see tests/README.md). EC P-256 keys, 30 days.
pki_setup() {
	local d=$W/pki
	[ -f "$d/.done" ] && return 0
	_lf_lock pki || return 1
	if [ ! -f "$d/.done" ]; then
		rm -rf "$d"
		mkdir -m 0700 "$d" &&
			_lf_pki_ca "$d" ca '/O=listfeed tests/CN=listfeed test CA' &&
			_lf_pki_leaf "$d" ca server '/O=listfeed tests/CN=localhost' server &&
			_lf_pki_leaf "$d" ca client-sympa '/O=Provider/CN=sympa.example.net' client &&
			_lf_pki_leaf "$d" ca client-crm '/O=Makerspace/CN=crm.example.org' client &&
			_lf_pki_leaf "$d" ca client-admin '/O=Makerspace/CN=admin.example.org' client &&
			_lf_pki_leaf "$d" ca client-unknown '/O=Nobody/CN=unknown.example.com' client &&
			_lf_pki_ca "$d" foreign-ca '/O=Elsewhere/CN=foreign test CA' &&
			_lf_pki_leaf "$d" foreign-ca client-foreign '/O=Provider/CN=sympa.example.net' client &&
			_lf_pki_leaf "$d" foreign-ca foreign-server '/O=Elsewhere/CN=localhost' server &&
			touch "$d/.done"
		if [ ! -f "$d/.done" ]; then
			_lf_unlock pki
			echo "common.sh: pki_setup failed" >&2
			return 1
		fi
	fi
	_lf_unlock pki
}

# SHA-1 fingerprint as nginx's $ssl_client_fingerprint: lower-case hex.
pki_fingerprint() {
	openssl x509 -noout -fingerprint -sha1 -in "$1" | sed 's/^[^=]*=//' | tr -d ':' | tr 'A-F' 'a-f'
}

# Subject in RFC 2253 form, as nginx's $ssl_client_s_dn.
pki_subject() {
	openssl x509 -noout -subject -nameopt RFC2253 -in "$1" | sed 's/^subject=//'
}

# pki_curl CLIENT ARGS...: curl trusting the test CA, presenting
# client-CLIENT.pem (CLIENT "none": no certificate). No proxy.
pki_curl() {
	local c=$1
	shift
	if [ "$c" = none ]; then
		curl -sS --noproxy '*' --cacert "$W/pki/ca.pem" "$@"
	else
		curl -sS --noproxy '*' --cacert "$W/pki/ca.pem" \
			--cert "$W/pki/client-$c.pem" --key "$W/pki/client-$c.key" "$@"
	fi
}

# ---------------------------------------------------------------- GnuPG

_lf_gpg() {
	local home=$1
	shift
	gpg --homedir "$home" --batch --no-tty --pinentry-mode loopback --passphrase '' "$@"
}

_lf_gpg_fpr() {
	gpg --homedir "$1" --batch --no-tty --with-colons --list-secret-keys 2>/dev/null |
		awk -F: '$1 == "fpr" { print $10; exit }'
}

# gpg_setup: feed, provider and admin keys (see tests/README.md).
gpg_setup() {
	local g=$W/gnupg p=$W/gnupg-provider a=$W/gnupg-admin x=$W/gnupg-pub h
	local log=$W/log/gpg.log
	_lf_lock gpg || return 1
	if [ ! -f "$g/.done" ]; then
		rm -rf "$g" "$p" "$a" "$x"
		for h in "$g" "$p" "$a"; do
			mkdir -m 0700 "$h" || { _lf_unlock gpg; return 1; }
			grep -qxF "$h" "$W/gnupg-homes" 2>/dev/null || echo "$h" >>"$W/gnupg-homes"
		done
		mkdir -p "$x"
		if _lf_gpg "$g" --quick-gen-key 'listfeed feed <feed@example.org>' ed25519 sign 1y &&
			_lf_gpg "$p" --quick-gen-key 'List provider <lists@provider.example.net>' future-default default 1y &&
			_lf_gpg "$a" --quick-gen-key 'List admin <admin@example.org>' future-default default 1y &&
			FEED_FPR=$(_lf_gpg_fpr "$g") && PROVIDER_FPR=$(_lf_gpg_fpr "$p") && ADMIN_FPR=$(_lf_gpg_fpr "$a") &&
			[ ${#FEED_FPR} = 40 ] && [ ${#PROVIDER_FPR} = 40 ] && [ ${#ADMIN_FPR} = 40 ] &&
			_lf_gpg "$g" --armor --export "$FEED_FPR" >"$x/feed.asc" &&
			_lf_gpg "$p" --armor --export "$PROVIDER_FPR" >"$x/provider.asc" &&
			_lf_gpg "$a" --armor --export "$ADMIN_FPR" >"$x/admin.asc" &&
			_lf_gpg "$g" --import "$x/provider.asc" "$x/admin.asc" &&
			_lf_gpg "$p" --import "$x/feed.asc" &&
			_lf_gpg "$a" --import "$x/feed.asc"; then
			printf 'FEED_FPR=%s\nPROVIDER_FPR=%s\nADMIN_FPR=%s\n' \
				"$FEED_FPR" "$PROVIDER_FPR" "$ADMIN_FPR" >"$g/fpr.env"
			touch "$g/.done"
		fi </dev/null >>"$log" 2>&1
		if [ ! -f "$g/.done" ]; then
			_lf_unlock gpg
			echo "common.sh: gpg_setup failed, see $log" >&2
			tail -n 20 "$log" >&2
			return 1
		fi
	fi
	_lf_unlock gpg
	# shellcheck disable=SC1091
	. "$g/fpr.env"
	export FEED_FPR PROVIDER_FPR ADMIN_FPR
}

# ---------------------------------------------------------------- MariaDB

_lf_db_dir() {
	printf '%s/db-%s' "$W" "$1"
}

db_port() {
	cat "$(_lf_db_dir "$1")/port"
}

# mariadb as the administrative account over the Unix socket.
db_admin() {
	local name=$1
	shift
	mariadb --no-defaults --socket="$(_lf_db_dir "$name")/sock" --user="$(id -un)" \
		--default-character-set=utf8mb4 "$@"
}

# db_sql NAME SQL: in database mslcrm; output in batch form (TSV, no header).
db_sql() {
	db_admin "$1" --batch --skip-column-names --database=mslcrm -e "$2"
}

# db_load NAME FILE: runs an SQL file in database mslcrm.
db_load() {
	db_admin "$1" --database=mslcrm <"$2"
}

# One data directory per world, copied for each server (install takes ~1.5 s).
_lf_db_template() {
	local t=$W/db-template
	[ -f "$t/.done" ] && return 0
	_lf_lock db-template || return 1
	if [ ! -f "$t/.done" ]; then
		rm -rf "$t"
		mkdir -p "$t"
		if mariadb-install-db --no-defaults --auth-root-authentication-method=socket \
			--skip-test-db --skip-name-resolve --user="$(id -un)" --datadir="$t/data" \
			--innodb-log-file-size=4M --innodb-buffer-pool-size=64M \
			>"$t/install.log" 2>&1 </dev/null; then
			touch "$t/.done"
		else
			_lf_unlock db-template
			echo "common.sh: mariadb-install-db failed:" >&2
			tail -n 20 "$t/install.log" >&2
			return 1
		fi
	fi
	_lf_unlock db-template
}

_lf_db_ping() {
	mariadb-admin --no-defaults --socket="$(_lf_db_dir "$1")/sock" --user="$(id -un)" \
		--connect-timeout=2 ping >/dev/null 2>&1
}

# db_start NAME [tls|notls|foreign]
db_start() {
	local name=$1 mode=${2:-tls} d port try i ok
	local -a args
	d=$(_lf_db_dir "$name")
	case $mode in
	tls | notls | foreign) ;;
	*) echo "common.sh: db_start: bad mode $mode" >&2; return 1 ;;
	esac
	if [ "$mode" != notls ]; then pki_setup || return 1; fi
	_lf_lock "db-$name" || return 1
	if bg_alive "db-$name"; then
		_lf_unlock "db-$name"
		if [ "$(cat "$d/mode")" != "$mode" ]; then
			echo "common.sh: db $name already runs in mode $(cat "$d/mode")" >&2
			return 1
		fi
		return 0
	fi
	if [ ! -d "$d/data" ]; then
		_lf_db_template || { _lf_unlock "db-$name"; return 1; }
		mkdir -p "$d/tmp" && cp -a "$W/db-template/data" "$d/data" ||
			{ _lf_unlock "db-$name"; return 1; }
	fi
	echo "$mode" >"$d/mode"
	for ((try = 0; try < 3; try++)); do
		if [ -f "$d/port" ] && [ "$try" = 0 ]; then
			port=$(cat "$d/port")
		else
			port=$(free_port) || { _lf_unlock "db-$name"; return 1; }
		fi
		echo "$port" >"$d/port"
		args=(--no-defaults --datadir="$d/data" --socket="$d/sock" --port="$port"
			--bind-address=127.0.0.1 --pid-file="$d/mariadbd.pid" --log-error="$d/err.log"
			--tmpdir="$d/tmp" --character-set-server=utf8mb4
			--collation-server=utf8mb4_general_ci --innodb-buffer-pool-size=64M
			--innodb-log-file-size=4M --innodb-flush-log-at-trx-commit=0
			--innodb-doublewrite=0 --skip-name-resolve --max-connections=100)
		[ "$(id -u)" = 0 ] && args+=(--user=root)
		case $mode in
		tls) args+=(--ssl-ca="$W/pki/ca.pem" --ssl-cert="$W/pki/server.pem"
			--ssl-key="$W/pki/server.key") ;;
		foreign) args+=(--ssl-ca="$W/pki/foreign-ca.pem" --ssl-cert="$W/pki/foreign-server.pem"
			--ssl-key="$W/pki/foreign-server.key") ;;
		esac
		: >"$d/err.log"
		bg_start "db-$name" mariadbd "${args[@]}"
		ok=0
		for ((i = 0; i < 300; i++)); do
			if _lf_db_ping "$name"; then ok=1; break; fi
			bg_alive "db-$name" || break
			sleep 0.1
		done
		[ "$ok" = 1 ] && break
		bg_stop "db-$name"
		if ! grep -q 'Bind on TCP/IP port' "$d/err.log"; then
			break
		fi
	done
	_lf_unlock "db-$name"
	if [ "$ok" != 1 ]; then
		echo "common.sh: mariadbd $name did not start; $d/err.log:" >&2
		tail -n 20 "$d/err.log" >&2
		return 1
	fi
	if [ "$mode" != notls ]; then
		local ssl
		ssl=$(db_admin "$name" -N -B -e "SELECT @@have_ssl")
		if [ "$ssl" != YES ]; then
			echo "common.sh: mariadbd $name: have_ssl=$ssl, wanted YES" >&2
			tail -n 20 "$d/err.log" >&2
			return 1
		fi
	fi
	return 0
}

db_stop() {
	bg_stop "db-$1"
}

# db_fixture NAME: database mslcrm with tests/fixture, the recommended view
# and the read-only account from gen/ (or a stand-in account), and the option
# file $W/db-NAME/my.cnf, group [listfeed].
db_fixture() {
	local name=$1 d pw tls=1 hosts h grants="" alter=""
	d=$(_lf_db_dir "$name")
	[ -f "$d/fixture.done" ] && return 0
	[ "$(cat "$d/mode" 2>/dev/null)" = notls ] && tls=0
	pki_setup || return 1
	_lf_lock "fixture-$name" || return 1
	if [ -f "$d/fixture.done" ]; then _lf_unlock "fixture-$name"; return 0; fi
	pw=$(openssl rand -hex 18)
	# One session for all files (each client start costs ~0.1 s).
	if ! {
		echo 'DROP DATABASE IF EXISTS mslcrm;'
		echo 'CREATE DATABASE mslcrm CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;'
		echo 'USE mslcrm;'
		cat "$TOP/tests/fixture/schema.sql"
		echo
		echo 'USE mslcrm;'
		cat "$TOP/tests/fixture/fixture.sql"
		echo
		if [ -f "$TOP/gen/recommended-view.sql" ]; then
			echo 'USE mslcrm;'
			cat "$TOP/gen/recommended-view.sql"
			echo
		fi
		echo 'USE mslcrm;'
		if [ -f "$TOP/gen/grant.sql" ]; then
			cat "$TOP/gen/grant.sql"
			echo
		else
			local req=""
			[ "$tls" = 1 ] && req="REQUIRE SSL"
			echo "CREATE USER IF NOT EXISTS 'listfeed'@'127.0.0.1' IDENTIFIED BY '$pw' $req;"
			echo "CREATE USER IF NOT EXISTS 'listfeed'@'localhost' IDENTIFIED BY '$pw' $req;"
			echo "GRANT SELECT ON mslcrm.mailinglists_api TO 'listfeed'@'127.0.0.1', 'listfeed'@'localhost';"
			[ -f "$TOP/gen/recommended-view.sql" ] &&
				echo "GRANT SELECT ON mslcrm.listfeed_subscribers TO 'listfeed'@'127.0.0.1', 'listfeed'@'localhost';"
		fi
	} | db_admin "$name" --batch; then
		_lf_unlock "fixture-$name"
		echo "common.sh: db_fixture $name: loading the SQL files failed" >&2
		return 1
	fi
	hosts=$(db_sql "$name" "SELECT Host FROM mysql.user WHERE User = 'listfeed'")
	# The servers here run with skip-name-resolve: a TCP client from
	# 127.0.0.1 matches only 'listfeed'@'127.0.0.1'. If the grant file made
	# 'localhost' alone, copy that account and its grants to '127.0.0.1'.
	if ! grep -qx '127.0.0.1' <<<"$hosts" && grep -qx 'localhost' <<<"$hosts"; then
		grants=$(db_sql "$name" "SHOW GRANTS FOR 'listfeed'@'localhost'" |
			sed 's/`listfeed`@`localhost`/`listfeed`@`127.0.0.1`/; s/$/;/')
		grants="CREATE USER 'listfeed'@'127.0.0.1' IDENTIFIED BY '$pw'; $grants"
		hosts="$hosts"$'\n127.0.0.1'
	fi
	if [ -z "$hosts" ]; then
		_lf_unlock "fixture-$name"
		echo "common.sh: db_fixture $name: no account 'listfeed'" >&2
		return 1
	fi
	# The password is ours, whatever the grant file says.
	while IFS= read -r h; do
		[ -n "$h" ] && alter+="ALTER USER 'listfeed'@'$h' IDENTIFIED BY '$pw'; "
	done <<<"$hosts"
	if ! db_sql "$name" "$grants $alter"; then
		_lf_unlock "fixture-$name"
		echo "common.sh: db_fixture $name: setting up the account failed" >&2
		return 1
	fi
	(
		umask 077
		rm -f "$d/my.cnf"
		printf '[listfeed]\nhost=127.0.0.1\nport=%s\nuser=listfeed\npassword=%s\nssl-ca=%s\ndatabase=mslcrm\n' \
			"$(db_port "$name")" "$pw" "$W/pki/ca.pem" >"$d/my.cnf"
	) || { _lf_unlock "fixture-$name"; return 1; }
	touch "$d/fixture.done"
	_lf_unlock "fixture-$name"
}

# db_client_cnf NAME: path of a copy of my.cnf whose [listfeed] options are
# in group [client], for the mariadb command-line client (which never reads
# a group called [listfeed]):  mariadb --defaults-file="$(db_client_cnf X)" ...
db_client_cnf() {
	local d f
	d=$(_lf_db_dir "$1")
	f=$d/client.cnf
	(
		umask 077
		{
			echo '[client]'
			my_print_defaults --defaults-file="$d/my.cnf" listfeed | sed 's/^--//'
		} >"$f"
	) || return 1
	printf '%s\n' "$f"
}

# ---------------------------------------------------------------- nginx

# nginx_start CONF [NAME]: CONF holds http-level directives (server blocks);
# it is included in a main configuration that keeps everything in
# $W/nginx-NAME (pid, logs, temp paths). A CONF with its own "events" block
# is used as the whole configuration instead. Waits until every
# "listen ADDR:PORT" of CONF accepts connections.
# Logs: $W/nginx-NAME/error.log, access.log; stderr in $W/log/nginx-NAME.log.
nginx_start() {
	local conf=$1 name=${2:-nginx} d main port ok=0 i
	local -a ports
	case $conf in /*) ;; *) conf=$PWD/$conf ;; esac
	d=$W/nginx-$name
	mkdir -p "$d/tmp"
	if grep -Eq '^[[:space:]]*events[[:space:]]*\{' "$conf"; then
		main=$conf
	else
		main=$d/nginx.conf
		{
			[ "$(id -u)" = 0 ] && echo 'user root;'
			cat <<-EOF
				worker_processes 1;
				pid $d/nginx.pid;
				error_log $d/error.log info;
				events { worker_connections 256; }
				http {
				    access_log $d/access.log;
				    client_body_temp_path $d/tmp/client_body;
				    proxy_temp_path $d/tmp/proxy;
				    fastcgi_temp_path $d/tmp/fastcgi;
				    uwsgi_temp_path $d/tmp/uwsgi;
				    scgi_temp_path $d/tmp/scgi;
				    include /etc/nginx/mime.types;
				    default_type application/octet-stream;
				    include $conf;
				}
			EOF
		} >"$main"
	fi
	bg_start "nginx-$name" nginx -p "$d/" -c "$main" -e stderr -g 'daemon off;' || return 1
	mapfile -t ports < <(grep -Eo '^[[:space:]]*listen[[:space:]]+[^;]*' "$conf" |
		grep -Eo '(127\.0\.0\.1|localhost|\[::1\]):[0-9]+' | sed 's/.*://' | sort -u)
	for ((i = 0; i < 100; i++)); do
		bg_alive "nginx-$name" || break
		ok=1
		if [ ${#ports[@]} -eq 0 ]; then
			[ -s "$d/nginx.pid" ] || ok=0
		else
			for port in "${ports[@]}"; do
				_lf_tcp_open 127.0.0.1 "$port" || { ok=0; break; }
			done
		fi
		[ "$ok" = 1 ] && break
		sleep 0.1
	done
	if [ "$ok" != 1 ] || ! bg_alive "nginx-$name"; then
		echo "common.sh: nginx $name did not start:" >&2
		tail -n 20 "$W/log/nginx-$name.log" "$d/error.log" >&2 2>/dev/null
		bg_stop "nginx-$name"
		return 1
	fi
	return 0
}

# base_conf DB FEED [TRIGGER]: the [database], [feed] and [gpg] sections of
# a listfeed.conf for this world on stdout: the database of db_fixture DB
# read through the recommended view, the feed in FEED, the repository's
# templates, the feed key signing for $RECIPIENTS (default: the provider).
# With TRIGGER: that trigger socket, and no interval.
base_conf() {
	printf '[database]\ndefaults_file = %s\n' "$W/db-$1/my.cnf"
	printf 'query = SELECT * FROM listfeed_subscribers\n'
	printf '[feed]\ndir = %s\ntemplates = %s\n' "$2" "$TOP/templates"
	[ -n "${3:-}" ] && printf 'trigger_socket = %s\ninterval = 0\n' "$3"
	printf '[gpg]\nhome = %s\nsign_key = %s\nrecipients = %s\n' \
		"$W/gnupg" "$FEED_FPR" "${RECIPIENTS:-$PROVIDER_FPR}"
}

# client_conf NAME LISTS [plain] [trigger]: a [client NAME] section for
# the certificate client-NAME of pki_setup.
client_conf() {
	local name=$1 lists=$2 o
	shift 2
	printf '[client %s]\nfingerprint = %s\nlists = %s\n' "$name" \
		"$(pki_fingerprint "$W/pki/client-$name.pem")" "$lists"
	for o in "$@"; do
		printf '%s = yes\n' "$o"
	done
}

# site_conf PORT SOCKET FEED: the shipped site (nginx/listfeed.conf) for
# this world on stdout: 127.0.0.1:PORT, the test CA and server
# certificate, listfeed.fcgi on SOCKET, the feed in FEED.
site_conf() {
	sed -e "s#@LISTEN@#127.0.0.1:$1#" -e 's#@SERVER_NAME@#localhost#' \
		-e "s#@CERT@#$W/pki/server.pem#" -e "s#@KEY@#$W/pki/server.key#" \
		-e "s#@CLIENT_CA@#$W/pki/ca.pem#" -e "s#@SOCKET@#$2#" \
		-e "s#@FEED_DIR@#$3#" "$TOP/nginx/listfeed.conf"
}

nginx_stop() {
	bg_stop "nginx-${1:-nginx}"
}

# nginx_reload [NAME]: SIGHUP (re-reads the configuration).
nginx_reload() {
	local pid
	pid=$(bg_pid "nginx-${1:-nginx}") || return 1
	kill -HUP "$pid"
	sleep 0.3
}

# ---------------------------------------------------------------- listfeed.fcgi

# fcgi_start CONF [SOCKET [NAME]]: $FCGI -c CONF -s SOCKET in the background
# (default SOCKET $W/fcgi-NAME/sock, NAME "fcgi"); sets FCGI_SOCK. Waits until
# the socket exists. Stderr in $W/log/fcgi-NAME.log.
fcgi_start() {
	local conf=$1 name=${3:-fcgi} sock
	sock=${2:-$W/fcgi-$name/sock}
	mkdir -p "$(dirname "$sock")"
	rm -f "$sock"
	bg_start "fcgi-$name" "$FCGI" -c "$conf" -s "$sock" || return 1
	if ! wait_until 10 _lf_fcgi_ready "$name" "$sock"; then
		echo "common.sh: listfeed.fcgi $name did not start:" >&2
		tail -n 20 "$W/log/fcgi-$name.log" >&2
		bg_stop "fcgi-$name"
		return 1
	fi
	# shellcheck disable=SC2034 # for the caller
	FCGI_SOCK=$sock
	return 0
}

_lf_fcgi_ready() {
	bg_alive "fcgi-$1" && [ -S "$2" ]
}

fcgi_stop() {
	bg_stop "fcgi-${1:-fcgi}"
}

# sympa_body FILE: the member lines of a file in the sympa format, without
# the signed header (six "# " lines, lib/sympafile.h).
sympa_body() {
	awk 'NR <= 6 && /^# / { next } { print }' "$1"
}

# sympa_header FILE KEY: the value of "# KEY: VALUE" in its header.
sympa_header() {
	sed -n "1,6s/^# $2: //p" "$1"
}
