#!/bin/bash
# The test harness itself: TAP helpers, PKI, GnuPG keys, MariaDB servers in
# their three TLS modes with the fixture, nginx with client certificates.
set -u
. "$(dirname "$0")/lib/common.sh"

# --- TAP helpers, in a world of their own -----------------------------------
cat >"$T/inner.sh" <<EOF
set -u
. "$TOP/tests/lib/common.sh"
check "true passes" true
check_fail "false fails" false
check_exit "exit 3" 3 sh -c 'exit 3'
check_eq "equal" a a
check_eq "not equal" a b
check_fail "a crash is not a failure" sh -c 'kill -SEGV \$\$'
check_fail "a sanitizer report is not a failure" sh -c 'echo "==1==ERROR: AddressSanitizer: heap-use-after-free" >&2; exit 1'
skip "skipped" "no reason"
done_testing
EOF
LF_WORLD="$T/inner-world" bash "$T/inner.sh" >"$T/inner.out" 2>&1
rc=$?
check_eq "a failing script exits 1" 1 "$rc"
check_eq "TAP lines of the helpers" \
	"ok 1 - true passes|ok 2 - false fails|ok 3 - exit 3|ok 4 - equal|not ok 5 - not equal|not ok 6 - a crash is not a failure|not ok 7 - a sanitizer report is not a failure|ok 8 - skipped # SKIP no reason|1..8" \
	"$(grep -E '^(ok|not ok|1\.\.)' "$T/inner.out" | tr '\n' '|' | sed 's/|$//')"
check_grep "failure details are TAP comments" '^# expected: a$' "$T/inner.out"
check_no_grep "no stray output starts like a TAP line" '^(ok|not ok) [^0-9]' "$T/inner.out"

p1=$(free_port)
p2=$(free_port)
check "free_port gives numbers" test "$p1" -gt 1024 -a "$p2" -gt 1024
check "free_port never gives a port twice" test "$p1" != "$p2"

# --- PKI -------------------------------------------------------------------
check "pki_setup" pki_setup
P=$W/pki
sum1=$(cat "$P"/*.pem | sha256sum)
check "pki_setup a second time" pki_setup
check_eq "a second pki_setup keeps the certificates" "$sum1" "$(cat "$P"/*.pem | sha256sum)"
check "server certificate verifies as a TLS server" \
	openssl verify -CAfile "$P/ca.pem" -purpose sslserver "$P/server.pem"
for c in sympa crm admin unknown; do
	check "client-$c verifies as a TLS client" \
		openssl verify -CAfile "$P/ca.pem" -purpose sslclient "$P/client-$c.pem"
	check "client-$c key matches" sh -c "test \"\$(openssl x509 -noout -pubkey -in '$P/client-$c.pem')\" = \"\$(openssl pkey -pubout -in '$P/client-$c.key')\""
done
check_fail "client-sympa is no TLS server certificate" \
	openssl verify -CAfile "$P/ca.pem" -purpose sslserver "$P/client-sympa.pem"
check "server certificate names localhost, 127.0.0.1, ::1" sh -c \
	"openssl x509 -noout -ext subjectAltName -in '$P/server.pem' | grep -q 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1'"
check "certificates are valid for 30 days" sh -c \
	"openssl x509 -noout -checkend $((29 * 86400)) -in '$P/server.pem' && ! openssl x509 -noout -checkend $((31 * 86400)) -in '$P/server.pem'"
check "foreign client verifies against the foreign CA" \
	openssl verify -CAfile "$P/foreign-ca.pem" -purpose sslclient "$P/client-foreign.pem"
check_fail "foreign client fails against ca.pem" \
	openssl verify -CAfile "$P/ca.pem" "$P/client-foreign.pem"
check_fail "foreign server certificate fails against ca.pem" \
	openssl verify -CAfile "$P/ca.pem" "$P/foreign-server.pem"
check "keys are mode 0600" sh -c "test -z \"\$(find '$P' -name '*.key' ! -perm 0600)\""
fp=$(pki_fingerprint "$P/client-sympa.pem")
check "pki_fingerprint: 40 lower-case hex digits" grep -Eqx '[0-9a-f]{40}' <<<"$fp"
check_eq "pki_subject in RFC 2253 form" "CN=sympa.example.net,O=Provider" "$(pki_subject "$P/client-sympa.pem")"
check_eq "the foreign client carries the same subject" \
	"$(pki_subject "$P/client-sympa.pem")" "$(pki_subject "$P/client-foreign.pem")"
check "fingerprints differ" test "$fp" != "$(pki_fingerprint "$P/client-foreign.pem")"

# --- GnuPG -----------------------------------------------------------------
check "gpg_setup" gpg_setup
gpg_setup
for v in FEED_FPR PROVIDER_FPR ADMIN_FPR; do
	check "$v is a full fingerprint" grep -Eqx '[0-9A-F]{40}' <<<"${!v:-}"
done
f1=$FEED_FPR
check "gpg_setup a second time" gpg_setup
check_eq "the same feed key after a second gpg_setup" "$f1" "$FEED_FPR"
check_eq "the feed key is ed25519 (algorithm 22)" 22 \
	"$(gpg --homedir "$W/gnupg" --with-colons --list-keys "$FEED_FPR" 2>/dev/null | awk -F: '$1 == "pub" { print $4 }')"
check "homes are mode 0700" sh -c "test -z \"\$(find '$W/gnupg' '$W/gnupg-provider' '$W/gnupg-admin' -maxdepth 0 ! -perm 0700)\""
printf 'deelnemers\tvia gpg\n' >"$T/msg"
check "feed signs and encrypts to provider and admin" \
	gpg --homedir "$W/gnupg" --batch --no-tty --trust-model always --armor \
	--local-user "$FEED_FPR" --recipient "$PROVIDER_FPR" --recipient "$ADMIN_FPR" \
	--output "$T/msg.asc" --sign --encrypt "$T/msg"
for who in provider admin; do
	check "$who decrypts" gpg --homedir "$W/gnupg-$who" --batch --no-tty \
		--status-file "$T/$who.status" --output "$T/$who.out" --decrypt "$T/msg.asc"
	check_file_eq "$who reads the message" "$T/msg" "$T/$who.out"
	check_grep "$who sees a valid signature by the feed key" "^\[GNUPG:\] VALIDSIG $FEED_FPR " "$T/$who.status"
done
check_fail "the feed cannot decrypt its own output" gpg --homedir "$W/gnupg" --batch --no-tty \
	--output /dev/null --decrypt "$T/msg.asc"

# --- MariaDB: TLS ----------------------------------------------------------
t0=$(date +%s)
check "db_start tls" db_start tls
check "db_start tls again reuses it" db_start tls
check "db_fixture tls" db_fixture tls
check "db_fixture tls again" db_fixture tls
t1=$(date +%s)
diag "database up with the fixture in $((t1 - t0)) s"
check_eq "option file mode 0600" 600 "$(stat -c %a "$W/db-tls/my.cnf")"
check_grep "option file group [listfeed]" '^\[listfeed\]$' "$W/db-tls/my.cnf"
check_grep "option file port" "^port=$(db_port tls)\$" "$W/db-tls/my.cnf"
CNF=$(db_client_cnf tls)
check "listfeed reads the view over verified TLS" \
	mariadb --defaults-file="$CNF" --ssl-verify-server-cert -N -B \
	-e 'SELECT COUNT(*) FROM listfeed_subscribers'
check_eq "... all its rows" "$(db_sql tls 'SELECT COUNT(*) FROM listfeed_subscribers')" \
	"$(cat "$LAST_OUT")"
mariadb --defaults-file="$CNF" --ssl-verify-server-cert -N -B \
	-e "SHOW STATUS LIKE 'Ssl_cipher'; SELECT CURRENT_USER()" >"$T/tls.out" 2>&1
check_grep "the connection is encrypted" '^Ssl_cipher	TLS' "$T/tls.out"
check_grep "as listfeed over TCP" '^listfeed@127\.0\.0\.1$' "$T/tls.out"
check_fail "listfeed cannot read members_user" \
	mariadb --defaults-file="$CNF" --ssl-verify-server-cert -N -B \
	-e 'SELECT password FROM members_user'
check_fail "listfeed cannot log in without TLS" \
	mariadb --defaults-file="$CNF" --skip-ssl -N -B -e 'SELECT 1'
check_fail "a wrong CA fails server verification" \
	mariadb --defaults-file="$CNF" --ssl-ca="$W/pki/foreign-ca.pem" --ssl-verify-server-cert \
	-N -B -e 'SELECT 1'
db_sql tls "SELECT * FROM mailinglists_api ORDER BY list, user_subscriber, digest" >"$T/view.tsv"
check_file_eq "view rows equal tests/fixture/expected_view.tsv" \
	"$TOP/tests/fixture/expected_view.tsv" "$T/view.tsv"
mariadb --defaults-file="$CNF" --ssl-verify-server-cert -N -B --default-character-set=utf8mb4 \
	-e "SELECT HEX(comment_subscriber) FROM listfeed_subscribers WHERE user_subscriber = 'kees@example.nl' LIMIT 1" \
	>"$T/emoji.out" 2>&1
check_eq "4-byte UTF-8 arrives intact" "$(printf 'Kees 🚀 de Wit' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" \
	"$(cat "$T/emoji.out")"
check_eq "private marker values are in place" 25 \
	"$(db_sql tls "SELECT COUNT(*) FROM members_user WHERE password LIKE '%PRIVATE-HASH-%'")"
check_eq "case-duplicate view" 41 "$(db_sql tls 'SELECT COUNT(*) FROM fixture_case_dups')"

# --- MariaDB: no TLS -------------------------------------------------------
check "db_start notls" db_start notls notls
check "notls server answers" db_admin notls -e 'SELECT 1'
check_fail "notls server has no TLS" sh -c "test \"\$(mariadb --no-defaults -S '$W/db-notls/sock' -u \"\$(id -un)\" -N -B -e 'SELECT @@have_ssl')\" = YES"
check "notls server listens on 127.0.0.1" _lf_tcp_open 127.0.0.1 "$(db_port notls)"
check "db_fixture notls" db_fixture notls

# --- MariaDB: certificate from a foreign CA --------------------------------
check "db_start foreign" db_start foreign foreign
check "db_fixture foreign" db_fixture foreign
check_eq "foreign server has TLS" YES "$(db_sql foreign 'SELECT @@have_ssl')"
CNFF=$(db_client_cnf foreign)
check_fail "foreign server fails verification against ca.pem" \
	mariadb --defaults-file="$CNFF" --ssl-verify-server-cert -N -B -e 'SELECT 1'
check "foreign server verifies against its own CA" \
	mariadb --defaults-file="$CNFF" --ssl-ca="$W/pki/foreign-ca.pem" --ssl-verify-server-cert \
	-N -B -e 'SELECT COUNT(*) FROM listfeed_subscribers'

# --- stop, restart ---------------------------------------------------------
pid=$(bg_pid db-notls)
port=$(db_port notls)
check "db_stop notls" db_stop notls
check_fail "mariadbd is gone" kill -0 "$pid"
check_fail "its port is closed" _lf_tcp_open 127.0.0.1 "$port"
check "db_start notls restarts it" db_start notls notls
check_eq "on the same port" "$port" "$(db_port notls)"
check "the fixture survives a restart" db_sql notls 'SELECT COUNT(*) FROM mailinglists_api'
check_eq "with all rows" 38 "$(cat "$LAST_OUT")"

# --- nginx with client certificates -----------------------------------------
NP=$(free_port)
cat >"$T/site.conf" <<EOF
server {
    listen 127.0.0.1:$NP ssl;
    server_name localhost;
    ssl_certificate $W/pki/server.pem;
    ssl_certificate_key $W/pki/server.key;
    ssl_client_certificate $W/pki/ca.pem;
    ssl_verify_client optional;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / {
        default_type text/plain;
        return 200 "\$ssl_client_verify|\$ssl_client_fingerprint|\$ssl_client_s_dn\n";
    }
}
EOF
check "nginx_start" nginx_start "$T/site.conf" t00
check_eq "nginx sees the fingerprint and subject pki_* print" \
	"SUCCESS|$(pki_fingerprint "$P/client-sympa.pem")|$(pki_subject "$P/client-sympa.pem")" \
	"$(pki_curl sympa "https://localhost:$NP/")"
check_eq "no client certificate: NONE" "NONE||" "$(pki_curl none "https://127.0.0.1:$NP/")"
check_eq "a foreign client certificate: nginx answers 400" 400 \
	"$(curl -s --noproxy '*' --cacert "$P/ca.pem" --cert "$P/client-foreign.pem" \
		--key "$P/client-foreign.key" -o /dev/null -w '%{http_code}' "https://localhost:$NP/")"
check_fail "curl refuses the foreign server certificate" \
	curl -sS --noproxy '*' --cacert "$P/foreign-ca.pem" "https://localhost:$NP/"
npid=$(bg_pid nginx-t00)
check "nginx_stop" nginx_stop t00
check_fail "nginx is gone" kill -0 "$npid"
check "no pid file left for it" test ! -e "$W/pids/nginx-t00.pid"

done_testing
