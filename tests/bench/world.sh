# shellcheck shell=bash
# tests/bench/world.sh: the bench's world, sourced by run.sh: keys,
# certificates and the throwaway MariaDB "bench" (tests/lib, bench_db),
# then
#   crm_load LISTS MEMBERS SUBS [DB]   the synthetic CRM (data.sql) at
#                   that scale into the MariaDB DB (default bench),
#                   replacing what was there; sets VIEW_ROWS and,
#                   from the list sizes in $T/sizes, SMALL and BIG (the
#                   lists nearest 2 KB and 200 KB of Sympa text), LARGEST
#                   and NLISTS
#   write_conf FEED TRIGGER_SOCKET FCGI_SOCKET [DB]   a listfeed.conf
#                   on stdout, reading the MariaDB DB (default bench)
# and measures the database floor (FLOOR, ms) on the first load.

say "bench: scale $SCALE, world $W, build $BUILD"
pki_setup || die "pki_setup failed"
gpg_setup || die "gpg_setup failed"
# bench_db NAME: a throwaway MariaDB for a CRM (scale.sh starts a second).
bench_db() {
	db_start "$1" tls || die "MariaDB $1 did not start"
	db_fixture "$1" || die "db_fixture $1 failed"
	# The test servers start with a 64 MB buffer pool; the data set is larger.
	db_admin "$1" -e "SET GLOBAL innodb_buffer_pool_size = 1073741824" ||
		die "cannot grow the buffer pool of $1"
	db_sql "$1" "GRANT SELECT ON mslcrm.mailinglists_api TO 'listfeed'@'127.0.0.1'" ||
		die "grant failed on $1"
}
bench_db bench
CNF=$(db_client_cnf bench) || die "db_client_cnf failed"

# Process creation bounds every gpg call (GPGME forks twice per operation).
a=$(now)
for ((i = 0; i < 50; i++)); do /bin/true; done
b=$(now)
info "fork + exec of /bin/true" "$(calc "$(ms "$a" "$b") / 50") ms" "each gpg operation pays this (GPGME: two forks and an exec)"

COLS='`list`, `user_subscriber`, `comment_subscriber`, `first_name`, `digest`, `owner`, `moderator`'
QUERY="SELECT $COLS FROM listfeed_subscribers"

crm_load() {
	local t0 t1 db=${4:-bench}
	say "bench: loading the synthetic CRM, $1 lists"
	t0=$(now)
	sed -e "s/@LISTS@/$1/g" -e "s/@MEMBERS@/$2/g" -e "s/@SUBS@/$3/g" \
		-e "s/@WIDTH@/$((${#1} > 4 ? ${#1} : 4))/g" \
		"$BENCH/data.sql" | db_admin "$db" --database=mslcrm >"$T/load.out" 2>"$T/load.err" ||
		{ cat "$T/load.err" >&2; die "loading the data failed"; }
	t1=$(now)
	VIEW_ROWS=$(db_sql "$db" 'SELECT COUNT(*) FROM listfeed_subscribers')
	info "data load, $1 lists (INSERT ... SELECT over seq_1_to_N)" "$(calc "$(ms "$t0" "$t1") / 1000") s" \
		"$3 subscription rows; $VIEW_ROWS rows in listfeed_subscribers"
	# The lists nearest to 2 KB and 200 KB of Sympa text (email TAB name).
	db_sql "$db" "SELECT \`list\`, SUM(LENGTH(user_subscriber) + LENGTH(comment_subscriber) + 2) AS b
		FROM listfeed_subscribers GROUP BY \`list\`" >"$T/sizes" || die "list sizes failed"
	SMALL=$(awk '{ d = $2 - 2048; if (d < 0) d = -d; print d, $1 }' "$T/sizes" | sort -n | awk 'NR == 1 { print $2 }')
	BIG=$(awk '{ d = $2 - 204800; if (d < 0) d = -d; print d, $1 }' "$T/sizes" | sort -n | awk 'NR == 1 { print $2 }')
	LARGEST=$(sort -k2,2nr "$T/sizes" | awk 'NR == 1 { print $1 }')
	NLISTS=$(wc -l <"$T/sizes")
	db_settle "$db"
}

# db_settle DB: waits (at most 600 polls, 0.5 s apart) until the MariaDB
# DB has written every page a load dirtied, then syncs: the figures that
# follow a load measure their own writes and fsyncs, not the database's
# flushing of it.  Dies if the pages are still dirty then.
db_settle() {
	local i d= a
	a=$(now)
	db_admin "$1" -e "SET GLOBAL innodb_max_dirty_pages_pct = 0" || die "db_settle $1 failed"
	for ((i = 0; i < 600; i++)); do
		d=$(db_sql "$1" "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
			WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_PAGES_DIRTY'") || die "db_settle $1 failed"
		[ "$d" = 0 ] && break
		sleep 0.5
	done
	db_admin "$1" -e "SET GLOBAL innodb_max_dirty_pages_pct = DEFAULT" || die "db_settle $1 failed"
	[ "$d" = 0 ] || die "db_settle $1: $d dirty pages left after $i polls"
	sync
	info "database $1 settled after the load" "$(calc "$(ms "$a" "$(now)") / 1000") s" \
		"until no dirty page in InnoDB's buffer pool, then sync"
}
crm_load "$LISTS" "$MEMBERS" "$SUBS"

mariadb_read "$QUERY" >/dev/null || die "reading the view failed"	# warm the caches
FLOOR=$(for ((i = 0; i < REPS; i++)); do mariadb_read "$QUERY"; done | median)
SEED=$(mariadb_read 'SELECT * FROM mailinglists_api')
info "database floor: mariadb --quick -B, listfeed_subscribers" "$FLOOR ms" "median of $REPS; all rows, plain join, unsorted"
info "seed view mailinglists_api, same client" "$SEED ms" \
	"$(calc "$SEED / $FLOOR")x the floor (DISTINCT + ORDER BY email)"

FEED=$W/feed
CONF=$W/bench.conf
write_conf() {
	cat <<-EOC
		[database]
		defaults_file = $W/db-${4:-bench}/my.cnf
		query = $QUERY
		[feed]
		dir = $1
		templates = $TOP/templates
		trigger_socket = $2
		formats = sympa
		interval = 3600
		[fcgi]
		socket = $3
		[gpg]
		home = $W/gnupg
		sign_key = $FEED_FPR
		recipients = $PROVIDER_FPR $ADMIN_FPR
		[client admin]
		fingerprint = $(pki_fingerprint "$W/pki/client-admin.pem")
		lists = *
	EOC
}
write_conf "$FEED" "$W/trigger.sock" "$W/fcgi-bench.sock" >"$CONF"
