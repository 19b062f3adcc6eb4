#!/usr/bin/env bash
# Least privilege in the running programs: listfeed.fcgi and
# listfeed-gen --watch run with no_new_privs and a seccomp filter
# (/proc/PID/status), the generator still runs gpg inside its sandbox, a
# responder refuses a feed directory moved outside its rules on reload,
# and LISTFEED_SANDBOX=off turns it all off.
set -u
. "$(dirname "$0")/lib/common.sh"
require_exec "$FCGI" "$GEN"
command -v python3 >/dev/null || skip_all "python3 needed to send datagrams"

# status_field PID FIELD: the value of FIELD in /proc/PID/status.
status_field() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

landlock=$(python3 -c '
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print(max(libc.syscall(444, None, 0, 1), 0))')
diag "Landlock ABI of this kernel: $landlock"

# ------------------------------------------------------------ responder
F=$T/feed
mkdir -p "$F/lists" "$T/other" "$T/etc"
echo '{"version": 1, "generation": 0, "lists": {}}' >"$F/manifest.json"
cp "$F/manifest.json" "$T/other/manifest.json"
CONF=$T/etc/fcgi.conf	# its directory is readable: keep it apart
cat >"$CONF" <<EOF
[feed]
dir = $F
templates = $TOP/templates
trigger_socket = $T/trigger.sock
[fcgi]
threads = 2
EOF

fcgi_start "$CONF" "$W/fcgi-t45/sock" t45 || bail_out "listfeed.fcgi did not start"
pid=$(bg_pid fcgi-t45)
check_eq "responder: NoNewPrivs 1" 1 "$(status_field "$pid" NoNewPrivs)"
check_eq "responder: Seccomp 2 (filter)" 2 "$(status_field "$pid" Seccomp)"

if [ "$landlock" -ge 1 ]; then
	# A reload that points the feed elsewhere: Landlock refuses the new
	# directory, so the manifest there is never read.
	sed "s|^dir = .*|dir = $T/other|" "$CONF" >"$CONF.new"
	mv "$CONF.new" "$CONF"
	kill -HUP "$pid"
	check "responder: a feed moved outside its rules is refused on reload" \
	    wait_until 5 grep -q "$T/other/manifest.json: Permission denied" "$W/log/fcgi-t45.log"
	check "responder: still running" bg_alive fcgi-t45
else
	skip "responder: feed moved outside its rules" "no Landlock"
fi
fcgi_stop t45
check "responder: socket removed at exit (inside its sandbox)" test ! -e "$W/fcgi-t45/sock"

LISTFEED_SANDBOX=off fcgi_start "$CONF" "$W/fcgi-t45off/sock" t45off ||
	bail_out "listfeed.fcgi did not start"
pid=$(bg_pid fcgi-t45off)
check_eq "LISTFEED_SANDBOX=off: Seccomp 0" 0 "$(status_field "$pid" Seccomp)"
check_grep "LISTFEED_SANDBOX=off: logged" 'sandbox disabled' "$W/log/fcgi-t45off.log"
fcgi_stop t45off

# ------------------------------------------------------------ generator
pki_setup || bail_out "pki_setup"
gpg_setup || bail_out "gpg_setup"
db_start sandbox tls || bail_out "db_start"
db_fixture sandbox || bail_out "db_fixture"

GCONF=$T/gen.conf
FEED=$T/gfeed
cat >"$GCONF" <<EOC
[database]
defaults_file = $W/db-sandbox/my.cnf
query = SELECT * FROM listfeed_subscribers
[feed]
dir = $FEED
templates = $TOP/templates
trigger_socket = $T/gen-trigger.sock
interval = 0
[gpg]
home = $W/gnupg
sign_key = $FEED_FPR
recipients = $PROVIDER_FPR
EOC

finished() {	# the last run has ended with generation N or later
	python3 - "$FEED/run.json" "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if r["finished_ms"] and r["generation"] >= int(sys.argv[2]) else 1)
PY
}

bg_start gen-t45 "$GEN" -c "$GCONF" --watch
check "generator: first generation inside the sandbox" wait_until 60 finished 1
pid=$(bg_pid gen-t45)
check_eq "generator: NoNewPrivs 1" 1 "$(status_field "$pid" NoNewPrivs)"
check_eq "generator: Seccomp 2 (filter)" 2 "$(status_field "$pid" Seccomp)"
check_grep "generator: gpg ran (signed and encrypted files)" 'BEGIN PGP MESSAGE' \
    "$(ls "$FEED"/lists/*.asc | head -n 1)"
python3 - "$T/gen-trigger.sock" <<'PY'
import socket, sys
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"regenerate\n", sys.argv[1])
PY
check "generator: a trigger runs a second generation" wait_until 30 finished 2
check_eq "generator: exit status 0 of the last run" 0 \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["exit"])' "$FEED/run.json")"
kill -TERM "$pid"
check "generator: SIGTERM stops it" wait_until 15 sh -c "! kill -0 $pid 2>/dev/null"
check "generator: trigger socket removed (inside its sandbox)" test ! -e "$T/gen-trigger.sock"
bg_stop gen-t45

done_testing
