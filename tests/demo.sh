#!/usr/bin/env bash
# make demo: the whole of listfeed on a sample CRM database, on 127.0.0.1
# only, in a temporary directory: MariaDB with TLS, a demo CA, gpg keys,
# listfeed-gen --watch, listfeed.fcgi and nginx with client certificates.
# It then does what Sympa, an admin and the CRM do, step by step, and
# stays up until Ctrl-C (DEMO_ONESHOT=1: exits after the steps).
#
# usage: tests/demo.sh [BUILD_DIR]
set -u
[ $# -ge 1 ] && export LF_BUILD=$1
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/relay.sh"

ONESHOT=${DEMO_ONESHOT:-0}
STEP=0
FAILED=0

say() { printf '%s\n' "$*"; }
step() { STEP=$((STEP + 1)); printf '\n[%d] %s\n' "$STEP" "$*"; }
good() { printf '    ok: %s\n' "$*"; }
bad() { printf '    FAILED: %s\n' "$*"; FAILED=$((FAILED + 1)); }
die() { printf '\ndemo: %s\n' "$*" >&2; exit 1; }
# sympa_keeps FILE: the addresses Sympa keeps of a file, by its own line rules
# (Sympa::DataSource::File): trailing blanks stripped, blank and # lines
# skipped, then email and gecos.
sympa_keeps() {
	perl -CS -ne 's/\s+$//; next if /^\s*$/ || /^\s*#/;
		print "$1\n" if /^\s*(\S+)(?:\s+(\S.*))?$/ && $1 =~ /^[^@\s]+@[^@\s]+\.[^@\s]+$/' "$1"
}

for f in "$GEN" "$FCGI" "$RELAY"; do
	[ -x "$f" ] || die "$f is missing: run make first"
done

step "Setting up in $W (127.0.0.1 only)"
pki_setup || die "making the demo CA failed"
good "demo CA, server certificate, client certificates: sympa, crm, admin"
gpg_setup || die "making gpg keys failed"
good "gpg keys: feed (signs) $FEED_FPR"
good "          provider     $PROVIDER_FPR"
good "          admin        $ADMIN_FPR"
db_start demo tls || die "MariaDB did not start"
db_sample demo || die "loading the sample CRM failed"
good "MariaDB 127.0.0.1:$(db_port demo) (TLS), sample CRM: $(db_sql demo 'SELECT COUNT(*) FROM members_user') members," \
	"$(db_sql demo 'SELECT COUNT(*) FROM mailinglists_mailinglist') lists"

PORT=$(free_port)
FEED=$W/feed
CONF=$W/listfeed.conf
{
	echo "# listfeed.conf of the demo"
	sample_conf demo "$FEED" "$W/trigger.sock" "$W/fcgi.sock"
	printf '[list hetbestuur]\nrecipients = %s\nnames = first\n' "$ADMIN_FPR"
	client_conf admin '*'
} >"$CONF"
good "configuration: $CONF"

bg_start gen-watch "$GEN" -c "$CONF" --watch || die "listfeed-gen did not start"
wait_until 60 test -s "$FEED/manifest.json" || die "no first generation; see $W/log/gen-watch.log"
good "listfeed-gen --watch: first generation published to $FEED"
sed -n 's/^\(.* changed\)$/          \1/p' "$W/log/gen-watch.log" | head -n 8

fcgi_start "$CONF" "$W/fcgi.sock" || die "listfeed.fcgi did not start"
good "listfeed.fcgi on $W/fcgi.sock"
site_conf "$PORT" "$W/fcgi.sock" "$FEED" >"$W/site.conf"
nginx_start "$W/site.conf" || die "nginx did not start"
URL=https://localhost:$PORT
good "nginx with client TLS on $URL"

step "Sympa fetches deelnemers with its certificate"
code=$(pki_curl sympa -o "$W/deelnemers.txt" -w '%{http_code}' -A 'Sympa/6.2.70' "$URL/lists/deelnemers")
if [ "$code" = 200 ]; then
	n=$(sympa_keeps "$W/deelnemers.txt" | wc -l)
	good "HTTP 200, $(wc -c <"$W/deelnemers.txt") bytes, parsed as $n members"
	head -n 3 "$W/deelnemers.txt" | sed 's/^/          /'
	[ "$n" -gt 0 ] || bad "no members parsed"
else
	bad "HTTP $code"
fi
code=$(pki_curl sympa -o /dev/null -w '%{http_code}' "$URL/lists/hetbestuur")
[ "$code" = 404 ] && good "hetbestuur is not Sympa's to see: HTTP 404" || bad "hetbestuur: HTTP $code"

step "Sympa's path through listfeed-relay: the encrypted file, verified, served on loopback"
if relay_setup "$URL" && "$RELAY" -c "$RCONF" --once >"$W/relay-once.txt" 2>"$W/log/relay-once.log"; then
	good "listfeed-relay --once ($RCONF): every source decrypted, signed by the feed key"
	sed 's/^/          /' "$W/relay-once.txt"
else
	bad "listfeed-relay --once: $(cat "$W/relay-once.txt" "$W/log/relay-once.log" | head -n 5)"
fi
if relay_start demo; then
	good "listfeed-relay on $RELAY_URL"
	for r in all mail digest; do
		q=""
		[ "$r" = all ] || q="?reception=$r"
		code=$(curl -s --noproxy '*' -o "$W/relay.$r" -w '%{http_code}' "$RELAY_URL/lists/deelnemers$q")
		sympa_keeps "$W/relay.$r" | sort >"$W/relay.$r.members"
		[ "$code" = 200 ] && good "Sympa reads $RELAY_URL/lists/deelnemers$q: HTTP 200," \
			"$(wc -l <"$W/relay.$r.members") members" || bad "deelnemers$q: HTTP $code"
	done
	sort "$W/relay.mail.members" "$W/relay.digest.members" | cmp -s - "$W/relay.all.members" &&
		good "mail + digest = the whole list" || bad "mail + digest is not the whole list"
	sympa_keeps "$W/deelnemers.txt" | sort | cmp -s - "$W/relay.all.members" &&
		good "the same members as the direct fetch of step 2" || bad "not the members of step 2"
else
	bad "listfeed-relay did not start; see $W/log/relay-demo.log"
fi

step "An admin downloads the encrypted CSV of spacelog and decrypts it"
code=$(pki_curl admin -o "$W/spacelog.csv.asc" -w '%{http_code}' "$URL/lists/spacelog.csv.asc")
if [ "$code" = 200 ] && gpg --homedir "$W/gnupg-admin" --batch --status-fd 3 -q --decrypt \
	"$W/spacelog.csv.asc" 2>/dev/null 3>"$W/gpg.status" >"$W/spacelog.csv"; [ "$code" = 200 ] &&
	grep -q DECRYPTION_OKAY "$W/gpg.status"; then
	good "HTTP 200, decrypted: $(($(wc -l <"$W/spacelog.csv") - 1)) members"
	grep -q "GOODSIG" "$W/gpg.status" && good "signature: good, by the feed key"
	head -n 3 "$W/spacelog.csv" | tr -d '\r' | sed 's/^/          /'
else
	bad "HTTP $code, or decryption failed"
fi

step "The CRM subscribes a member to spacelog and asks for a regeneration"
db_sql demo "INSERT INTO mailinglists_subscription (active, digest, mailinglist_id, member_id)
	SELECT 1, 0, l.id, u.id FROM mailinglists_mailinglist l, members_user u
	WHERE l.name = 'spacelog' AND u.is_active = 1 AND u.id NOT IN
	(SELECT member_id FROM mailinglists_subscription s WHERE s.mailinglist_id = l.id)
	ORDER BY u.id LIMIT 1" || bad "changing the database failed"
code=$(pki_curl crm -o "$W/report.json" -w '%{http_code}' -X POST "$URL/-/regenerate?list=spacelog&wait=10")
if [ "$code" = 200 ]; then
	good "HTTP 200: $(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
print("generation %d: %d updates; %s" % (r["generation"], r["updates"],
    ", ".join("%s %d (+%d -%d)" % (k, v["count"], v["added"], v["removed"]) for k, v in r["lists"].items())))' "$W/report.json")"
else
	bad "HTTP $code: $(head -c 200 "$W/report.json")"
fi

step "A client without a certificate is refused"
code=$(pki_curl none -o "$W/refused.txt" -w '%{http_code}' "$URL/lists/deelnemers")
[ "$code" = 403 ] && good "HTTP 403: $(head -n 1 "$W/refused.txt")" || bad "HTTP $code"

openssl pkcs12 -export -passout pass:demo -in "$W/pki/client-admin.pem" \
	-inkey "$W/pki/client-admin.key" -out "$W/admin.p12" 2>/dev/null

say ""
if [ "$FAILED" -gt 0 ]; then
	say "demo: $FAILED step(s) failed; logs in $W/log"
	LF_KEEP=1
	exit 1
fi
say "All steps passed."
say ""
say "Index page:  $URL/   (import $W/admin.p12, password 'demo', and trust $W/pki/ca.pem)"
say "By hand:"
say "  curl --cacert $W/pki/ca.pem --cert $W/pki/client-admin.pem --key $W/pki/client-admin.key $URL/-/status"
say "  curl --cacert $W/pki/ca.pem --cert $W/pki/client-sympa.pem --key $W/pki/client-sympa.key $URL/lists/deelnemers"
say "  curl --cacert $W/pki/ca.pem --cert $W/pki/client-crm.pem --key $W/pki/client-crm.key -X POST '$URL/-/regenerate?wait=10'"
say "  gpg --homedir $W/gnupg-admin -d $W/spacelog.csv.asc"
say "  curl '$RELAY_URL/lists/deelnemers?reception=digest'   (Sympa's URL on the relay)"
[ "$ONESHOT" = 1 ] && exit 0
say ""
say "Running until Ctrl-C; then everything stops and $W is removed."
while bg_alive nginx-nginx && bg_alive gen-watch && bg_alive fcgi-fcgi; do
	sleep 1
done
