#!/bin/bash
# listfeed.fcgi behind a real nginx with real client certificates, curl as
# the client: authorisation, the URL allow-list, X-Accel-Redirect bodies
# (exact bytes, 304, HEAD), index/status/metrics, the trigger against a
# fake generator, reloads, the audit log, and a clean stop on SIGTERM.
# The feed directory is built by hand here (no generator needed).
set -u
. "$(dirname "$0")/lib/common.sh"

require_exec "$FCGI"
command -v nginx >/dev/null || skip_all "nginx not installed"
command -v python3 >/dev/null || skip_all "python3 not installed"
pki_setup || bail_out "pki_setup"

F=$T/feed
CONF=$T/listfeed.conf
TRIG=$T/trigger.sock
LOG=$W/log/fcgi-t40.log

# ------------------------------------------------------------ the feed
mkdir -p "$F/lists/mail" "$F/lists/digest" "$F/plain/mail" "$F/plain/digest"
printf 'alice@example.org\tAlice Adams\nbob@example.org\tBob\ncarol@example.org\n' \
    >"$F/plain/deelnemers.sympa"
printf 'alice@example.org\tAlice Adams\ncarol@example.org\n' >"$F/plain/mail/deelnemers.sympa"
printf 'bob@example.org\tBob\n' >"$F/plain/digest/deelnemers.sympa"
for n in deelnemers.sympa deelnemers.csv bestuur.csv bestuur.sympa bestuur.plaintext; do
	printf -- '-----BEGIN PGP MESSAGE-----\n\nhF4D%s\n=abcd\n-----END PGP MESSAGE-----\n' \
	    "$(printf '%s' "$n" | sha256sum | cut -c1-40)" >"$F/lists/$n.asc"
done
for r in mail digest; do
	printf -- '-----BEGIN PGP MESSAGE-----\n\nhF4D%s\n=abcd\n-----END PGP MESSAGE-----\n' \
	    "$(printf '%s' "$r" | sha256sum | cut -c1-40)" >"$F/lists/$r/deelnemers.sympa.asc"
done
NOW_MS=$(($(date +%s) * 1000))

# write_manifest GEN CHANGED_GEN_OF_DEELNEMERS
write_manifest() {
	cat >"$F/.tmp-manifest" <<-EOF
	{"version": 1, "generation": $1,
	 "started_at": "2026-11-25T20:00:00Z", "started_ms": $NOW_MS,
	 "generated_at": "2026-11-25T20:00:01Z", "generated_ms": $((NOW_MS + 1000)),
	 "result": "ok", "held": [], "rejects": {},
	 "lists": {
	  "bestuur": {"count": 2, "reception": {"mail": 2, "digest": 0},
	    "added": 2, "removed": 0, "changed": 1, "changed_at": "2026-11-25T20:00:01Z",
	    "keys": "k",
	    "files": {"csv": {"path": "lists/bestuur.csv.asc", "sha256": "00"},
	              "sympa": {"path": "lists/bestuur.sympa.asc", "sha256": "00"},
	              "plaintext": {"path": "lists/bestuur.plaintext.asc", "sha256": "00"}}},
	  "deelnemers": {"count": 3, "reception": {"mail": 2, "digest": 1},
	    "added": 1, "removed": 2, "changed": $2, "changed_at": "2026-11-25T20:00:01Z",
	    "keys": "k",
	    "files": {"plain": {"path": "plain/deelnemers.sympa", "sha256": "00"},
	              "plain-mail": {"path": "plain/mail/deelnemers.sympa", "sha256": "00"},
	              "plain-digest": {"path": "plain/digest/deelnemers.sympa", "sha256": "00"},
	              "csv": {"path": "lists/deelnemers.csv.asc", "sha256": "00"},
	              "sympa": {"path": "lists/deelnemers.sympa.asc", "sha256": "00"},
	              "sympa-mail": {"path": "lists/mail/deelnemers.sympa.asc", "sha256": "00"},
	              "sympa-digest": {"path": "lists/digest/deelnemers.sympa.asc", "sha256": "00"}}}}}
	EOF
	mv "$F/.tmp-manifest" "$F/manifest.json"
}
write_manifest 1 1
cat >"$F/run.json" <<EOF
{"started_ms": $NOW_MS, "finished_ms": $((NOW_MS + 1000)), "exit": 0,
 "result": "ok", "message": "<script>alert(1)</script> & co", "generation": 1}
EOF
chmod 0640 "$F"/plain/*.sympa "$F"/plain/*/*.sympa

# ------------------------------------------------------------ config
FP_SYMPA=$(pki_fingerprint "$W/pki/client-sympa.pem")
FP_CRM=$(pki_fingerprint "$W/pki/client-crm.pem")
FP_ADMIN=$(pki_fingerprint "$W/pki/client-admin.pem")

# write_conf [EXTRA-SYMPA-LISTS]
write_conf() {
	cat >"$CONF.tmp" <<-EOF
	[feed]
	dir = $F
	accel_prefix = /_feed/
	trigger_socket = $TRIG
	templates = $TOP/templates

	[fcgi]
	socket = $T/unused.sock
	threads = 4

	[client sympa]
	fingerprint = $FP_SYMPA
	lists = deelnemers ${1:-}
	plain = yes

	[client crm]
	fingerprint = $FP_CRM
	lists = *
	trigger = yes

	[client admin]
	fingerprint = $FP_ADMIN
	lists = *
	plain = no
	EOF
	mv "$CONF.tmp" "$CONF"
}
write_conf

check "-n accepts the configuration" "$FCGI" -n -c "$CONF"
printf '[feed]\ndir = relative\n' >"$T/bad.conf"
check_exit "-n refuses a relative feed dir" 1 "$FCGI" -n -c "$T/bad.conf"
check_exit "-n refuses a missing file" 1 "$FCGI" -n -c "$T/none.conf"
# A format may not take the name of an internal file kind.
for k in plain plain-mail plain-digest sympa-mail sympa-digest; do
	printf '[feed]\ndir = /tmp\ntemplates = '"$TOP/templates"'\nformats = csv %s\n' "$k" >"$T/bad.conf"
	check_exit "-n refuses format \"$k\" (an internal kind)" 1 "$FCGI" -n -c "$T/bad.conf"
	check_grep "  with file:line" "bad.conf:4: .*$k" "$LAST_ERR"
	printf '[feed]\ndir = /tmp\ntemplates = '"$TOP/templates"'\n[list x]\nformats = %s\n' "$k" >"$T/bad.conf"
	check_exit "-n refuses [list] format \"$k\"" 1 "$FCGI" -n -c "$T/bad.conf"
done
printf '[feed]\ndir = /tmp\ntemplates = '"$TOP/templates"'\nformats = plaintext\n' >"$T/ok.conf"
check "-n accepts format \"plaintext\"" "$FCGI" -n -c "$T/ok.conf"
check_exit "unknown option: usage, exit 1" 1 "$FCGI" -Z
check_exit "stray argument: usage, exit 1" 1 "$FCGI" -c "$CONF" extra

# ------------------------------------------------------------ servers
SOCK=$W/fcgi-t40/sock
fcgi_start "$CONF" "$SOCK" t40 || bail_out "listfeed.fcgi did not start"
mode=$(stat -c %a "$SOCK")
check_eq "socket mode 0660" 660 "$mode"

PORT=$(free_port) || bail_out "no free port"
site_conf "$PORT" "$SOCK" "$F" >"$T/site.real.conf"
check_no_grep "site template fully substituted" '@[A-Z_]+@' "$T/site.real.conf"
# This script asks much faster than any Sympa: a wider limit here; the
# real one is tested at the end.
sed -e 's/rate=[0-9]*r\/s/rate=1000r\/s/' -e 's/burst=[0-9]*/burst=1000/' \
    "$T/site.real.conf" >"$T/site.conf"
nginx_start "$T/site.conf" t40 || bail_out "nginx did not start"
URL=https://localhost:$PORT

# req CLIENT PATH [CURL-ARGS...]: prints the status; body in $T/body,
# headers in $T/hdr.
req() {
	local c=$1 p=$2
	shift 2
	pki_curl "$c" --path-as-is -o "$T/body" -D "$T/hdr" -w '%{http_code}' \
	    "$@" "$URL$p" 2>"$T/curl.err" || true
}
# hdr NAME: value of a response header in $T/hdr (last one).
hdr() {
	tr -d '\r' <"$T/hdr" | awk -v n="$(printf '%s' "$1" | tr 'A-Z' 'a-z')" \
	    'BEGIN{FS=": "} tolower($1)==n {v=substr($0, length($1)+3)} END{print v}'
}

# ------------------------------------------------------------ plain text
check_eq "sympa: GET /lists/deelnemers 200" 200 "$(req sympa /lists/deelnemers)"
check_file_eq "sympa: exact bytes of the Sympa file" "$F/plain/deelnemers.sympa" "$T/body"
check_eq "plain: Content-Type" "text/plain; charset=utf-8" "$(hdr Content-Type)"
check_eq "plain: Cache-Control" "private, no-store" "$(hdr Cache-Control)"
check_eq "plain: Content-Disposition" 'inline; filename="deelnemers.txt"' "$(hdr Content-Disposition)"
check_eq "plain: no X-Accel-Redirect leaks" "" "$(hdr X-Accel-Redirect)"
check_eq "sympa: ?reception=mail 200" 200 "$(req sympa '/lists/deelnemers?reception=mail')"
check_file_eq "reception=mail: exact bytes" "$F/plain/mail/deelnemers.sympa" "$T/body"
check_eq "sympa: ?reception=digest 200" 200 "$(req sympa '/lists/deelnemers?reception=digest')"
check_file_eq "reception=digest: exact bytes" "$F/plain/digest/deelnemers.sympa" "$T/body"

# ------------------------------------------------------------ ciphertext
check_eq "sympa: GET .sympa.asc 200" 200 "$(req sympa /lists/deelnemers.sympa.asc)"
check_file_eq ".asc: exact bytes" "$F/lists/deelnemers.sympa.asc" "$T/body"
check_eq ".asc: Content-Type" "application/pgp-encrypted" "$(hdr Content-Type)"
check_eq ".asc: Cache-Control" "private, no-cache" "$(hdr Cache-Control)"
check_eq ".asc: Content-Disposition" 'attachment; filename="deelnemers.sympa.asc"' \
    "$(hdr Content-Disposition)"
check_eq "admin: GET bestuur.csv.asc 200" 200 "$(req admin /lists/bestuur.csv.asc)"
check_file_eq "admin: exact bytes" "$F/lists/bestuur.csv.asc" "$T/body"

# The cleartext kinds are no format: no .asc URL reaches them, for any
# client (admin and crm have plain = no, sympa has plain = yes).
for c in admin crm sympa; do
	for k in plain plain-mail plain-digest; do
		check_eq "$c: /lists/deelnemers.$k.asc is no URL: 404" 404 \
		    "$(req "$c" "/lists/deelnemers.$k.asc")"
		check_no_grep "  $c: no cleartext in the answer" '@example' "$T/body"
	done
done
# A format whose name merely starts with "plain" is an ordinary format.
check_eq "admin: format plaintext: 200" 200 "$(req admin /lists/bestuur.plaintext.asc)"
check_file_eq "  exact bytes" "$F/lists/bestuur.plaintext.asc" "$T/body"

# The encrypted Sympa files per reception, for any client seeing the list.
for r in mail digest; do
	check_eq "admin: .sympa.asc?reception=$r: 200" 200 "$(req admin "/lists/deelnemers.sympa.asc?reception=$r")"
	check_file_eq "  exact bytes" "$F/lists/$r/deelnemers.sympa.asc" "$T/body"
	check_eq "  Content-Disposition" "attachment; filename=\"deelnemers.sympa.$r.asc\"" \
	    "$(hdr Content-Disposition)"
	check_eq "  Content-Type" "application/pgp-encrypted" "$(hdr Content-Type)"
	check_eq "Sympa's User-Agent: .sympa.asc?reception=$r: 406" 406 \
	    "$(req sympa "/lists/deelnemers.sympa.asc?reception=$r" -A 'Sympa/6.2.70')"
done
check_eq "Sympa's User-Agent: .sympa.asc: 406" 406 "$(req sympa /lists/deelnemers.sympa.asc -A 'Sympa/6.2.70')"
check_eq "  list it may not see: 404 first" 404 "$(req sympa /lists/bestuur.sympa.asc -A 'Sympa/6.2.70')"
check_eq "encrypted mail file not in the manifest: 404" 404 "$(req admin '/lists/bestuur.sympa.asc?reception=mail')"

# ------------------------------------------------------------ authorisation
check_eq "no certificate: 403" 403 "$(req none /lists/deelnemers)"
check_eq "no certificate: one-line reason" "client certificate required" "$(cat "$T/body")"
check_eq "no certificate on /: 403" 403 "$(req none /)"
check_eq "unknown certificate: 403" 403 "$(req unknown /lists/deelnemers)"
check_eq "unknown certificate: reason" "unknown client certificate" "$(cat "$T/body")"
check_eq "unknown certificate on /-/status: 403" 403 "$(req unknown /-/status)"
code=$(pki_curl none --path-as-is -o "$T/body" -w '%{http_code}' \
    --cert "$W/pki/client-foreign.pem" --key "$W/pki/client-foreign.key" \
    "$URL/lists/deelnemers" 2>/dev/null)
check_eq "foreign CA: 400 from nginx" 400 "$code"

check_eq "sympa: list it may not see: 404" 404 "$(req sympa /lists/bestuur.csv.asc)"
cp "$T/body" "$T/body.hidden"
check_eq "sympa: unknown list: 404" 404 "$(req sympa /lists/nosuchlist.csv.asc)"
check_file_eq "hidden and unknown lists: same answer" "$T/body.hidden" "$T/body"
check_eq "sympa: plain of a list it may not see: 404" 404 "$(req sympa /lists/bestuur)"
check_file_eq "  same answer" "$T/body.hidden" "$T/body"
check_eq "sympa: format not in the manifest: 404" 404 "$(req sympa /lists/deelnemers.mailman.asc)"
# plain = no: the clear text does not exist for that client (404, as unknown).
check_eq "admin (plain = no): clear text 404" 404 "$(req admin /lists/deelnemers)"
check_file_eq "  same answer as an unknown list" "$T/body.hidden" "$T/body"
check_eq "admin: no plain for a list without clear text either" 404 "$(req admin /lists/bestuur)"

# ------------------------------------------------------------ hostile paths
for p in '/lists/../manifest.json' '/lists/%2e%2e/manifest.json' \
    '/lists/..%2fmanifest.json' '/lists/deelnemers%2f..' '/lists/a%00b' \
    '/lists/%2e%2e' '/lists/Deelnemers' '/lists/deelnemers/' '/lists//deelnemers' \
    "/lists/$(printf 'a%.0s' $(seq 1 65))" "/lists/$(printf 'a%.0s' $(seq 1 300))" \
    '/lists/deelnemers%' '/lists/deelnemers%zz' '/plain/deelnemers.sympa' \
    '/manifest.json' '/lists/deelnemers.sympa.asc/..' '/lists/.asc' \
    '/lists/deelnemers.SYMPA.asc' '/lists/deelnemers..asc' '/-/' '/-/status/'; do
	code=$(req sympa "$p")
	case $code in
	400 | 404) ok "hostile path $p: $code" ;;
	*) not_ok "hostile path $p: 400 or 404" "got $code" ;;
	esac
done
for q in 'reception=both' 'reception=mail&reception=mail' 'reception=mail&reception=digest' \
    'x=1' 'reception' 'reception=' '&reception=mail' 'reception=mail&' 'reception=%6dail%00' \
    'list=deelnemers' 'wait=5'; do
	check_eq "bad query ?$q: 400" 400 "$(req sympa "/lists/deelnemers?$q")"
done
check_eq "?reception on an .asc of another format: 404" 404 "$(req admin '/lists/deelnemers.csv.asc?reception=mail')"
check_eq "?reception=both on an .asc: 400" 400 "$(req admin '/lists/deelnemers.sympa.asc?reception=both')"
check_eq "encoded but valid name is decoded once: 200" 200 "$(req sympa '/lists/deeln%65mers')"
check_eq "double encoding is not decoded twice: 400/404" 1 \
    "$(c=$(req sympa '/lists/deeln%2565mers'); [ "$c" = 400 ] || [ "$c" = 404 ]; echo $((! $?)))"
check_eq "direct request to /_feed/: 404" 404 "$(req sympa /_feed/plain/deelnemers.sympa)"
check_eq "direct request to /_feed/ without cert: 404" 404 "$(req none /_feed/manifest.json)"

# ------------------------------------------------------------ HEAD, 304, methods
check_eq "HEAD /lists/deelnemers 200" 200 "$(req sympa /lists/deelnemers -I)"
check_no_grep "HEAD: no body" 'alice@' "$T/body"
check_eq "HEAD: Content-Length of the file" "$(wc -c <"$F/plain/deelnemers.sympa")" \
    "$(hdr Content-Length)"
req sympa /lists/deelnemers >/dev/null
ETAG=$(hdr ETag)
LASTMOD=$(hdr Last-Modified)
check "ETag present" test -n "$ETAG"
check_eq "If-None-Match: 304" 304 "$(req sympa /lists/deelnemers -H "If-None-Match: $ETAG")"
check_eq "If-Modified-Since: 304" 304 \
    "$(req sympa /lists/deelnemers -H "If-Modified-Since: $LASTMOD")"
check_eq "If-None-Match on .asc: 304" 304 "$(req sympa /lists/deelnemers.sympa.asc \
    -H "If-None-Match: $(req sympa /lists/deelnemers.sympa.asc >/dev/null; hdr ETag)")"
check_eq "Range: 206 from nginx" 206 "$(req sympa /lists/deelnemers -r 0-4)"
check_eq "Range: the first 5 bytes" "alice" "$(cat "$T/body")"
check_eq "POST /lists/deelnemers: 405" 405 "$(req sympa /lists/deelnemers -X POST -d x=1)"
check_eq "405: Allow" "GET, HEAD" "$(hdr Allow)"
check_eq "DELETE /: 405" 405 "$(req sympa / -X DELETE)"
check_eq "GET /-/regenerate: 405" 405 "$(req crm /-/regenerate)"
check_eq "405: Allow POST" "POST" "$(hdr Allow)"

# ------------------------------------------------------------ index, status, metrics
check_eq "admin: index 200" 200 "$(req admin /)"
cp "$T/body" "$T/index.html"
check_grep "index: text/html" '^[Cc]ontent-[Tt]ype: text/html; charset=utf-8' "$T/hdr"
check_grep "index: strict CSP" "^[Cc]ontent-[Ss]ecurity-[Pp]olicy: default-src 'none'" "$T/hdr"
check_grep "index: client name" '<strong>admin</strong>' "$T/index.html"
check_grep "index: list deelnemers" '<code>deelnemers</code>' "$T/index.html"
check_grep "index: list bestuur" '<code>bestuur</code>' "$T/index.html"
check_grep "index: .asc link" 'href="/lists/bestuur.csv.asc"' "$T/index.html"
check_grep "index: a format named plain... is listed" 'href="/lists/bestuur.plaintext.asc"' "$T/index.html"
check_no_grep "index: no link to a cleartext kind as a format" '\.plain(-mail|-digest)?\.asc' "$T/index.html"
check_grep "index: encrypted mail file" 'href="/lists/deelnemers.sympa.asc\?reception=mail"' "$T/index.html"
check_grep "index: encrypted digest file" 'href="/lists/deelnemers.sympa.asc\?reception=digest"' "$T/index.html"
check_no_grep "index (plain = no): no clear-text link" 'href="/lists/deelnemers"' "$T/index.html"
check_grep "index: run message escaped" '&lt;script&gt;alert\(1\)&lt;/script&gt; &amp; co' "$T/index.html"
check_no_grep "index: no raw <script>" '<script' "$T/index.html"
check_eq "sympa: index 200" 200 "$(req sympa /)"
check_grep "index (sympa): clear-text link" 'href="/lists/deelnemers"' "$T/body"
check_grep "index (sympa): digest link" 'href="/lists/deelnemers\?reception=digest"' "$T/body"
check_no_grep "index (sympa): no hidden list" 'bestuur' "$T/body"
check_eq "HEAD /: 200" 200 "$(req sympa / -I)"
check_no_grep "HEAD /: no body" '<html' "$T/body"

check_eq "admin: /-/status 200" 200 "$(req admin /-/status)"
check "status: valid JSON" python3 -m json.tool "$T/body"
check "status: generation, lists with counts" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["generation"] == 1, d
assert d["result"] == "ok", d
assert d["lists"]["deelnemers"] == {"count": 3, "mail": 2, "digest": 1, "changed": 1,
    "changed_at": "2026-11-25T20:00:01Z"}, d
assert "bestuur" in d["lists"], d
assert d["run"]["exit"] == 0, d' "$T/body"
check_grep "status: application/json" '^[Cc]ontent-[Tt]ype: application/json' "$T/hdr"
req sympa /-/status >/dev/null
check "status (sympa): only its lists" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert list(d["lists"]) == ["deelnemers"], d' "$T/body"

check_eq "admin: /-/metrics 200" 200 "$(req admin /-/metrics)"
check_grep "metrics: generation" '^listfeed_generation 1$' "$T/body"
check_grep "metrics: generated timestamp" '^listfeed_generated_timestamp_seconds [0-9]+\.[0-9]{3}$' "$T/body"
check_grep "metrics: subscribers" '^listfeed_list_subscribers\{list="deelnemers"\} 3$' "$T/body"
check_grep "metrics: request counters" '^listfeed_requests_total\{code="200"\} [1-9][0-9]*$' "$T/body"
check_grep "metrics: 403 counted" '^listfeed_requests_total\{code="403"\} [1-9][0-9]*$' "$T/body"
check_grep "metrics: run exit code" '^listfeed_run_exit_code 0$' "$T/body"
check "metrics: every line is a comment or a sample" python3 -c '
import re, sys
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    assert re.fullmatch(r"# (HELP|TYPE) listfeed_\w+ .+|listfeed_\w+(\{\w+=\"[^\"]*\"\})? -?[0-9.]+", line), line' "$T/body"
req sympa /-/metrics >/dev/null
check_no_grep "metrics (sympa): no hidden list" 'bestuur' "$T/body"

# ------------------------------------------------------------ trigger
check_eq "sympa (trigger = no): regenerate 403" 403 "$(req sympa /-/regenerate -X POST)"
check_eq "crm: no generator listening: 503" 503 "$(req crm /-/regenerate -X POST)"
check_eq "  reason" "generator not running" "$(cat "$T/body")"
check_eq "crm: bad wait: 400" 400 "$(req crm '/-/regenerate?wait=61' -X POST)"
check_eq "crm: bad list: 400" 400 "$(req crm '/-/regenerate?list=../x' -X POST)"

# A stand-in generator: receives the datagram, then publishes generation 2
# (deelnemers changed) and run.json, atomically, as listfeed-gen would.
# Mode "silent" receives and never finishes a run.
cat >"$T/fakegen.py" <<'EOF'
import json, os, socket, sys, time
sock_path, feed, mode = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sock_path)
def put(name, obj):
    tmp = os.path.join(feed, ".tmp-" + name)
    with open(tmp, "w") as f:
        json.dump(obj, f)
    os.rename(tmp, os.path.join(feed, name))
while True:
    msg = s.recv(256).decode()
    with open(os.path.join(feed, "..", "trigger.log"), "a") as f:
        f.write(msg)
    if mode == "silent":
        continue
    started = int(time.time() * 1000)
    time.sleep(0.2)
    with open(os.path.join(feed, "manifest.json")) as f:
        m = json.load(f)
    m["generation"] += 1
    m["lists"]["deelnemers"].update(changed=m["generation"], added=4, removed=1)
    put("manifest.json", m)
    put("run.json", {"started_ms": started, "finished_ms": int(time.time() * 1000),
                     "exit": 3 if mode == "held" else 0,
                     "result": "held" if mode == "held" else "ok",
                     "message": "", "generation": m["generation"]})
EOF
bg_start t40-fakegen python3 "$T/fakegen.py" "$TRIG" "$F" ok
wait_until 5 test -S "$TRIG" || not_ok "fake generator socket"

check_eq "crm: regenerate without wait: 202" 202 "$(req crm /-/regenerate -X POST)"
check "202: JSON accepted/after_ms" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["accepted"] is True and d["after_ms"] > 0, d' "$T/body"
wait_until 5 grep -qx regenerate "$T/trigger.log"
check_grep "generator got \"regenerate\"" '^regenerate$' "$T/trigger.log"
sleep 0.5
check_eq "crm: regenerate?list=deelnemers&wait=10: 200" 200 \
    "$(req crm '/-/regenerate?list=deelnemers&wait=10' -X POST -d 'ignored body')"
check_grep "generator got \"regenerate deelnemers\"" '^regenerate deelnemers$' "$T/trigger.log"
check "wait: change report" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["generation"] == 3, d
assert d["result"] == "ok" and d["exit"] == 0, d
assert d["updates"] == 5, d
assert d["lists"] == {"deelnemers": {"count": 3, "added": 4, "removed": 1}}, d' "$T/body"
check_eq "status follows the new manifest" 3 \
    "$(req crm /-/status >/dev/null; python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["generation"])' "$T/body")"
check_eq "crm: regenerate of an unknown-to-it list is still allowed (lists = *)" 202 \
    "$(req crm '/-/regenerate?list=other' -X POST)"
bg_stop t40-fakegen
rm -f "$TRIG"
bg_start t40-fakegen python3 "$T/fakegen.py" "$TRIG" "$F" silent
wait_until 5 test -S "$TRIG" || not_ok "fake generator socket (silent)"
check_eq "wait with no finished run: 504" 504 "$(req crm '/-/regenerate?wait=1' -X POST)"
check_eq "  JSON error" '{"error":"timeout"}' "$(cat "$T/body")"
bg_stop t40-fakegen
rm -f "$TRIG"

# ------------------------------------------------------------ reloads
check_eq "sympa: bestuur hidden before the reload" 404 "$(req sympa /lists/bestuur.csv.asc)"
write_conf bestuur
check_eq "config reloaded without restart: bestuur visible" 200 "$(req sympa /lists/bestuur.csv.asc)"
printf '[feed]\ndir = relative\n' >"$CONF"
check_eq "broken config: old one kept" 200 "$(req sympa /lists/bestuur.csv.asc)"
check_grep "broken config: logged" 'reload failed' "$LOG"
write_conf
check_eq "fixed config: reloaded" 404 "$(req sympa /lists/bestuur.csv.asc)"
printf '{ not json' >"$F/.tmp-m" && mv "$F/.tmp-m" "$F/manifest.json"
check_eq "broken manifest: last good one kept" 200 "$(req sympa /lists/deelnemers)"
write_manifest 7 7
req admin /-/status >/dev/null
check_grep "new manifest read" '"generation":7' "$T/body"
mv "$F/plain/deelnemers.sympa" "$F/plain/deelnemers.sympa.gone"
check_eq "file in the manifest but missing: 404" 404 "$(req sympa /lists/deelnemers)"
mv "$F/plain/deelnemers.sympa.gone" "$F/plain/deelnemers.sympa"
: >"$F/plain/mail/deelnemers.sympa"
check_eq "empty file where members are expected: never a 200" 503 \
    "$(req sympa '/lists/deelnemers?reception=mail')"

# ------------------------------------------------------------ audit log
check_grep "audit line for a fetch" \
    "request [0-9T:-]+Z sympa $FP_SYMPA GET /lists/deelnemers 200 $(wc -c <"$F/plain/deelnemers.sympa")\$" "$LOG"
check_grep "audit line for a refusal" "request [0-9T:-]+Z - - GET /lists/deelnemers 403 " "$LOG"
check_grep "audit line for HEAD" "request [0-9T:-]+Z sympa $FP_SYMPA HEAD /lists/deelnemers 200 0\$" "$LOG"
check_no_grep "no subscriber address in the log" '@example\.org' "$LOG"

# ------------------------------------------------------------ stop
# SIGTERM with an idle kept-alive nginx connection: prompt, clean, socket gone.
req sympa /lists/deelnemers >/dev/null
PID=$(bg_pid fcgi-t40)
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
fcgi_stop t40
check_eq "nginx answers 502 with the responder gone (never a 200)" 502 "$(req sympa /lists/deelnemers)"

# The real limit_req: one certificate asking too fast gets 429.
PORT2=$(free_port) || bail_out "no free port"
sed -e "s|127.0.0.1:$PORT|127.0.0.1:$PORT2|" -e 's/zone=listfeed/zone=listfeed2/' \
    -e 's/shared:listfeed_tls/shared:listfeed2_tls/' -e 's/upstream listfeed_fcgi/upstream listfeed2_fcgi/' \
    -e 's/fastcgi_pass listfeed_fcgi/fastcgi_pass listfeed2_fcgi/' \
    "$T/site.real.conf" >"$T/site2.conf"
if nginx_start "$T/site2.conf" t40b; then
	args=()
	for i in $(seq 1 40); do args+=(-o /dev/null "https://localhost:$PORT2/-/status"); done
	pki_curl sympa -w '%{http_code}\n' "${args[@]}" >"$T/codes" 2>/dev/null
	check_grep "limit_req: 429 after the burst" '^429$' "$T/codes"
	nginx_stop t40b
else
	not_ok "second nginx for limit_req"
fi

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
