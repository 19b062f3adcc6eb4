#!/usr/bin/env bash
# listfeed-gen against a real MariaDB (TLS) and real gpg keys: output,
# idempotence, the shrink guard, failures that must publish nothing.
set -u
. "$(dirname "$0")/lib/common.sh"
require_exec "$GEN"

gen_world gen

# gen_conf FILE FEED [QUERY]: a configuration for this world.
gen_conf() {
	local f=$1 feed=$2 query=${3:-}
	{
		printf '[database]\ndefaults_file = %s\n' "$W/db-gen/my.cnf"
		[ -n "$query" ] && printf 'query = %s\n' "$query"
		printf '[feed]\ndir = %s\ntemplates = %s\ntrigger_socket = %s\n' \
			"$feed" "$TOP/templates" "$T/trigger.sock"
		printf '[gpg]\nhome = %s\nsign_key = %s\nrecipients = %s %s\n' \
			"$W/gnupg" "$FEED_FPR" "$PROVIDER_FPR" "$ADMIN_FPR"
		printf '[client sympa]\nfingerprint = %s\nlists = deelnemers spacelog\nplain = yes\n' \
			"$(pki_fingerprint "$W/pki/client-sympa.pem")"
		printf '[list hetbestuur]\nnames = first\nrecipients = %s\n' "$ADMIN_FPR"
		printf '[list lasersnijder]\nnames = none\nformats = csv\n'
	} >"$f"
}

decrypt() {	# decrypt HOME FILE: the cleartext on stdout, signature checked
	local st
	st=$(mktemp "$T/st.XXXXXX")
	gpg --homedir "$1" --batch --no-tty --status-file "$st" --decrypt "$2" 2>/dev/null
	grep -q "^\[GNUPG:\] VALIDSIG $FEED_FPR" "$st" && grep -q '^\[GNUPG:\] DECRYPTION_OKAY' "$st"
}

snapshot() {	# every published file with its mtime and size
	(cd "$1" && find -L lists plain -type f -printf '%p %T@ %s %i\n' | sort)
}

CONF=$T/listfeed.conf
FEED=$T/feed
# No query: the default reads the recommended view (listfeed_subscribers).
gen_conf "$CONF" "$FEED"

# 1. First generation: files for every list, decryptable by both keys.
check_exit "first generation exits 0" 0 "$GEN" -c "$CONF"
cp "$LAST_OUT" "$T/report1"
check_grep "report names deelnemers with its count" '^deelnemers 20 \+20 -0 changed$' "$T/report1"
check_grep "report counts the set-aside rows" '^rows set aside: ' "$T/report1"
check "manifest written" test -s "$FEED/manifest.json"
for l in deelnemers spacelog hetbestuur lasersnijder; do
	for f in sympa csv mailman; do
		[ $l = lasersnijder ] && [ $f != csv ] && continue
		if [ -f "$TOP/tests/fixture/expected/$l.$f" ] || [ -n "${LF_BLESS:-}" ]; then
			decrypt "$W/gnupg-provider" "$FEED/lists/$l.$f.asc" >"$T/$l.$f" 2>/dev/null ||
				[ $l = hetbestuur ]
			if [ $l = hetbestuur ]; then
				check_fail "hetbestuur is not readable by the provider" \
					decrypt "$W/gnupg-provider" "$FEED/lists/$l.$f.asc"
				decrypt "$W/gnupg-admin" "$FEED/lists/$l.$f.asc" >"$T/$l.$f"
			fi
			if [ $f = sympa ]; then
				check_eq "$l.sympa: signed header" "$l all 1 $(sympa_body "$T/$l.$f" | wc -l)" \
				    "$(for k in list reception generation count; do sympa_header "$T/$l.$f" $k; done | xargs)"
				sympa_body "$T/$l.$f" >"$T/$l.$f.body"
				mv "$T/$l.$f.body" "$T/$l.$f"
			fi
			[ -n "${LF_BLESS:-}" ] && cp "$T/$l.$f" "$TOP/tests/fixture/expected/$l.$f"
			check_file_eq "$l.$f cleartext as expected" "$TOP/tests/fixture/expected/$l.$f" "$T/$l.$f"
		else
			not_ok "expected file tests/fixture/expected/$l.$f missing"
		fi
	done
done
check "admin key decrypts deelnemers.csv with a good signature" \
	decrypt "$W/gnupg-admin" "$FEED/lists/deelnemers.csv.asc"
sympa_body "$FEED/plain/deelnemers.sympa" >"$T/plain-deelnemers.body"
check_file_eq "plain deelnemers equals the sympa format" "$T/deelnemers.sympa" "$T/plain-deelnemers.body"
check_eq "plain deelnemers: signed header" "deelnemers all 1 20" \
    "$(for k in list reception generation count; do sympa_header "$FEED/plain/deelnemers.sympa" $k; done | xargs)"
check_eq "plain digest file: signed header" "deelnemers digest 2" \
    "$(for k in list reception count; do sympa_header "$FEED/plain/digest/deelnemers.sympa" $k; done | xargs)"
check "plain files only for lists a client fetches in clear" \
	test ! -e "$FEED/plain/hetbestuur.sympa" -a -f "$FEED/plain/spacelog.sympa"
check_eq "lasersnijder has only the csv format" "lasersnijder.csv.asc" \
	"$(cd "$FEED/lists" && ls lasersnijder.*)"
check_eq "plain files are mode 0640" "640" "$(stat -L -c %a "$FEED/plain/deelnemers.sympa")"
check_eq "state dir is mode 0700" "700" "$(stat -c %a "$FEED/.state")"
check_eq "digest members split out" "2" "$(sympa_body "$FEED/plain/digest/deelnemers.sympa" | wc -l)"
check_eq "mail + digest = all" "$(sympa_body "$FEED/plain/deelnemers.sympa" | wc -l)" \
	"$( (sympa_body "$FEED/plain/mail/deelnemers.sympa"; sympa_body "$FEED/plain/digest/deelnemers.sympa") | wc -l)"
# Every line of the Sympa text is one address: a name cannot add a line.
check_no_grep "no Sympa line without an address first" '^[^@[:space:]#]*([[:space:]]|$)' "$FEED/plain/deelnemers.sympa"
check_eq "Sympa lines = subscriber count" "20" "$(sympa_body "$FEED/plain/deelnemers.sympa" | wc -l)"
check_no_grep "no private column leaks into any file" 'PRIVATE-|\+316123499' "$FEED/plain/deelnemers.sympa"
check_no_grep "the deactivated account is not exported" 'oudshoorn' "$FEED/plain/deelnemers.sympa"
find "$FEED" >"$T/find"
check_no_grep "no temporary files left" '/\.tmp-' "$T/find"

# 2. Nothing changed: nothing rewritten, same bytes, same mtimes.
snapshot "$FEED" >"$T/snap1"
sleep 1.1
check_exit "second generation exits 0" 0 "$GEN" -c "$CONF"
check_grep "report says unchanged" '^deelnemers 20 \+0 -0 unchanged$' "$LAST_OUT"
snapshot "$FEED" >"$T/snap2"
check_file_eq "unchanged run rewrites no file (mtime and size)" "$T/snap1" "$T/snap2"
check_eq "generation counts up" "2" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["generation"])' "$FEED/manifest.json")"

# 3. One change: only that list is rewritten, and the report counts it.
db_sql gen "UPDATE mailinglists_subscription s JOIN members_user u ON u.id = s.member_id
	JOIN mailinglists_mailinglist l ON l.id = s.mailinglist_id
	SET s.active = 0 WHERE l.name = 'spacelog' AND u.email = 'kees@example.nl'"
check_exit "generation after one removal exits 0" 0 "$GEN" -c "$CONF"
check_grep "report: spacelog lost one" '^spacelog 6 \+0 -1 changed$' "$LAST_OUT"
snapshot "$FEED" >"$T/snap3"
check_eq "only spacelog's files changed" "$(grep -v spacelog "$T/snap2")" "$(grep -v spacelog "$T/snap3")"

# 4. Guard: a list emptied in the database keeps its last good file.
cp "$FEED/plain/deelnemers.sympa" "$T/deelnemers.before"
db_sql gen "CREATE TABLE sub_backup AS SELECT * FROM mailinglists_subscription;
	UPDATE mailinglists_subscription SET active = 0
	WHERE mailinglist_id = (SELECT id FROM mailinglists_mailinglist WHERE name = 'deelnemers')"
check_exit "emptied list: exit 3" 3 "$GEN" -c "$CONF"
check_grep "report says deelnemers is held" '^deelnemers 0 .*HELD: would be emptied' "$LAST_OUT"
check_file_eq "held list: old plain file intact" "$T/deelnemers.before" "$FEED/plain/deelnemers.sympa"
check_eq "manifest names the held list" '["deelnemers"]' \
	"$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["held"]))' "$FEED/manifest.json")"
check_exit "--dry-run --force writes nothing" 3 "$GEN" -c "$CONF" --dry-run
check_file_eq "dry run: old plain file intact" "$T/deelnemers.before" "$FEED/plain/deelnemers.sympa"
# Shrink by more than 20 %: held too.
db_sql gen "UPDATE mailinglists_subscription s JOIN sub_backup b ON b.id = s.id SET s.active = b.active"
db_sql gen "UPDATE mailinglists_subscription SET active = 0 WHERE mailinglist_id =
	(SELECT id FROM mailinglists_mailinglist WHERE name = 'deelnemers') AND member_id <= 6"
check_exit "shrunk by a quarter: exit 3" 3 "$GEN" -c "$CONF"
check_grep "report explains the shrink" 'deelnemers .*HELD: would shrink from 20 to 14' "$LAST_OUT"
check_file_eq "shrunk list: old plain file intact" "$T/deelnemers.before" "$FEED/plain/deelnemers.sympa"
check_exit "--force publishes the shrunk list" 0 "$GEN" -c "$CONF" --force deelnemers
check_eq "forced list has 14 lines" "14" "$(sympa_body "$FEED/plain/deelnemers.sympa" | wc -l)"
db_sql gen "UPDATE mailinglists_subscription s JOIN sub_backup b ON b.id = s.id SET s.active = b.active;
	DROP TABLE sub_backup"
check_exit "restored list publishes (growth is never held)" 0 "$GEN" -c "$CONF"
check_grep "report counts the six re-added" '^deelnemers 20 \+6 -0 changed$' "$LAST_OUT"

# 5. --list: only that list is read and written.
snapshot "$FEED" >"$T/snap4"
check_exit "--list spacelog exits 0" 0 "$GEN" -c "$CONF" --list spacelog
check_eq "--list reports only that list" "spacelog" "$(awk 'NF >= 5 && $5 ~ /^(changed|unchanged)$/ {print $1}' "$LAST_OUT")"
check "the other lists stay live" test -s "$FEED/l/deelnemers/entry.json"
check_no_grep "the summary holds no list's entry (none read, none written)" '"lists"' "$FEED/manifest.json"
check_exit "--list with a bad name is a usage error" 1 "$GEN" -c "$CONF" --list '../x'

# 6. Failures publish nothing.
snapshot "$FEED" >"$T/snap5"
cp "$FEED/manifest.json" "$T/manifest.before"
sed "s#^port=.*#port=$(free_port)#" "$W/db-gen/my.cnf" >"$T/down.cnf"; chmod 600 "$T/down.cnf"
sed "s#^defaults_file = .*#defaults_file = $T/down.cnf#" "$CONF" >"$T/down.conf"
check_exit "database unreachable: exit 2" 2 "$GEN" -c "$T/down.conf"
check_file_eq "database unreachable: manifest untouched" "$T/manifest.before" "$FEED/manifest.json"
check_eq "database unreachable: no file touched" "$(cat "$T/snap5")" "$(snapshot "$FEED")"
check_grep "run.json records the database failure" '"result": "database"' "$FEED/run.json"
cp "$W/db-gen/my.cnf" "$T/open.cnf"; chmod 644 "$T/open.cnf"
sed "s#^defaults_file = .*#defaults_file = $T/open.cnf#" "$CONF" >"$T/open.conf"
check_exit "world-readable option file refused (exit 1)" 1 "$GEN" -c "$T/open.conf"
check_grep "says why" 'group or others' "$LAST_ERR"
check_eq "refused option file: nothing touched" "$(cat "$T/snap5")" "$(snapshot "$FEED")"
sed "/^defaults_file = /a query = SELECT \`list\`, \`comment_subscriber\` FROM listfeed_subscribers" "$CONF" >"$T/cols.conf"
check_exit "query without an email column: exit 2" 2 "$GEN" -c "$T/cols.conf"
check_grep "names the missing column" 'user_subscriber|email' "$LAST_ERR"
check_exit "--check-config on the default query" 0 "$GEN" -c "$CONF" --check-config
check_fail "... no warning about deactivated accounts" grep -q deactivated "$LAST_ERR"
sed "/^defaults_file = /a query = SELECT * FROM \`mailinglists_api\`" "$CONF" >"$T/seed.conf"
db_sql gen "GRANT SELECT ON mslcrm.mailinglists_api TO 'listfeed'@'127.0.0.1'"
check_exit "--check-config with a query on the CRM's old view passes" 0 \
    "$GEN" -c "$T/seed.conf" --check-config
check_grep "... and warns that it exports deactivated accounts" \
    'query reads mailinglists_api, which exports deactivated accounts' "$LAST_ERR"
# --check-config reports every problem, not only the first: a signing key
# that is not there, a bad format template, an unreachable database; exit
# status of the first (the templates' 1, before the keys' 4).
mkdir -p "$T/badtmpl"
cp "$TOP"/templates/*.format "$TOP/templates/index.html" "$T/badtmpl/"
sed -i 's/^row = .*/row = {email},{bogus}/' "$T/badtmpl/csv.format"
sed -e "s#^sign_key = .*#sign_key = 0123456789ABCDEF0123456789ABCDEF01234567#" \
    -e "s#^templates = .*#templates = $T/badtmpl#" \
    -e "s#^defaults_file = .*#defaults_file = $T/down.cnf#" \
    "$CONF" >"$T/many.conf"
check_exit "--check-config with three problems: exit 1 (the first)" 1 \
    "$GEN" -c "$T/many.conf" --check-config
check_grep "... names the signing key" 'signing key 0123456789ABCDEF0123456789ABCDEF01234567' "$LAST_ERR"
check_grep "... names the template" 'csv.format.*bogus|bogus.*csv.format' "$LAST_ERR"
check_grep "... names the database" '^listfeed-gen: database: ' "$LAST_ERR"
check_grep "... counts them" 'many.conf: 3 problems found' "$LAST_ERR"
check_no_grep "... and does not say ok" 'configuration ok' "$LAST_OUT"
check_exit "--help: exit 0" 0 "$GEN" --help
check_grep "--help: usage on standard output" '^usage: listfeed-gen' "$LAST_OUT"
check_exit "a bad option: exit 1" 1 "$GEN" --no-such-option
check_grep "... usage on standard error" '^usage: listfeed-gen' "$LAST_ERR"

# Run as root, --check-config looks at the files as the service user.
if [ "$(id -u)" = 0 ] && command -v useradd >/dev/null; then
	# t_96 installs packages that make system users, under its lock:
	# useradd and userdel take /etc/passwd's lock too, so they run under
	# t_96's lock, not alongside it.
	users_locked() { flock -w 240 /run/lock/listfeed-t96.lock "$@"; }
	U=lftest$$
	users_locked useradd --system --no-create-home --home-dir "$T/uhome" \
	    --shell /usr/sbin/nologin "$U" || bail_out "useradd $U failed (exit $?)"
	trap 'rc=$?; users_locked userdel "$U" 2>/dev/null; (exit $rc); _lf_exit' EXIT
	mkdir -p "$T/asuser"
	chmod 711 "$T" "$W" 2>/dev/null
	cp "$W/db-gen/my.cnf" "$T/asuser/my.cnf"
	sed -e "s#^defaults_file = .*#defaults_file = $T/asuser/my.cnf#" \
	    -e "s#^trigger_socket = .*#trigger_socket = $T/asuser/trigger.sock#" \
	    -e "s#^dir = .*#dir = $T/asuser/feed#" "$CONF" >"$T/asuser/listfeed.conf"
	chmod 644 "$T/asuser/listfeed.conf"
	check_exit "as root: --check-config as root passes" 0 \
	    "$GEN" -c "$T/asuser/listfeed.conf" --check-config
	LISTFEED_CHECK_USER= check_exit "as root, --user $U: its option file is root's, refused" 1 \
	    "$GEN" -c "$T/asuser/listfeed.conf" --check-config --user "$U"
	check_grep "... says so as that user" "checking as user $U" "$LAST_ERR"
	check_grep "... it cannot read the option file (root's, 0600)" "$T/asuser/my.cnf" "$LAST_ERR"
	check_grep "... nor may it write the feed" "\[feed\] dir $T/asuser.*cannot write" "$LAST_ERR"
	check_grep "... nor make the trigger socket" "trigger_socket $T/asuser/trigger.sock: this user cannot" "$LAST_ERR"
	check_grep "... and the other problems too (the GnuPG home)" "signing key|gpg|GnuPG|$W/gnupg" "$LAST_ERR"
	check_exit "LISTFEED_CHECK_USER names the default user" 1 \
	    env LISTFEED_CHECK_USER="$U" "$GEN" -c "$T/asuser/listfeed.conf" --check-config
	check_grep "... checking as it" "checking as user $U" "$LAST_ERR"
	check_exit "--user for a user that does not exist: exit 1" 1 \
	    "$GEN" -c "$T/asuser/listfeed.conf" --check-config --user "no-such-user-$$"
	check_exit "userdel $U (under t_96's lock)" 0 users_locked userdel "$U"
	chmod 700 "$T"
else
	skip "--check-config as the service user" "needs root and useradd"
fi
# A misspelled LISTFEED_CHECK_USER is refused like an unknown --user,
# rather than leaving the check to the caller's eyes.
check_exit "LISTFEED_CHECK_USER naming no user: exit 1" 1 \
    env LISTFEED_CHECK_USER="no-such-user-$$" "$GEN" -c "$CONF" --check-config
check_grep "... saying so" "LISTFEED_CHECK_USER: no user no-such-user-$$" "$LAST_ERR"

printf '[feed]\nbogus = 1\n' >"$T/bad.conf"
check_exit "unknown config key: exit 1" 1 "$GEN" -c "$T/bad.conf"
check_grep "config error names file and line" 'bad.conf:2: unknown key' "$LAST_ERR"

# 7. A recipient key that is not in the keyring: that list fails (exit 4),
# the others still publish, its old files stay.
cp "$CONF" "$T/key.conf"
printf '[list spacelog]\nrecipients = %s\n' 0123456789ABCDEF0123456789ABCDEF01234567 >>"$T/key.conf"
cp "$FEED/plain/spacelog.sympa" "$T/spacelog.before"
db_sql gen "UPDATE members_user SET first_name = 'Renamed' WHERE email = 'femke@example.org'"
check_exit "missing recipient key: exit 4" 4 "$GEN" -c "$T/key.conf"
check_grep "error names list and fingerprint" 'spacelog.*0123456789ABCDEF0123456789ABCDEF01234567' "$LAST_ERR"
check_grep "other lists still publish" '^deelnemers 20 \+0 -0 changed$' "$LAST_OUT"
check_file_eq "failed list keeps its old file" "$T/spacelog.before" "$FEED/plain/spacelog.sympa"

# 8. kill -9 at random points of a run (50 times): every list is always one
# whole version that matches its entry, and the next run completes.
# consistent: for every l/NAME, entry.json names exactly the files of
# v/NAME/G, each whole; cleartext matches its sha256.  One python3 checks
# the feed at each request (a line on its input) and answers "ok" or what
# is wrong, on one line: started once, not once per kill.
coproc CONSISTENT { python3 -c '
import hashlib, json, os, sys
feed = sys.argv[1]
class Bad(Exception):
    pass
def check():
    for name in sorted(os.listdir(os.path.join(feed, "l"))):
        if name.startswith("."):
            continue
        vdir = os.path.join(feed, "l", os.readlink(os.path.join(feed, "l", name)))
        l = json.load(open(os.path.join(vdir, "entry.json")))
        if l["name"] != name:
            raise Bad("%s: entry of %s" % (vdir, l["name"]))
        have = set()
        for root, dirs, files in os.walk(vdir):
            have |= {os.path.relpath(os.path.join(root, f), vdir) for f in files}
        want = {f["path"] for f in l["files"].values()} | {"entry.json"}
        if have != want:
            raise Bad("%s: files %s, entry names %s" % (vdir, sorted(have), sorted(want)))
        for kind, f in l["files"].items():
            path = os.path.join(vdir, f["path"])
            data = open(path, "rb").read()
            if kind in ("plain", "plain-mail", "plain-digest"):
                lines = data.split(b"\n")
                if lines[0] == b"# listfeed 1":
                    data = b"\n".join(lines[6:])
                    if lines[3] != b"# generation: %d" % f["changed"]:
                        raise Bad("%s: header generation is not the entry one" % path)
                if hashlib.sha256(data).hexdigest() != f["sha256"]:
                    raise Bad("%s: does not match its entry" % path)
            elif not data.rstrip().endswith(b"-----END PGP MESSAGE-----"):
                raise Bad("%s: incomplete" % path)
for _ in sys.stdin:
    try:
        check()
        print("ok", flush=True)
    except Exception as e:
        print(("%s: %s" % (type(e).__name__, e)).replace("\n", " "), flush=True)
' "$FEED"; }
consistent() {
	local answer
	echo check >&"${CONSISTENT[1]}" && read -r answer <&"${CONSISTENT[0]}" ||
		answer="the checker ended"
	[ "$answer" = ok ] && return 0
	echo "$answer"
	return 1
}
bad=0
for i in $(seq 1 50); do
	db_sql gen "UPDATE members_user SET last_name = CONCAT('K', $i) WHERE id <= 12"
	"$GEN" -c "$CONF" >/dev/null 2>&1 &
	pid=$!
	sleep "0.$((RANDOM % 30))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	consistent >"$T/consistent" 2>&1 || { bad=$i; break; }
done
check_eq "after 50 kills: every list always matches its entry" 0 "$bad"
[ "$bad" = 0 ] || diag "$(cat "$T/consistent")"
check_exit "after kill -9: next run completes" 0 "$GEN" -c "$CONF"
check "after kill -9: consistent" consistent
find "$FEED" >"$T/find"
check_no_grep "after kill -9: temporary files cleaned" '/\.tmp-' "$T/find"
check_eq "at most two versions kept per list" "" \
    "$(for d in "$FEED"/v/*; do [ "$(ls "$d" | wc -l)" -le 2 ] || echo "$d"; done)"
check_eq "  and every list has one live" "$(ls "$FEED/v")" "$(ls "$FEED/l")"
decrypt "$W/gnupg-provider" "$FEED/lists/deelnemers.sympa.asc" >"$T/after-kill" 2>/dev/null
check_file_eq "after kill -9: plain and encrypted agree" "$T/after-kill" "$FEED/plain/deelnemers.sympa"

# 9. Without a client that has plain = yes: the encrypted Sympa files per
# reception, each with its signed header, and no cleartext of any member
# anywhere in the feed (plain/, .state, temporary files).
FEED2=$T/feed-noplain
gen_conf "$T/noplain.conf" "$FEED2" 'SELECT * FROM listfeed_subscribers'
sed -i '/^plain = yes$/d' "$T/noplain.conf"
check_exit "no plain client: generation exits 0" 0 "$GEN" -c "$T/noplain.conf"
check_eq "no plain client: no file under plain/" "" "$(find "$FEED2/v" -path '*/plain/*' -type f)"
check "  the feed is there" test -s "$FEED2/manifest.json"
# Whole addresses: '@' never occurs in armoured text, a short name may.
check "  (the same search finds the clear text of a feed with a plain client)" \
    grep -r -q -a -i -E 'femke@example\.org|yara\+lists@example\.org|zoe\.chateau@example\.fr' "$FEED"
check_eq "no plain client: no member address anywhere in the feed" "" \
    "$(grep -r -l -a -i -E 'femke@example\.org|yara\+lists@example\.org|zoe\.chateau@example\.fr' "$FEED2")"
for r in mail digest; do
	decrypt "$W/gnupg-provider" "$FEED2/lists/$r/deelnemers.sympa.asc" >"$T/dn.$r" 2>/dev/null
	check "deelnemers.sympa.asc?reception=$r: decrypts, signed by the feed key" test -s "$T/dn.$r"
done
check_eq "digest file: header and members" "deelnemers digest 2 2" \
    "$(for k in list reception count; do sympa_header "$T/dn.digest" $k; done | xargs) $(sympa_body "$T/dn.digest" | wc -l)"
check_eq "mail file: header and members" "deelnemers mail 18 18" \
    "$(for k in list reception count; do sympa_header "$T/dn.mail" $k; done | xargs) $(sympa_body "$T/dn.mail" | wc -l)"
check_eq "mail + digest = the sympa file" \
    "$(decrypt "$W/gnupg-provider" "$FEED2/lists/deelnemers.sympa.asc" | sympa_body /dev/stdin | sort)" \
    "$(cat "$T/dn.mail" "$T/dn.digest" | grep -v '^# ' | sort)"
g1=$(sympa_header "$T/dn.digest" generation)
stat -L -c '%i %Y %s' "$FEED2/lists/digest/deelnemers.sympa.asc" >"$T/digest.stat"
# A mail member changes: the mail and full files change, the digest file
# keeps its bytes, inode and mtime (so its ETag), and its header.
db_sql gen "UPDATE members_user SET last_name = 'Kindtabel' WHERE email = 'femke@example.org'"
check_exit "no plain client: second generation" 0 "$GEN" -c "$T/noplain.conf"
g2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["generation"])' "$FEED2/manifest.json")
check_eq "digest file untouched (inode, mtime, size)" "$(cat "$T/digest.stat")" \
    "$(stat -L -c '%i %Y %s' "$FEED2/lists/digest/deelnemers.sympa.asc")"
decrypt "$W/gnupg-provider" "$FEED2/lists/mail/deelnemers.sympa.asc" >"$T/dn.mail2" 2>/dev/null
check_eq "mail file: the new generation in its header" "$g2" "$(sympa_header "$T/dn.mail2" generation)"
check_grep "  and the change" 'Kindtabel' "$T/dn.mail2"
decrypt "$W/gnupg-provider" "$FEED2/lists/digest/deelnemers.sympa.asc" >"$T/dn.digest2" 2>/dev/null
check_eq "digest file: still the generation of its last change" "$g1" "$(sympa_header "$T/dn.digest2" generation)"
check "  which is older" test "$g1" -lt "$g2"
check_eq "no plain client: still no member address in the feed" "" \
    "$(grep -r -l -a -i -E 'femke@example|kindtabel' "$FEED2")"

done_testing
