# shellcheck shell=bash
# tests/bench/scale.sh, sourced by run.sh last (it replaces the CRM):
# figure 2d, the trigger of 2c at LISTS2 lists (SUBS2 rows, the same
# members), for a list of about 2c's size, against 2c.  The watcher's
# first generation writes every list of the new feed before the triggers.

say "bench: figure 2d, one list by a trigger at $LISTS2 lists"
crm_load "$LISTS2" "$MEMBERS" "$SUBS2"
# The list nearest in size to 2c's.
MANY_LIST=$(awk -v s="$TRIGW_1K_BYTES" '{ d = $2 - s; if (d < 0) d = -d; print d, $1 }' "$T/sizes" |
	sort -n | awk 'NR == 1 { print $2 }')
MANY_BYTES=$(awk -v l="$MANY_LIST" '$1 == l { print $2 }' "$T/sizes")
MANY_BASE=$(for ((i = 0; i < 5; i++)); do mariadb_read "$QUERY WHERE \`list\` = '$MANY_LIST'"; done | median)
FEED_MANY=$W/feed-many
CONF_MANY=$W/bench-many.conf
write_conf "$FEED_MANY" "$W/trigger-many.sock" "$W/fcgi-many.sock" >"$CONF_MANY"
a=$(now)
watch_trigger many "$CONF_MANY" "$FEED_MANY" "$W/trigger-many.sock" "$MANY_LIST" 7
b=$(now)
info "2d: first generation of $NLISTS lists and 7 triggers" "$(calc "$(ms "$a" "$b") / 1000") s" \
	"$VIEW_ROWS rows in the view"
row 2d "one list changed, trigger to listfeed-gen --watch at $NLISTS lists ($MANY_LIST, $MANY_BYTES bytes, $VIEW_ROWS rows, median of 7)" \
	"$TRIGW ms (max $TRIGW_MAX)" "$TRIGW_1K ms (2c: $TRIGW_1K_LISTS lists, $TRIGW_1K_BYTES bytes)" \
	"$(calc "$TRIGW / $TRIGW_1K")" "<= 1.2" "$(yn le "$(calc "$TRIGW / $TRIGW_1K")" 1.2)"
info "2d: that list's rows through the client at $NLISTS lists" "$MANY_BASE ms" "2c's list at $TRIGW_1K_LISTS lists: $BIG_BASE ms (2a)"
info "2d in the watcher: the query, the list's files" "read $TRIGW_READ ms, published $TRIGW_PUB ms" \
	"medians of its -v lines; one traced trigger: $TRIGW_CALLS"
