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
#   nginx_main DIR CONF [USER]    a main configuration including CONF
#   site_conf PORT SOCKET FEED    nginx/listfeed.conf filled in for this world
#   base_conf DB FEED [TRIGGER], client_conf NAME LISTS [plain] [trigger]
#                                 listfeed.conf sections for this world
#   sample_conf DB FEED TRIGGER SOCKET   a listfeed.conf for the makerspace
#                                 sample (make demo, the bench's figure 5)
#   fcgi_start CONF [SOCKET [NAME]], fcgi_stop [NAME]
#   need_fcgi_nginx               skip unless listfeed.fcgi, nginx, python3
#   site_start NAME CONF FEED [open], site_req CLIENT PATH [CURL-ARGS...]
#                                 listfeed.fcgi behind nginx, and curl to it
#   gen_world NAME, gen_watch NAME CONF FEED   what listfeed-gen needs;
#                                 listfeed-gen --watch and its first generation
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
# The world's files are root's: --check-config run as root checks as root
# here, not as the service user (lib/checkcfg.h). Unset it to test that.
export LISTFEED_CHECK_USER=root

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

# One file per concern, each sourced here in this order (later ones use
# the earlier ones' functions).
for _lf_part in tap proc pki gpg db web sympafile; do
	# shellcheck source=/dev/null
	. "$TOP/tests/lib/$_lf_part.sh" || exit 1
done
unset _lf_part
