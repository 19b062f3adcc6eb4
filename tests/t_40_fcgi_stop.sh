#!/bin/bash
# listfeed.fcgi's socket and stop: mode 0660; SIGTERM with a kept-alive
# nginx connection stops it promptly, exit 0, socket removed, and nginx
# then answers 502, never a 200; SIGINT likewise; a stale socket at its
# path is replaced, a regular file is not.
# The shared site's responder is stopped first (its sanitizer report,
# leaks included, fails this script) and one of this script's own takes
# its place behind the shared nginx, which is stopped at the end.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$TOP/tests/lib/fcgi.sh"

fcgi_site_shared || bail_out "listfeed.fcgi behind nginx did not start"
bg_stop fcgi-t40
fcgi_start "$CONF" "$SOCK" t40-stop || bail_out "listfeed.fcgi did not start"
LOG=$W/log/fcgi-t40-stop.log
check_eq "socket mode 0660" 660 "$(stat -c %a "$SOCK")"

# SIGTERM with an idle kept-alive nginx connection: prompt, clean, socket gone.
req sympa /lists/deelnemers >/dev/null
PID=$(bg_pid fcgi-t40-stop)
start=$(date +%s%N)
kill -TERM "$PID"
wait_until 5 eval "! kill -0 $PID 2>/dev/null"
elapsed=$((($(date +%s%N) - start) / 1000000))
if kill -0 "$PID" 2>/dev/null; then
	not_ok "SIGTERM stops the responder within 5 s"
else
	ok "SIGTERM stops the responder (${elapsed} ms)"
fi
wait "$PID" 2>/dev/null
check_eq "exit status 0 after SIGTERM" 0 "$?"
check "socket removed" test ! -e "$SOCK"
check_grep "stop logged" 'stopping' "$LOG"
fcgi_stop t40-stop
check_eq "nginx answers 502 with the responder gone (never a 200)" 502 "$(req sympa /lists/deelnemers)"

# A stale socket is replaced, a regular file in its place is not.
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/stale.sock"
"$FCGI" -c "$CONF" -s "$T/stale.sock" 2>"$T/stale.err" &
P2=$!
wait_until 5 python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])' "$T/stale.sock"
check "stale socket replaced" python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])' "$T/stale.sock"
kill -INT "$P2"
wait "$P2"
check_eq "SIGINT: exit 0" 0 "$?"
echo data >"$T/file.sock"
check_exit "a regular file at the socket path: exit 1" 1 "$FCGI" -c "$CONF" -s "$T/file.sock"
check_eq "  and the file is untouched" data "$(cat "$T/file.sock")"

nginx_stop t40
done_testing
