#!/usr/bin/env bash
# Concurrency and hostile requests through nginx and listfeed.fcgi:
# downloads during a publish get whole files, old or new, never mixed;
# a storm of triggers becomes a few generations; oversized and odd
# requests are refused.
set -u
. "$(dirname "$0")/lib/common.sh"
require_exec "$GEN" "$FCGI"

gen_world load

FEED=$T/feed
CONF=$T/listfeed.conf
{
	base_conf load "$FEED" "$T/trigger.sock"
	client_conf sympa deelnemers plain
	client_conf crm '*' trigger
} >"$CONF"
gen_watch load "$CONF" "$FEED"
# The shipped site, with the rate limit opened for this test's bursts.
site_start load "$CONF" "$FEED" open || bail_out "listfeed.fcgi behind nginx"
generation() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["generation"])' "$FEED/manifest.json"
}

# 1. Downloads, 50 at a time, while a new version is published.
sha256sum <"$FEED/plain/deelnemers.sympa" | cut -d' ' -f1 >"$T/versions"
db_sql load "UPDATE members_user SET last_name = 'Nieuw' WHERE id <= 10"
mkdir -p "$T/dl"
g=$(generation)
python3 - "$T/trigger.sock" <<'PY'
import socket, sys
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"regenerate\n", sys.argv[1])
PY
round=0
while [ $round -lt 40 ]; do
	round=$((round + 1))
	urls=()
	for i in $(seq 1 50); do urls+=(-o "$T/dl/$round.$i" "$URL/lists/deelnemers"); done
	pki_curl sympa --parallel --parallel-max 50 -f "${urls[@]}" 2>>"$T/dl.err"
	[ "$(generation)" -gt "$g" ] && [ $round -ge 4 ] && break
done
wait_until 30 test "$(generation)" -gt "$g"
sha256sum <"$FEED/plain/deelnemers.sympa" | cut -d' ' -f1 >>"$T/versions"
check_eq "two versions were published" 2 "$(sort -u "$T/versions" | wc -l)"
bad=0 old=0 new=0
for f in "$T"/dl/*; do
	s=$(sha256sum <"$f" | cut -d' ' -f1)
	if [ "$s" = "$(sed -n 1p "$T/versions")" ]; then old=$((old + 1))
	elif [ "$s" = "$(sed -n 2p "$T/versions")" ]; then new=$((new + 1))
	else bad=$((bad + 1)); fi
done
check "at least 200 downloads arrived" test "$(ls "$T/dl" | wc -l)" -ge 200
check_eq "downloads during a publish: each one whole, old or new" 0 "$bad"
diag "old $old, new $new"

# 2. 1,000 POSTs as fast as they come: a few generations.
g=$(generation)
posts=()
for i in $(seq 1 1000); do posts+=(-o /dev/null -w '%{http_code}\n' "$URL/-/regenerate"); done
start=$(date +%s.%N)
pki_curl crm --parallel --parallel-max 64 -X POST "${posts[@]}" >"$T/codes" 2>/dev/null
end=$(date +%s.%N)
diag "1000 POSTs in $(python3 -c "print(round($end - $start, 2))") s: $(sort "$T/codes" | uniq -c | tr '\n' ' ')"
check_eq "trigger storm: every POST accepted (202)" 1000 "$(grep -c '^202$' "$T/codes")"
sleep 3
wait_until 30 python3 -c 'import json,sys; r = json.load(open(sys.argv[1])); sys.exit(0 if r["finished_ms"] else 1)' "$FEED/run.json"
n=$(( $(generation) - g ))
diag "generations for 1000 triggers: $n"
check "trigger storm: at least one generation" test "$n" -ge 1
check "trigger storm: coalesced into at most 10 generations" test "$n" -le 10

# 3. Hostile requests.
code() { pki_curl sympa -o /dev/null -w '%{http_code}' "$@" 2>/dev/null; }
check_eq "a 10 kB query string: refused (414)" 414 "$(code "$URL/lists/deelnemers?$(head -c 10000 /dev/zero | tr '\0' a)")"
check_eq "a 10 kB header: refused (400/431)" 1 \
	"$(c=$(code -H "X-Big: $(head -c 10000 /dev/zero | tr '\0' a)" "$URL/lists/deelnemers"); [ "$c" = 400 ] || [ "$c" = 431 ]; echo $(( $? == 0 )))"
q=$(for i in $(seq 1 200); do printf 'reception=mail&'; done)
check_eq "200 parameters: 400" 400 "$(code "$URL/lists/deelnemers?$q")"
check_eq "PUT: 405" 405 "$(code -X PUT "$URL/lists/deelnemers")"
check_eq "DELETE: 405" 405 "$(code -X DELETE "$URL/lists/deelnemers")"
check_eq "a body on GET is ignored: 200" 200 "$(code -X GET --data-binary 'x=1' "$URL/lists/deelnemers")"
check_eq "a 1 MB POST body: refused by nginx (413)" 413 \
	"$(head -c 1000000 /dev/zero | pki_curl crm -o /dev/null -w '%{http_code}' -X POST --data-binary @- "$URL/-/regenerate" 2>/dev/null)"
# A client that sends its headers slowly is cut off by nginx.
slow() {	# seconds until nginx drops a client that never ends its headers
	python3 - "$SITE_PORT" "$W/pki" <<'PY'
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2] + "/ca.pem")
ctx.load_cert_chain(sys.argv[2] + "/client-sympa.pem", sys.argv[2] + "/client-sympa.key")
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost")
s.sendall(b"GET /lists/deelnemers HTTP/1.1\r\nHost: localhost\r\n")
t = time.time()
s.settimeout(1)
while time.time() - t < 30:
    try:
        s.sendall(b"X-Slow: 1\r\n")
        if s.recv(4096) == b"":
            break
    except socket.timeout:
        continue
    except OSError:
        break
print(round(time.time() - t))
PY
}
check "a slow client is cut off within 15 s" test "$(slow)" -le 15
check "nginx and the responder still serve" pki_curl sympa -f -o /dev/null "$URL/lists/deelnemers"

done_testing
