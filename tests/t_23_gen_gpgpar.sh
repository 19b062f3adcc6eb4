#!/usr/bin/env bash
# A changed list's files (the whole list, its mail and its digest file)
# are encrypted side by side (crypt_encrypt_sign_many(), one gpg process
# each, crypt_workers() at once) in a run naming lists: on a machine with
# two CPUs or more, the gpg processes of a one-list run overlap (one
# starts before another has ended); a run over every list encrypts one
# file at a time; each file still holds what it must, and a list whose
# encryption fails is held whole, with the usual message.
set -u
. "$(dirname "$0")/lib/common.sh"
require_exec "$GEN"
command -v strace >/dev/null || skip_all "strace needed"
command -v python3 >/dev/null || skip_all "python3 needed to read the trace"

gen_world gpgpar

GH=$T/gnupg
gpg_home_copy "$W/gnupg" "$GH" || bail_out "gpg_home_copy"
# A recipient key that expired in 2020.
XH=$T/gnupg-old
mkdir -m 0700 "$XH"
gpg --homedir "$XH" --batch --no-tty --pinentry-mode loopback --passphrase '' \
    --faked-system-time 20200101T000000 --quick-gen-key 'Old <old@example.org>' \
    default default 1d >/dev/null 2>&1 || bail_out "expired key"
echo "$XH" >>"$W/gnupg-homes"
OLD_FPR=$(gpg --homedir "$XH" --batch --with-colons --list-keys 2>/dev/null |
    awk -F: '$1 == "fpr" { print $10; exit }')
gpg --homedir "$XH" --batch --export "$OLD_FPR" |
    gpg --homedir "$GH" --batch --import >/dev/null 2>&1 || bail_out "import"

CONF=$T/listfeed.conf
FEED=$T/feed
# conf [LIST-RECIPIENT]: spacelog encrypted to that key if given.
conf() {
	{
		printf '[database]\ndefaults_file = %s\n' "$W/db-gpgpar/my.cnf"
		printf '[feed]\ndir = %s\ntemplates = %s\n' "$FEED" "$TOP/templates"
		printf '[gpg]\nhome = %s\nsign_key = %s\nrecipients = %s\n' \
			"$GH" "$FEED_FPR" "$PROVIDER_FPR"
		printf '[client sympa]\nfingerprint = %s\nlists = deelnemers spacelog\nplain = yes\n' \
			"$(pki_fingerprint "$W/pki/client-sympa.pem")"
		[ -n "${1:-}" ] && printf '[list spacelog]\nrecipients = %s\n' "$1"
	} >"$CONF"
}
# rename N: a change to spacelog's member lines (every file of it).
rename() {
	db_sql gpgpar "UPDATE members_user SET first_name = 'Renamed $1' WHERE email = 'femke@example.org'"
}
# decrypts FILE: the cleartext, the feed's signature checked.
decrypts() {
	local st=$T/status
	gpg --homedir "$W/gnupg-provider" --batch --no-tty --status-file "$st" \
		--decrypt "$1" 2>/dev/null &&
		grep -q "^\[GNUPG:\] VALIDSIG $FEED_FPR" "$st"
}
# overlaps TRACE: "N M": the gpg encryptions traced (strace -f -tt) and
# how many of them started before another one had ended.
overlaps() {
	python3 - "$1" <<'PY'
import re, sys
start, end = {}, {}
for line in open(sys.argv[1]):
    m = re.match(r'(\d+) +(\d+):(\d+):(\d+\.\d+) (.*)', line)
    if not m:
        continue
    pid, rest = m.group(1), m.group(5)
    t = int(m.group(2)) * 3600 + int(m.group(3)) * 60 + float(m.group(4))
    if rest.startswith('execve("') and '/gpg"' in rest.split(',')[0] and \
            '"--encrypt"' in rest and not rest.rstrip().endswith('= -1 ENOENT (No such file or directory)'):
        start[pid] = t
    elif rest.startswith('+++ exited') or rest.startswith('+++ killed'):
        end[pid] = t
runs = [(start[p], end.get(p, float('inf'))) for p in start]
n = sum(1 for i, (s, _) in enumerate(runs)
        if any(s2 <= s < e2 for j, (s2, e2) in enumerate(runs) if j != i))
print(len(runs), n)
PY
}

conf
check_exit "a first generation" 0 "$GEN" -c "$CONF"

# 1. One changed list, traced: its encryptions, side by side.
ascs() { find -L "$FEED/lists" -name 'spacelog.*.asc' -printf '%p %i\n' | sort; }
ascs >"$T/asc.before"
rename 1
ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 \
    strace -f -q -tt -v -s 64 -e trace=execve -o "$T/trace" \
    "$GEN" -c "$CONF" --list spacelog >"$T/out" 2>"$T/err"
check_eq "one changed list: exit 0" 0 "$?"
read -r nenc nover <<<"$(overlaps "$T/trace")"
ascs >"$T/asc.after"
nasc=$(comm -13 "$T/asc.before" "$T/asc.after" | wc -l)
check "... its changed files: formats, its mail and digest files ($nasc)" \
    test "$nasc" -ge 3
check_eq "... one gpg encryption per encrypted file" "$nasc" "$nenc"
if [ "$(nproc)" -ge 2 ]; then
	check "... side by side: one starts before another has ended ($nover)" \
	    test "$nover" -ge 1
else
	skip "one CPU: one encryption at a time"
fi
for f in spacelog.sympa mail/spacelog.sympa digest/spacelog.sympa; do
	decrypts "$FEED/lists/${f%.sympa}.sympa.asc" >"$T/got" 2>/dev/null
	check_eq "lists/${f%.sympa}.sympa.asc: signed by the feed" 0 "$?"
	check_file_eq "... and holds what plain/$f holds" "$FEED/plain/$f" "$T/got"
done
check_grep "... the change is in it" 'Renamed 1' "$FEED/plain/spacelog.sympa"

# 1b. The same change by a run over every list: one file at a time (the
# read goes on beside it); the member is on other lists too.
allascs() { find -L "$FEED/lists" -name '*.asc' -printf '%p %i\n' | sort; }
allascs >"$T/asc.before"
rename 3
ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 \
    strace -f -q -tt -v -s 64 -e trace=execve -o "$T/trace" \
    "$GEN" -c "$CONF" >"$T/out" 2>"$T/err"
check_eq "a run over every list: exit 0" 0 "$?"
read -r nenc nover <<<"$(overlaps "$T/trace")"
allascs >"$T/asc.after"
nasc=$(comm -13 "$T/asc.before" "$T/asc.after" | wc -l)
check "... the changed files, spacelog's among them ($nasc)" test "$nasc" -ge 3
check_eq "... one gpg encryption per encrypted file" "$nasc" "$nenc"
check_eq "... one at a time: none starts before another has ended" 0 "$nover"
decrypts "$FEED/lists/spacelog.sympa.asc" >"$T/got" 2>/dev/null
check_eq "... lists/spacelog.sympa.asc: signed by the feed" 0 "$?"
check_file_eq "... and holds what plain/spacelog.sympa holds" "$FEED/plain/spacelog.sympa" "$T/got"
check_grep "... the change is in it" 'Renamed 3' "$FEED/plain/spacelog.sympa"

# 2. A recipient key of that list expired: the list is held whole, the
# error names it and the key; the other lists publish.
snap() { (cd "$FEED" && find -L lists/spacelog* lists/mail/spacelog* \
	lists/digest/spacelog* plain/spacelog* plain/*/spacelog* -type f \
	-printf '%p %i %s\n' | sort); }
snap >"$T/before"
conf "$OLD_FPR"
rename 2
check_exit "an expired recipient of spacelog: exit 4" 4 "$GEN" -c "$CONF"
check_grep "... the error names the list and the key" "spacelog.*recipient $OLD_FPR: expired" "$LAST_ERR"
check_grep "... the other lists publish" '^deelnemers ' "$LAST_OUT"
snap >"$T/after"
check_file_eq "... every file of spacelog is as it was" "$T/before" "$T/after"
check_exit "the same by --list: exit 4" 4 "$GEN" -c "$CONF" --list spacelog
check_grep "... the same message" "spacelog.*recipient $OLD_FPR: expired" "$LAST_ERR"
snap >"$T/after"
check_file_eq "... spacelog still as it was" "$T/before" "$T/after"
conf
check_exit "the key fixed: exit 0" 0 "$GEN" -c "$CONF" --list spacelog
check_grep "... the change is published" 'Renamed 2' "$FEED/plain/spacelog.sympa"

done_testing
