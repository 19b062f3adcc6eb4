#!/usr/bin/env bash
# listfeed-relay, the happy path: a feed server (nginx, client TLS) with
# three signed, encrypted files per list; --once verifies them all, one
# gpg run a file; the daemon serves each source's members on loopback,
# says so in /-/status, an unchanged file costs a 304 and no gpg run, a
# round's fetches share one TLS connection, and the feed key disabled or
# revoked meanwhile counts at once.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/relay.sh"
require_exec "$RELAY"
relay_world t71 || bail_out "feed server"

members 12 >"$T/all.txt"
head -n 9 "$T/all.txt" >"$T/mail.txt"
tail -n 3 "$T/all.txt" >"$T/digest.txt"
for l in deelnemers spacelog; do
	sympa_text "$l" all 7 <"$T/all.txt" | publish "$l" all
	sympa_text "$l" mail 7 <"$T/mail.txt" | publish "$l" mail
	sympa_text "$l" digest 7 <"$T/digest.txt" | publish "$l" digest
done

check_exit "--check-config: OK" 0 "$RELAY" -c "$RCONF" --check-config
check_grep "--check-config: says ok on stdout" ': configuration ok$' "$LAST_OUT"
# Every problem, not the first: a missing certificate and a feed key the
# keyring does not hold, both reported.
sed -e "s|^cert = .*|cert = $T/no-such.pem|" \
    -e 's|^feed_key = .*|feed_key = 0123456789ABCDEF0123456789ABCDEF01234567|' \
    "$RCONF" >"$T/bad-relay.conf"
check_exit "--check-config: two problems, exit 1" 1 "$RELAY" -c "$T/bad-relay.conf" --check-config
check_grep "--check-config: the missing certificate" 'no-such.pem' "$LAST_ERR"
check_grep "--check-config: the unknown feed key" '0123456789ABCDEF' "$LAST_ERR"
check_grep "--check-config: the count" 'bad-relay.conf: 2 problems found' "$LAST_ERR"
check_exit "--once: every source verified" 0 "$RELAY" -c "$RCONF" --once
check_eq "--once: one line per source" 6 "$(grep -c ': ok: generation 7' "$LAST_OUT")"
check_grep "--once: counts" '^deelnemers digest: ok: generation 7, 3 members$' "$LAST_OUT"
check "state file written" test -s "$RSTATE/relay.state"
check_eq "state file mode 0600" 600 "$(stat -c %a "$RSTATE/relay.state")"
check_no_grep "state file: no member data" '@' "$RSTATE/relay.state"
# One gpg a file: the feed key is listed once, at start-up, and kept while
# the relay's keyrings stay as they are (pgp.h), not listed again per file.
# A keyring changed less than two seconds ago is not trusted to stay (its
# time may not show the next change), so the world's keyrings, written at
# set-up, are dated back first: the check holds however fast the set-up ran.
touch -d '1 minute ago' "$RGNUPG"/pubring.kbx "$RGNUPG"/trustdb.gpg
check_exit "--once traced: exit 0" 0 execs_traced "$T/once.trace" "$RELAY" -c "$RCONF" --once
check_eq "... one gpg decryption per source" 6 "$(gpg_starts "$T/once.trace" '"--decrypt"')"
check_eq "... the feed key listed once" 1 "$(gpg_starts "$T/once.trace" '"--list-')"

relay_start t71 || bail_out "relay"
check "first round done" wait_until 20 grep -q 'round done: 0' "$W/log/relay-t71.log"
relay_get /lists/deelnemers
check_eq "GET /lists/deelnemers: 200" 200 "$HTTP_CODE"
check_eq "the members, in order" "$(cat "$T/all.txt")" "$(members_of "$BODY")"
check_eq "the signed header stays (Sympa skips it)" "# list: deelnemers" "$(sed -n 2p "$BODY")"
relay_get '/lists/spacelog?reception=mail'
check_eq "reception=mail: 200" 200 "$HTTP_CODE"
check_eq "reception=mail: the mail members" "$(cat "$T/mail.txt")" "$(members_of "$BODY")"
relay_get '/lists/spacelog?reception=digest'
check_eq "reception=digest: the digest members" "$(cat "$T/digest.txt")" "$(members_of "$BODY")"

relay_get /lists/nosuchlist
check_eq "an unconfigured list: 404" 404 "$HTTP_CODE"
for bad in '/lists/Deelnemers' '/lists/deelnemers?reception=all' '/lists/deelnemers?reception=mail&reception=mail' \
	'/lists/deelnemers?x=1' '/lists/../etc' '/lists/' '/-/status?x'; do
	relay_get "$bad"
	check_eq "malformed $bad: 400" 400 "$HTTP_CODE"
done
code=$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' -X POST "$RELAY_URL/lists/deelnemers")
check_eq "POST: 405" 405 "$code"

relay_get /-/status
cp "$BODY" "$T/status.json"
check_eq "status: 200" 200 "$HTTP_CODE"
check_eq "status: every source serving generation 7" "6 6" "$(jq -r '.sources |
	"\(length) \(map(select(.serving and .generation == 7 and .count > 0 and
	.last_error == null and .last_success != null)) | length)"' "$T/status.json")"

# Unchanged files: the next round asks with If-None-Match, gets 304s and
# runs no gpg (the log says "not modified" for each source).
acc=$W/nginx-feed-t71/access.log
n304=$(grep -c '" 304 ' "$acc")
check "SIGHUP: a new round" relay_refresh t71
check_eq "six 304 answers" $((n304 + 6)) "$(grep -c '" 304 ' "$acc")"
check_eq "six sources not modified" 6 "$(grep -c 'not modified' "$W/log/relay-t71.log")"

# One TLS connection for a whole round: the relay keeps its connection
# from one source to the next (and from one round to the next).
lines_at_least() { [ "$(wc -l <"$1")" -ge "$2" ]; }
nconn=$(wc -l <"$FEEDCONN")
check "SIGHUP: a new round" relay_refresh t71
check "six requests logged" wait_until 10 lines_at_least "$FEEDCONN" $((nconn + 6))
check_eq "the round's six requests: one connection" 1 \
	"$(tail -n +$((nconn + 1)) "$FEEDCONN" | awk '{ print $1 }' | sort -u | wc -l)"

# A new generation reaches Sympa.
members 13 >"$T/all2.txt"
sympa_text deelnemers all 8 <"$T/all2.txt" | publish deelnemers all
check "SIGHUP: a new round" relay_refresh t71
relay_get /lists/deelnemers
check_eq "the new generation is served" "$(cat "$T/all2.txt")" "$(members_of "$BODY")"

# The feed key disabled in the relay's keyring (its trust database: gpg
# still calls the signature good): the next file it signed is refused,
# the last good copy stays served; enabled again, the file is taken.
feedkey() { printf '%s\nsave\n' "$1" | gpg --homedir "$RGNUPG" --batch --command-fd 0 --edit-key "$FEED_FPR" >>"$T/gpg.log" 2>&1; }
feedkey disable
members 14 >"$T/all3.txt"
sympa_text deelnemers all 9 <"$T/all3.txt" | publish deelnemers all
check "SIGHUP: a new round" relay_refresh t71
check_grep "the disabled feed key: refused" "deelnemers all: refused: signer $FEED_FPR: disabled" "$W/log/relay-t71.log"
relay_get /lists/deelnemers
check_eq "... the last good copy stays served" "$(cat "$T/all2.txt")" "$(members_of "$BODY")"
feedkey enable
check "SIGHUP: a new round" relay_refresh t71
relay_get /lists/deelnemers
check_eq "enabled again: the file is taken" "$(cat "$T/all3.txt")" "$(members_of "$BODY")"
# Revoked (its public keyring): refused again.
sed 's/^:-----BEGIN/-----BEGIN/' "$W/gnupg/openpgp-revocs.d/$FEED_FPR.rev" |
	_lf_gpg "$RGNUPG" --import 2>>"$T/gpg.log"
members 15 | sympa_text deelnemers all 10 | publish deelnemers all
check "SIGHUP: a new round" relay_refresh t71
check_grep "the revoked feed key: refused" "deelnemers all: refused: .*$FEED_FPR.*revoked" "$W/log/relay-t71.log"
relay_get /lists/deelnemers
check_eq "... the last good copy stays served" "$(cat "$T/all3.txt")" "$(members_of "$BODY")"

pid=$(bg_pid relay-t71)
check_eq "NoNewPrivs 1" 1 "$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$pid/status")"
check_eq "Seccomp 2 (filter)" 2 "$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$pid/status")"
kill -TERM "$pid"
check "SIGTERM: clean exit" wait_until 10 grep -q 'stopping' "$W/log/relay-t71.log"
relay_stop t71
check_no_grep "no cleartext on disk in the state dir" '@' "$RSTATE/relay.state"
done_testing
