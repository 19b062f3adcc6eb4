#!/bin/bash
# gen/db.c against real servers: rows over verified TLS, refusal of all that
# is not verified TLS, insecure option files, column mapping, --list
# filtering, a result broken off mid-stream.  Drives tests/tools/dbdump.
set -u
. "$(dirname "$0")/lib/common.sh"

DUMP=$BUILD/tests/dbdump
VIEW_COLS='`list`, `user_subscriber`, `comment_subscriber`, `digest`, `owner`, `moderator`'
QUERY="SELECT $VIEW_COLS FROM \`mslcrm\`.\`listfeed_subscribers\`"

require_exec "$DUMP"
pki_setup || bail_out "pki_setup"
for s in gendb:tls gendb-foreign:foreign gendb-plain:notls; do
	db_start "${s%%:*}" "${s#*:}" && db_fixture "${s%%:*}" ||
	    bail_out "server ${s%%:*} (${s#*:}) with fixture"
done
MYCNF=$W/db-gendb/my.cnf
PASSWORD=$(sed -n 's/^password[ 	]*=[ 	]*//p' "$MYCNF")

# mkconf NAME OPTFILE [QUERY [TLS]]: a listfeed.conf in $T/NAME.conf.
mkconf() {
	cat > "$T/$1.conf" <<-EOF
	[database]
	defaults_file = $2
	group = listfeed
	query = ${3:-$QUERY}
	tls = ${4:-required}
	connect_timeout = 5
	read_timeout = 10
	EOF
}

# mkopt NAME [LINE...]: a copy of the fixture's option file plus lines.
mkopt() {
	local f=$T/$1.cnf l
	shift
	{ cat "$MYCNF"; for l in "$@"; do printf '%s\n' "$l"; done; } > "$f"
	chmod 600 "$f"
}

# rows NAME SQL: what the administrator reads, sorted, as dbdump prints it.
rows() {
	db_sql "$1" "$2" | LC_ALL=C sort
}

# dump DESC CODE NAME ARGS...: check_exit on dbdump; sorted stdout in
# $T/NAME.out, stderr in $T/NAME.err.
dump() {
	local desc=$1 code=$2 name=$3
	shift 3
	check_exit "$desc" "$code" "$DUMP" "$@"
	LC_ALL=C sort "$LAST_OUT" > "$T/$name.out"
	cp "$LAST_ERR" "$T/$name.err"
}

# --- rows over verified TLS ------------------------------------------------
mkconf good "$MYCNF" "$QUERY -- a trailing comment"
dump "TLS with the test CA: rows" 0 good -v "$T/good.conf"
rows gendb "SELECT $VIEW_COLS FROM listfeed_subscribers" > "$T/good.want"
check_file_eq "rows equal the view as root reads it" "$T/good.want" "$T/good.out"
check "the connection used TLS" grep -q 'connected: .*TCP/IP, TLS' "$T/good.err"
check "4-byte UTF-8 survives (utf8mb4)" grep -q '🚀' "$T/good.out"
rows gendb "SELECT email FROM members_user WHERE is_active = 0" \
    > "$T/inactive"
if [ -s "$T/inactive" ] && ! grep -q -i -F -f "$T/inactive" "$T/good.out"; then
	ok "recommended view drops deactivated accounts"
else
	not_ok "recommended view drops deactivated accounts"
fi

cols=$(rows gendb "SELECT column_name FROM information_schema.columns
    WHERE table_schema = 'mslcrm' AND table_name = 'listfeed_subscribers'" |
    tr '\n' ' ')
check_eq "recommended view exposes seven columns only" \
    "comment_subscriber digest first_name list moderator owner user_subscriber " \
    "$cols"
grants=$(db_sql gendb "SHOW GRANTS FOR 'listfeed'@'localhost'" |
    grep -v -e '^GRANT USAGE ON \*\.\*' \
	-e '^GRANT SELECT ON `mslcrm`\.`listfeed_subscribers` TO')
check_eq "grant.sql grants SELECT on the recommended view only" "" "$grants"

mkconf private "$MYCNF" \
    'SELECT `password` AS `list`, `email` FROM `mslcrm`.`members_user`'
dump "the account cannot read members_user" 2 private \
    "$T/private.conf"
check_grep "the server's refusal is reported" "denied" "$T/private.err"

# --- column mapping ----------------------------------------------------------
mkconf alias "$MYCNF" 'SELECT `digest` AS `Reception`, `first_name`,
    `user_subscriber` AS `EMAIL`, `comment_subscriber` AS `name`,
    `list` AS `LIST`, `moderator`, 7 AS `unused`
    FROM `mslcrm`.`listfeed_subscribers`'
dump "columns found by name, any case and order" 0 alias -f \
    "$T/alias.conf"
cut -f1-6 "$T/alias.out" > "$T/alias.six"
rows gendb "SELECT list, user_subscriber, comment_subscriber, digest,
    0, moderator FROM listfeed_subscribers" > "$T/alias.want"
check_file_eq "aliased columns map to the same fields (no owner: 0)" \
    "$T/alias.want" "$T/alias.six"
rows gendb "SELECT list, user_subscriber, comment_subscriber, digest,
    0, moderator, first_name FROM listfeed_subscribers" > "$T/alias.want7"
check_file_eq "first_name column read" "$T/alias.want7" "$T/alias.out"

mkconf noemail "$MYCNF" \
    'SELECT `list`, `comment_subscriber` FROM `mslcrm`.`listfeed_subscribers`'
dump "query without an email column refused" 2 noemail \
    "$T/noemail.conf"
check_grep "missing column named, present columns listed" \
    'no user_subscriber or email column \(it has: list, comment_subscriber\)' \
    "$T/noemail.err"
mkconf nolist "$MYCNF" \
    'SELECT `user_subscriber` FROM `mslcrm`.`listfeed_subscribers`'
dump "query without a list column refused" 2 nolist \
    "$T/nolist.conf"
check_grep "missing list column named" "no list column" "$T/nolist.err"

# --- --list filter -----------------------------------------------------------
dump "one list" 0 one "$T/good.conf" hetbestuur
rows gendb "SELECT $VIEW_COLS FROM listfeed_subscribers
    WHERE list = 'hetbestuur'" > "$T/one.want"
check "filtered rows are not empty" test -s "$T/one.out"
check_file_eq "only that list" "$T/one.want" "$T/one.out"
dump "two lists" 0 two "$T/good.conf" spacelog lasersnijder
rows gendb "SELECT $VIEW_COLS FROM listfeed_subscribers
    WHERE list IN ('spacelog', 'lasersnijder')" > "$T/two.want"
check_file_eq "only those two lists" "$T/two.want" "$T/two.out"
db_sql gendb "GRANT SELECT ON mslcrm.mailinglists_api TO 'listfeed'@'127.0.0.1'"
mkconf old "$MYCNF" "SELECT $VIEW_COLS FROM \`mslcrm\`.\`mailinglists_api\`;"
dump "filter on the CRM's old view (trailing semicolon)" 0 old "$T/old.conf" spacelog
rows gendb "SELECT $VIEW_COLS FROM mailinglists_api
    WHERE list = 'spacelog'" > "$T/old.want"
check_file_eq "old view, one list" "$T/old.want" "$T/old.out"
dump "no such list: no rows, no error" 0 none "$T/good.conf" nosuchlist
check "no such list: empty" test ! -s "$T/none.out"
dump "invalid list name refused" 2 badname "$T/good.conf" "x' OR '1"

# --- option file -------------------------------------------------------------
cp "$MYCNF" "$T/open.cnf"
chmod 644 "$T/open.cnf"
mkconf open "$T/open.cnf"
dump "option file mode 0644 refused" 2 open "$T/open.conf"
check_grep "mode named in the refusal" "group or others" "$T/open.err"

mkopt badpw
sed -i 's/^password[ 	]*=.*/password = wrong-password/' "$T/badpw.cnf"
mkconf badpw "$T/badpw.cnf"
dump "wrong password" 2 badpw "$T/badpw.conf"
check_grep "server's message reported" "Access denied" "$T/badpw.err"

for v in 0 off yes; do
	mkopt "verify$v" "ssl-verify-server-cert = $v"
	mkconf "verify$v" "$T/verify$v.cnf"
	dump "ssl-verify-server-cert = $v in the option file refused" 2 \
	    "verify$v" "$T/verify$v.conf"
	check_grep "... before connecting" "verification off" "$T/verify$v.err"
done
mkopt verify1 "ssl_verify_server_cert = 1"
mkconf verify1 "$T/verify1.cnf"
dump "ssl_verify_server_cert = 1 accepted" 0 verify1 \
    "$T/verify1.conf" hetbestuur

printf '[listfeed]\nssl-verify-server-cert = 0\n' > "$T/inc.cnf"
mkopt include "!include $T/inc.cnf"
mkconf include "$T/include.cnf"
dump "!include in the option file refused" 2 include \
    "$T/include.conf"

mkopt utf8 "default-character-set = utf8"
mkconf utf8 "$T/utf8.cnf"
dump "utf8 (utf8mb3) connection refused" 2 utf8 "$T/utf8.conf"
check_grep "character set named" "utf8 is utf8mb3" "$T/utf8.err"

# TLS over the Unix socket: certificate checked against localhost.
mkopt sock "socket = $W/db-gendb/sock"
sed -i -e '/^host[ 	]*=/d' -e '/^port[ 	]*=/d' "$T/sock.cnf"
mkconf sock "$T/sock.cnf"
dump "TLS over the Unix socket, verified" 0 sock -v "$T/sock.conf" \
    hetbestuur
check "... over the socket" grep -q 'via UNIX socket, TLS' "$T/sock.err"
check_file_eq "... same rows" "$T/one.want" "$T/sock.out"

# --- servers that are not the verified one -----------------------------------
mkconf foreign "$W/db-gendb-foreign/my.cnf"
dump "server with a foreign CA's certificate refused" 2 foreign \
    "$T/foreign.conf"
check_grep "certificate failure reported" "certificate" "$T/foreign.err"
mkconf plain "$W/db-gendb-plain/my.cnf"
dump "server without TLS refused" 2 plain "$T/plain.conf"
check_grep "missing TLS reported" "SSL is required" "$T/plain.err"

# tls = disabled: only over the Unix socket (an account without REQUIRE
# SSL on the plain server); over TCP refused with the line, unconnected.
db_sql gendb-plain "
    CREATE USER IF NOT EXISTS 'lfplain'@'localhost' IDENTIFIED BY 'plain-pw';
    GRANT SELECT ON mslcrm.listfeed_subscribers TO 'lfplain'@'localhost';
    CREATE USER IF NOT EXISTS 'lfplain'@'127.0.0.1' IDENTIFIED BY 'plain-pw';
    GRANT SELECT ON mslcrm.listfeed_subscribers TO 'lfplain'@'127.0.0.1';"
printf '[listfeed]\nsocket = %s\nuser = lfplain\npassword = plain-pw\n' \
    "$W/db-gendb-plain/sock" > "$T/clear.cnf"
printf '[listfeed]\nhost = 127.0.0.1\nport = %s\nuser = lfplain\npassword = plain-pw\n' \
    "$(db_port gendb-plain)" > "$T/cleartcp.cnf"
chmod 600 "$T/clear.cnf" "$T/cleartcp.cnf"
mkconf clear "$T/clear.cnf" "$QUERY" disabled
dump "tls = disabled reads in clear over the Unix socket" 0 clear \
    -v "$T/clear.conf" hetbestuur
check_grep "... with a warning" "tls = disabled" "$T/clear.err"
check_eq "... once" 1 "$(grep -c 'tls = disabled' "$T/clear.err")"
check "... over the socket" grep -q 'via UNIX socket, no TLS' "$T/clear.err"
mkconf cleartcp "$T/cleartcp.cnf" "$QUERY" disabled
dump "tls = disabled over TCP refused" 2 cleartcp "$T/cleartcp.conf" \
    hetbestuur
check_grep "... with the line of tls" \
    "cleartcp.conf:5: tls = disabled, but .*host = 127.0.0.1" "$T/cleartcp.err"
check_no_grep "... before connecting" "database: connect" "$T/cleartcp.err"

# --- a result broken off mid-stream ------------------------------------------
db_sql gendb "
    CREATE OR REPLACE VIEW t20_big AS SELECT 'big' AS list,
      CONCAT('u', seq, '@example.org') AS email FROM seq_1_to_20000000;
    GRANT SELECT ON mslcrm.t20_big TO 'listfeed'@'127.0.0.1';"
mkconf big "$MYCNF" 'SELECT * FROM `mslcrm`.`t20_big`'
"$DUMP" "$T/big.conf" > "$T/big.out" 2> "$T/big.err" &
pid=$!
id=
i=0
while [ $i -lt 100 ]; do
	id=$(db_sql gendb "SELECT id FROM
	    information_schema.processlist WHERE user = 'listfeed'" | head -n 1)
	[ -n "$id" ] && [ -s "$T/big.out" ] && break
	i=$((i + 1))
	sleep 0.1
done
if [ -n "$id" ] && kill -0 $pid 2>/dev/null; then
	db_sql gendb "KILL CONNECTION $id"
	wait $pid
	rc=$?
	check_eq "connection killed mid-stream: exit 2" 2 "$rc"
	check_grep "... reported as such" "read broke off after [0-9]+ rows" \
	    "$T/big.err"
else
	kill $pid 2>/dev/null
	wait $pid
	not_ok "connection killed mid-stream" "read did not start or ended early"
fi
db_sql gendb "
    REVOKE SELECT ON mslcrm.t20_big FROM 'listfeed'@'127.0.0.1';
    DROP VIEW t20_big;"

# --- the password never reaches a log line -----------------------------------
if [ -n "$PASSWORD" ] && ! cat "$T"/*.err | grep -q -F -e "$PASSWORD" \
    -e plain-pw -e wrong-password; then
	ok "no password in any message"
else
	not_ok "no password in any message"
fi

done_testing
