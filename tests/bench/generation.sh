# shellcheck shell=bash
# tests/bench/generation.sh, sourced by run.sh: figure 3 (a full
# generation against the database floor, gpg and the naive script) and
# figure 1 (runs that find nothing changed).

say "bench: figure 3, full generation of $NLISTS lists"
rm -rf "$FEED"
# -v: its debug lines say how many encryption workers it runs.
gen_timed "$T/gen-full.out" -c "$CONF" --once -v
[ "$GEN_RC" = 0 ] || { cat "$T/gen-full.out.err" >&2; die "full generation failed ($GEN_RC)"; }
FULL_MS=$GEN_MS FULL_RSS=$GEN_RSS
# FEED/lists may be a link into the live generation: -L.  Each list has
# its whole file there and one per reception in lists/mail, lists/digest.
NFILES=$(find -L "$FEED/lists/" -maxdepth 1 -name '*.asc' | wc -l)
[ "$NFILES" = "$NLISTS" ] || die "full generation wrote $NFILES whole-list files for $NLISTS lists"
# Every encrypted file the run wrote: one gpg operation each (the whole
# list, and its mail and digest files).
ENC_FILES=$(find -L "$FEED/lists/" -name '*.asc' | wc -l)
WORKERS=$(sed -n 's/^.*encryption workers: \([0-9]*\).*$/\1/p' "$T/gen-full.out.err" | head -n 1)
: "${WORKERS:=1}"

# The naive script, same keys, same format (email TAB name): one query
# and one gpg per list. Both stages timed apart: the gpg stage is "the gpg
# work per file" of the baseline.
say "bench: the naive script, $NLISTS lists"
NAIVE=$T/naive
mkdir -p "$NAIVE"
naive() {
	local l a b c total0 total1
	total0=$(now)
	mariadb --defaults-file="$CNF" -B -N -e \
		"SELECT DISTINCT \`list\` FROM listfeed_subscribers" >"$NAIVE/lists" || return 1
	: >"$NAIVE/gpg.ms"
	: >"$NAIVE/db.ms"
	while IFS= read -r l; do
		a=$(now)
		mariadb --defaults-file="$CNF" -B -N -e \
			"SELECT user_subscriber, comment_subscriber FROM listfeed_subscribers WHERE \`list\` = '$l'" \
			>"$NAIVE/$l.txt" || return 1
		b=$(now)
		gpg --homedir "$W/gnupg" --batch --no-tty -q --trust-model always --throw-keyids \
			-a -e -s -u "$FEED_FPR" -r "$PROVIDER_FPR" -r "$ADMIN_FPR" \
			-o "$NAIVE/$l.asc" --yes "$NAIVE/$l.txt" || return 1
		c=$(now)
		ms "$a" "$b" >>"$NAIVE/db.ms"
		ms "$b" "$c" >>"$NAIVE/gpg.ms"
	done <"$NAIVE/lists"
	total1=$(now)
	ms "$total0" "$total1"
}
NAIVE_MS=$(naive) || die "the naive script failed"
GPG_SUM=$(awk '{ s += $1 } END { printf "%.1f", s }' "$NAIVE/gpg.ms")
# The generator's gpg work: the naive script's, one file a list, scaled to
# the files the full run encrypted (each costs about the same: a process).
GPG_WORK=$(calc "$GPG_SUM * $ENC_FILES / $NLISTS")
GPG_MED=$(median <"$NAIVE/gpg.ms")
NAIVE_DB=$(awk '{ s += $1 } END { printf "%.1f", s }' "$NAIVE/db.ms")

# The naive script's gpg commands again, WORKERS at a time as the
# generator runs its encryptions (crypt_workers()): the wall time of that
# is the gpg half of 3a's baseline, like for like.
say "bench: the naive gpg, $WORKERS at a time"
a=$(now)
find "$NAIVE" -name '*.txt' -print0 | xargs -0 -r -n 1 -P "$WORKERS" sh -c '
	exec gpg --homedir "$1" --batch --no-tty -q --trust-model always --throw-keyids \
		-a -e -s -u "$2" -r "$3" -r "$4" -o "$5.w" --yes "$5"' sh \
	"$W/gnupg" "$FEED_FPR" "$PROVIDER_FPR" "$ADMIN_FPR" || die "the naive gpg, $WORKERS at a time, failed"
b=$(now)
GPG_PAR=$(ms "$a" "$b")
# Scaled to the files the full run encrypted, as GPG_WORK.
GPG_HALF=$(calc "$GPG_PAR * $ENC_FILES / $NLISTS")

# Two gpg at once on the same keyring: does the second core help?
say "bench: gpg, 1 vs 2 processes"
gpg_batch() {
	local f
	for f in "$@"; do
		gpg --homedir "$W/gnupg" --batch --no-tty -q --trust-model always --throw-keyids \
			-a -e -s -u "$FEED_FPR" -r "$PROVIDER_FPR" -r "$ADMIN_FPR" \
			-o "$f.par" --yes "$f" || return 1
	done
}
mapfile -t GPGF < <(find "$NAIVE" -name '*.txt' | sort | head -n 100)
NG=${#GPGF[@]}
a=$(now); gpg_batch "${GPGF[@]}"; b=$(now)
G1=$(ms "$a" "$b")
half=$((NG / 2))
a=$(now)
gpg_batch "${GPGF[@]:0:half}" &
p1=$!
gpg_batch "${GPGF[@]:half}"
wait "$p1"
b=$(now)
G2=$(ms "$a" "$b")
info "gpg --encrypt --sign, one file (ed25519 signer, 2 recipients)" "$GPG_MED ms" \
	"median over the $NLISTS files of the naive script"
info "gpg: $NG files by 2 processes at once vs 1" "speed-up $(calc "$G1 / $G2")" "$G1 ms vs $G2 ms"

FULL_BASE=$(calc "$FLOOR + $GPG_HALF")
row 3a "full generation, $NLISTS lists changed, one format, $ENC_FILES files encrypted (listfeed-gen --once, $WORKERS encryption worker(s))" \
	"$FULL_MS ms" "$FULL_BASE ms (floor $FLOOR + gpg $GPG_HALF: $ENC_FILES files, $WORKERS at a time; one at a time $GPG_WORK)" \
	"$(calc "$FULL_MS / $FULL_BASE")" "<= 1.3" "$(yn le "$(calc "$FULL_MS / $FULL_BASE")" 1.3)"
row 3b "full generation vs the naive script (mariadb \| gpg per list, one file a list: $NLISTS files against $ENC_FILES)" \
	"$FULL_MS ms" "$NAIVE_MS ms (queries $NAIVE_DB, gpg $GPG_SUM)" \
	"$(calc "$NAIVE_MS / $FULL_MS")x faster" ">= 2x faster" "$(yn ge "$(calc "$NAIVE_MS / $FULL_MS")" 2)"
# The two halves of 3a's baseline, each measured alone above: the full
# run overlaps them, so it should cost little more than the larger one.
HALF_MAX=$(awk -v a="$FLOOR" -v b="$GPG_HALF" 'BEGIN { printf "%.1f", (a > b ? a : b) }')
HALF_WHICH=$(awk -v a="$FLOOR" -v b="$GPG_HALF" 'BEGIN { print (a > b ? "the database floor" : "gpg") }')
row 3d "full generation vs the larger of its halves, each measured alone" \
	"$FULL_MS ms" "$HALF_MAX ms ($HALF_WHICH; floor $FLOOR, gpg $GPG_HALF)" \
	"$(calc "$FULL_MS / $HALF_MAX")" "<= 1.15" "$(yn le "$(calc "$FULL_MS / $HALF_MAX")" 1.15)"
row 3c "full generation, peak RSS" "$FULL_RSS MB" "-" "-" "< 256 MB" "$(yn lt "$FULL_RSS" 256)"

# Figure 1.

say "bench: figure 1, no-change runs"
: >"$T/nochange.ms"
NOCHANGE_WRITTEN=0
for ((i = 0; i < REPS; i++)); do
	touch "$T/marker"
	sleep 0.01
	gen_timed "$T/gen-nochange.out" -c "$CONF" --once
	[ "$GEN_RC" = 0 ] || die "no-change run failed ($GEN_RC)"
	echo "$GEN_MS" >>"$T/nochange.ms"
	# .state/generation is the run's number, written by every run.
	n=$(find -L "$FEED/lists/" "$FEED/plain/" "$FEED/.state/" -type f ! -name generation \
		-newer "$T/marker" | wc -l)
	NOCHANGE_WRITTEN=$((NOCHANGE_WRITTEN + n))
done
NOCHANGE_RSS=$GEN_RSS
NOCHANGE=$(median <"$T/nochange.ms")
CHANGED=$(grep -c ' changed$' "$T/gen-nochange.out")
row 1 "no-change run ($NLISTS lists, nothing moved)" "$NOCHANGE ms, $NOCHANGE_WRITTEN list files written" \
	"$FLOOR ms (database floor)" "$(calc "$NOCHANGE / $FLOOR")" "<= 1.2, 0 files" \
	"$(yn eval "le $(calc "$NOCHANGE / $FLOOR") 1.2 && [ $NOCHANGE_WRITTEN = 0 ] && [ $CHANGED = 0 ]")"
info "no-change run, peak RSS" "$NOCHANGE_RSS MB" "manifest.json and run.json are rewritten (generation + 1)"

