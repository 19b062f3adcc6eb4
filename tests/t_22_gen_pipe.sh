#!/usr/bin/env bash
# listfeed-gen reads the rows while it publishes (gen/readpipe.h): the
# lists come in any order, each list's rows together; a query whose rows of
# a list are scattered is refused; a read that fails part-way publishes
# nothing, not even the lists already encrypted.
set -u
. "$(dirname "$0")/lib/common.sh"
require_exec "$GEN"
command -v python3 >/dev/null || skip_all "python3 needed to read manifests"

gen_world pipe

COLS='`list`, `user_subscriber`, `comment_subscriber`, `first_name`, `digest`, `owner`, `moderator`'

# conf FILE FEED [QUERY]
conf() {
	{
		printf '[database]\ndefaults_file = %s\n' "$W/db-pipe/my.cnf"
		[ -n "${3:-}" ] && printf 'query = %s\n' "$3"
		printf '[feed]\ndir = %s\ntemplates = %s\n' "$2" "$TOP/templates"
		printf '[gpg]\nhome = %s\nsign_key = %s\nrecipients = %s\n' \
			"$W/gnupg" "$FEED_FPR" "$PROVIDER_FPR"
		printf '[client sympa]\nfingerprint = %s\nlists = deelnemers spacelog\nplain = yes\n' \
			"$(pki_fingerprint "$W/pki/client-sympa.pem")"
	} >"$1"
}
# lists FEED: per list and file, the SHA-256 of its member lines.
lists() {
	feed_entries "$1" | python3 -c '
import json, sys
m = json.load(sys.stdin)
for name in sorted(m):
    for kind, f in sorted(m[name]["files"].items()):
        print(name, kind, f["sha256"])
'
}
# state FEED: what is live (the link, the manifest, every file's inode).
state() {
	readlink "$1/current"
	cat "$1/manifest.json"
	(cd "$1" && find -L lists plain -type f -printf '%p %i %s\n' | sort)
}

# nothing_published: the last run's report and the feed $T/a say so.
nothing_published() {
	check_grep "... nothing published, says the report" '^database: .*; nothing published$' "$LAST_OUT"
	check_no_grep "... no list line in the report" '(changed|unchanged)$' "$LAST_OUT"
	state "$T/a" >"$T/a.after"
	check_file_eq "... the live generation is untouched" "$T/a.before" "$T/a.after"
	check_eq "... no generation left behind" "$(ls "$T/a/g" | sort | xargs)" \
		"$(readlink "$T/a/current" | sed 's,^g/,,')"
}

# 1. The lists in the view's order, and in the reverse order: the same feed.
conf "$T/a.conf" "$T/a"
check_exit "the view's order: exit 0" 0 "$GEN" -c "$T/a.conf"
cp "$LAST_OUT" "$T/a.report"
conf "$T/b.conf" "$T/b" "SELECT $COLS FROM listfeed_subscribers ORDER BY \`list\` DESC"
check_exit "lists in reverse order: exit 0" 0 "$GEN" -c "$T/b.conf"
cp "$LAST_OUT" "$T/b.report"
lists "$T/a" >"$T/a.lists"
lists "$T/b" >"$T/b.lists"
check "the manifest names lists" test -s "$T/a.lists"
check_file_eq "reverse order: the same member lines in every file" "$T/a.lists" "$T/b.lists"
check_file_eq "reverse order: the same report, sorted by name" "$T/a.report" "$T/b.report"
grep -E '^[a-z0-9]' "$T/a.report" | grep -v '^rows set aside\|^generation' | cut -d' ' -f1 >"$T/names"
LC_ALL=C sort "$T/names" >"$T/names.sorted"
check_file_eq "the report's lists are sorted" "$T/names.sorted" "$T/names"
n=$(db_sql pipe "SELECT COUNT(DISTINCT list) FROM listfeed_subscribers")
check_eq "every list of the view is in the manifest" "$n" "$(cut -d' ' -f1 "$T/a.lists" | sort -u | wc -l)"

# A list whose first row is set aside is still one list.
conf "$T/c.conf" "$T/c" "SELECT \`l\` AS \`list\`, \`e\` AS \`user_subscriber\` FROM (
	SELECT 1 AS \`o\`, 'eerst' AS \`l\`, 'a@example.org' AS \`e\`
	UNION ALL SELECT 2, 'tweede', 'geen adres'
	UNION ALL SELECT 3, 'tweede', 'b@example.org'
	UNION ALL SELECT 4, 'tweede', 'c@example.org') AS \`t\` ORDER BY \`o\`"
check_exit "a list's first row set aside: exit 0" 0 "$GEN" -c "$T/c.conf"
check_grep "... the list has its two members" '^tweede 2 \+2 -0 changed$' "$LAST_OUT"
check_grep "... the row set aside is counted" '^rows set aside: 1 of 4 \(invalid email: 1\)$' "$LAST_OUT"

# 2. The rows of a list scattered across the read: refused, nothing moves.
db_sql pipe "UPDATE members_user SET first_name = 'Verstrooid' WHERE email = 'femke@example.org'"
state "$T/a" >"$T/a.before"
conf "$T/scatter.conf" "$T/a" "SELECT $COLS FROM listfeed_subscribers ORDER BY \`user_subscriber\`"
check_exit "rows of a list not together: exit 2" 2 "$GEN" -c "$T/scatter.conf"
check_grep "... named, with what the query must do" \
	'rows of list [a-z0-9._-]+ start again after those of other lists.*ORDER BY list' "$LAST_ERR"
nothing_published
check_grep "... run.json records exit 2" '"exit": 2' "$T/a/run.json"

# 3. A read that fails on a later row, after lists were read (and
# encrypted into the next generation): exit 2, nothing of it live.
last=$(db_sql pipe "SELECT $COLS FROM listfeed_subscribers" | tail -n 1 | cut -f1)
first=$(db_sql pipe "SELECT $COLS FROM listfeed_subscribers" | head -n 1 | cut -f1)
check "the view's first and last lists differ" test -n "$last" -a "$first" != "$last"
db_admin pipe --database=mslcrm <<EOF2
DELIMITER //
CREATE OR REPLACE FUNCTION t22_boom (l VARCHAR(64)) RETURNS INT
  DETERMINISTIC NO SQL
BEGIN
  IF l = '$last' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 't22: a later row fails';
  END IF;
  RETURN 0;
END //
DELIMITER ;
GRANT EXECUTE ON FUNCTION mslcrm.t22_boom TO 'listfeed'@'127.0.0.1';
EOF2
conf "$T/late.conf" "$T/a" "SELECT $COLS, t22_boom(\`list\`) AS \`boom\` FROM listfeed_subscribers"
check_exit "a later row fails: exit 2" 2 "$GEN" -c "$T/late.conf" -v
check_grep "... the read broke off after rows" 'read broke off after [1-9][0-9]* rows: t22: a later row fails' "$LAST_ERR"
nothing_published
check_no_grep "... the changed name is not live" 'Verstrooid' "$T/a/plain/spacelog.sympa"

# 4. Then the same data, read well, is published.
check_exit "read well again: exit 0" 0 "$GEN" -c "$T/a.conf"
check_grep "... the changed name is live" 'Verstrooid' "$T/a/plain/spacelog.sympa"

done_testing
