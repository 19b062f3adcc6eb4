#!/usr/bin/env bash
# The database password never leaves in clear: against a hostile server
# on loopback (tests/tools/fakedb.py: no TLS, asks for
# mysql_clear_password, logs every byte it receives after its greeting),
# listfeed-gen sends nothing at all, whatever the option file says, and
# every option-file key outside the allow-list (lib/optfile.h) fails
# --check-config with its name, file and line, before any connection.
set -u
. "$(dirname "$0")/lib/common.sh"

DUMP=$BUILD/tests/dbdump
require_exec "$DUMP" "$GEN"
command -v python3 >/dev/null || skip_all "python3 needed for the fake server"
gpg_setup || bail_out "gpg_setup"

LOG=$T/fake.log
bg_start fakedb python3 "$TOP/tests/tools/fakedb.py" "$T/fake.port" "$LOG" ||
    bail_out "fake server"
wait_until 20 test -s "$T/fake.port" || bail_out "fake server did not start"
# The same server on a Unix socket, the one place for tls = disabled.
bg_start fakedbsock python3 "$TOP/tests/tools/fakedb.py" "$T/fakesock.port" \
    "$LOG" "$T/fake.sock" || bail_out "fake server on a socket"
wait_until 20 test -s "$T/fakesock.port" ||
    bail_out "fake server on a socket did not start"
PORT=$(cat "$T/fake.port")
PW=Fake-Server-Gets-This-7
PWHEX=$(printf '%s' "$PW" | od -An -tx1 | tr -d ' \n')

# optcnf NAME [LINE...]: option file $T/NAME.cnf for the fake server.
optcnf() {
	local f=$T/$1.cnf name=$1 l
	shift
	{
		# tls = disabled is allowed only over the Unix socket.
		if [ "$name" = ok-disabled ]; then
			printf '[listfeed]\nsocket = %s\n' "$T/fake.sock"
		else
			printf '[listfeed]\nhost = 127.0.0.1\nport = %s\n' "$PORT"
		fi
		printf 'user = listfeed\npassword = %s\n' "$PW"
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$f"
	chmod 600 "$f"
}

# lfconf NAME TLS: $T/NAME.conf reading $T/NAME.cnf, checkable by
# --check-config (keys of gpg_setup).
lfconf() {
	cat >"$T/$1.conf" <<-EOF
	[database]
	defaults_file = $T/$1.cnf
	tls = $2
	connect_timeout = 5
	read_timeout = 5
	[feed]
	dir = $T/feed
	templates = $TOP/templates
	[gpg]
	home = $W/gnupg
	sign_key = $FEED_FPR
	recipients = $PROVIDER_FPR
	EOF
}

# connections: how many connections the fake server has seen.
connections() {
	grep -c '^connect$' "$LOG"
}

# received: what it received after its greeting, all connections.
received() {
	sed -n 's/^recv //p' "$LOG" | tr -d '\n'
}

# --- an option file that listfeed reads: nothing after the greeting ----
for tls in required disabled; do
	optcnf "ok-$tls"
	lfconf "ok-$tls" "$tls"
	before=$(connections)
	check_exit "tls = $tls, server without TLS asking for clear text: refused" \
	    2 "$DUMP" "$T/ok-$tls.conf"
	wait_until 5 test "$(grep -c '^close$' "$LOG")" = "$(connections)"
	check_eq "... it connected once" $((before + 1)) "$(connections)"
	check_eq "... and sent nothing after the server's greeting" "" "$(received)"
done
check_grep "... the plugin refusal is reported" "restricted_auth" "$LAST_ERR"

# --- nested settings and every key outside the allow-list ---------------
# A key Connector/C reads, and a line that would set it.
refused=(
	"connection|connection = ssl-verify-server-cert=0"
	"connection|connection=ssl_verify_server_cert=0;ssl_enforce=0"
	"restricted-auth|restricted-auth = mysql_clear_password"
	"restricted_auth|restricted_auth = mysql_native_password_or_mysql_clear_password"
	"default-auth|default-auth = mysql_clear_password"
	"plugin-dir|plugin-dir = $T"
	"init-command|init-command = SELECT 1"
	"tls-version|tls-version = TLSv1.1"
	"ssl-enforce|ssl-enforce = 0"
	"tls-verify-peer|tls-verify-peer = 0"
	"ssl-fp|ssl-fp = 00:11"
	"ssl-cipher|ssl-cipher = NULL"
	"local-infile|local-infile = 1"
	"protocol|protocol = tcp"
	"loose-ssl-verify-server-cert|loose-ssl-verify-server-cert = 0"
	"ssl-verify-server-cert|ssl-verify-server-cert = 0"
	"ssl-verify-server-cert|ssl_verify_server_cert = off"
	"default-character-set|default-character-set = utf8"
	"!include|!include $T/other.cnf"
	"!include|!includedir $T"
	"[mysql]|[mysql]"
)
before=$(connections)
i=0
for r in "${refused[@]}"; do
	i=$((i + 1))
	key=${r%%|*}
	optcnf "ref$i" "${r#*|}"
	lfconf "ref$i" required
	check_fail "option file with \"${r#*|}\": --check-config fails" \
	    "$GEN" -c "$T/ref$i.conf" --check-config
	check_grep "... naming $key at ref$i.cnf:6" \
	    "ref$i\\.cnf:6: .*$(printf '%s' "$key" | sed 's/[][!.]/\\&/g')" "$LAST_ERR"
done
optcnf dump connection=ssl-verify-server-cert=0
lfconf dump required
check_exit "dbdump with connection = ...: refused" 2 "$DUMP" "$T/dump.conf"
check_eq "refused option files: no connection at all" "$before" "$(connections)"

# --- the password --------------------------------------------------------
check_eq "the server never received the password" "" \
    "$(received | grep -o "$PWHEX")"
if cat "$T"/*.err "$LAST_ERR" 2>/dev/null | grep -q -F "$PW"; then
	not_ok "no password in any message"
else
	ok "no password in any message"
fi
bg_stop fakedb

done_testing
