# shellcheck shell=bash
# tests/lib/db.sh: throwaway MariaDB servers and the CRM fixture (sourced by common.sh; see its header).


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

# db_sample NAME: the fixture's database (db_fixture) with the makerspace
# sample of make demo (tests/demo/sample.sql) in place of the test rows.
db_sample() {
	db_fixture "$1" || return 1
	db_sql "$1" "SET FOREIGN_KEY_CHECKS = 0; DELETE FROM mailinglists_subscription;
	DELETE FROM members_user; DELETE FROM mailinglists_mailinglist; DELETE FROM acl_location;
	SET FOREIGN_KEY_CHECKS = 1" || return 1
	db_load "$1" "$TOP/tests/demo/sample.sql"
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


# gen_world NAME: what listfeed-gen needs in a test, or the script bails
# out: the test PKI, the OpenPGP keys (gpg_setup's variables) and the
# database NAME over TLS with the fixture.
gen_world() {
	pki_setup || bail_out "pki_setup"
	gpg_setup || bail_out "gpg_setup"
	db_start "$1" tls || bail_out "db_start"
	db_fixture "$1" || bail_out "db_fixture"
}

# gen_watch NAME CONF FEED: listfeed-gen -c CONF --watch in the background
# (gen-NAME) and its first generation in FEED, or the script bails out.
gen_watch() {
	bg_start "gen-$1" "$GEN" -c "$2" --watch || bail_out "listfeed-gen"
	wait_until 60 test -s "$3/manifest.json" || bail_out "no first generation"
}
