# shellcheck shell=bash
# tests/bench/scale.sh, sourced by run.sh last: figure 2d, the trigger of
# 2c at LISTS2 lists (SUBS2 rows, the same members) for a list of about
# 2c's size, against 2c.  The larger CRM goes into a second MariaDB,
# bench2, so that both watchers run at once and their triggers take
# turns: the ratio is of two medians measured side by side, not of two
# parts of the run minutes apart.  The larger watcher's first generation
# writes every list of its feed before the triggers.

say "bench: figure 2d, one list by a trigger at $LISTS2 lists"
# 2c's list, its size and the number of lists, before crm_load sets them
# for the larger CRM.
BIG_1K=$BIG BIG_1K_BYTES=$BIG_BYTES LISTS_1K=$NLISTS
bench_db bench2
crm_load "$LISTS2" "$MEMBERS" "$SUBS2" bench2
# The list nearest in size to 2c's.
MANY_LIST=$(awk -v s="$BIG_1K_BYTES" '{ d = $2 - s; if (d < 0) d = -d; print d, $1 }' "$T/sizes" |
	sort -n | awk 'NR == 1 { print $2 }')
MANY_BYTES=$(awk -v l="$MANY_LIST" '$1 == l { print $2 }' "$T/sizes")
CNF_1K=$CNF
CNF=$(db_client_cnf bench2) || die "db_client_cnf bench2 failed"
MANY_BASE=$(for ((i = 0; i < 5; i++)); do mariadb_read "$QUERY WHERE \`list\` = '$MANY_LIST'"; done | median)
CNF=$CNF_1K
FEED_MANY=$W/feed-many
CONF_MANY=$W/bench-many.conf
write_conf "$FEED_MANY" "$W/trigger-many.sock" "$W/fcgi-many.sock" bench2 >"$CONF_MANY"
TRIG_FEED[many]=$FEED_MANY TRIG_SOCK[many]=$W/trigger-many.sock
a=$(now)
trig_start many "$CONF_MANY"
info "2d: first generation of $NLISTS lists" "$(calc "$(ms "$a" "$(now)") / 1000") s" \
	"$VIEW_ROWS rows in the view"
trig_start bench "$CONF"
# By turns, the first of each pair alternating (cancels a steady drift).
# A trigger within a second of its watcher's last generation's start
# waits for that second: each trigger comes more than a second after its
# watcher's last one, the second of a pair and the first of the next
# (the same watcher when the order flips) included.
for ((i = 0; i < 7; i++)); do
	sleep 1.1
	if ((i % 2 == 0)); then
		trig_one bench bench "$BIG_1K"
		sleep 0.6	# the other watcher's last one is over a second ago
		trig_one many bench2 "$MANY_LIST"
	else
		trig_one many bench2 "$MANY_LIST"
		sleep 0.6
		trig_one bench bench "$BIG_1K"
	fi
done
sleep 1.1
trig_trace many bench2 "$MANY_LIST"
trig_stop many "$MANY_LIST" 7
MANY=$TRIGW MANY_MAX=$TRIGW_MAX MANY_READ=$TRIGW_READ MANY_PUB=$TRIGW_PUB
trig_stop bench "$BIG_1K" 7 0
row 2d "one list changed, trigger to listfeed-gen --watch at $NLISTS lists ($MANY_LIST, $MANY_BYTES bytes, $VIEW_ROWS rows, median of 7)" \
	"$MANY ms (max $MANY_MAX)" \
	"$TRIGW ms (max $TRIGW_MAX): 2c's trigger again ($LISTS_1K lists, $BIG_1K_BYTES bytes), by turns with it" \
	"$(calc "$MANY / $TRIGW")" "<= 1.2" "$(yn le "$(calc "$MANY / $TRIGW")" 1.2)"
info "2d: that list's rows through the client at $NLISTS lists" "$MANY_BASE ms" "2c's list at $LISTS_1K lists: $BIG_BASE ms (2a)"
info "2d in the watchers: the query, the list's files, at $NLISTS and $LISTS_1K lists" \
	"read $MANY_READ and $TRIGW_READ ms, published $MANY_PUB and $TRIGW_PUB ms" \
	"medians of their -v lines; one traced trigger at $NLISTS lists: $TRIGW_CALLS"
