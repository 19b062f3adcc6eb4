# shellcheck shell=bash
# tests/bench/generation.sh, sourced by run.sh: figure 3 (a full
# generation against the database floor, gpg and the naive script) and
# figure 1 (runs that find nothing changed).

say "bench: figure 3, full generation of $NLISTS lists"
rm -rf "$FEED"
gen_timed "$T/gen-full.out" -c "$CONF" --once
[ "$GEN_RC" = 0 ] || { cat "$T/gen-full.out.err" >&2; die "full generation failed ($GEN_RC)"; }
FULL_MS=$GEN_MS FULL_RSS=$GEN_RSS
# FEED/lists may be a link into the live generation: -L.  Each list has
# its whole file there and one per reception in lists/mail, lists/digest.
NFILES=$(find -L "$FEED/lists/" -maxdepth 1 -name '*.asc' | wc -l)
[ "$NFILES" = "$NLISTS" ] || die "full generation wrote $NFILES whole-list files for $NLISTS lists"
# Every encrypted file the run wrote: one gpg operation each (the whole
# list, and its mail and digest files), one at a time in a run over
# every list (listfeed-gen(8)).
ENC_FILES=$(find -L "$FEED/lists/" -name '*.asc' | wc -l)

# The naive script, same keys, same files: per list one query, then the
# whole list, its mail and its digest members (email TAB name) as three
# files, one gpg each. Its stages timed apart: the gpg stage is the gpg
# half of figure 3's baselines.
say "bench: the naive script, $NLISTS lists"
NAIVE=$T/naive
mkdir -p "$NAIVE"
naive() {
	local l a b c f total0 total1
	total0=$(now)
	mariadb --defaults-file="$CNF" -B -N -e \
		"SELECT DISTINCT \`list\` FROM listfeed_subscribers" >"$NAIVE/lists" || return 1
	: >"$NAIVE/gpg.ms"
	: >"$NAIVE/db.ms"
	while IFS= read -r l; do
		a=$(now)
		mariadb --defaults-file="$CNF" -B -N -e \
			"SELECT user_subscriber, comment_subscriber, digest FROM listfeed_subscribers WHERE \`list\` = '$l'" |
			awk -F '\t' -v w="$NAIVE/$l.txt" -v m="$NAIVE/$l.mail.txt" -v d="$NAIVE/$l.digest.txt" '
				BEGIN { printf "" >w; printf "" >m; printf "" >d }
				{ print $1 "\t" $2 >w; print $1 "\t" $2 >($3 == "mail" ? m : d) }' || return 1
		b=$(now)
		for f in "$l" "$l.mail" "$l.digest"; do
			gpg --homedir "$W/gnupg" --batch --no-tty -q --trust-model always --throw-keyids \
				-a -e -s -u "$FEED_FPR" -r "$PROVIDER_FPR" -r "$ADMIN_FPR" \
				-o "$NAIVE/$f.asc" --yes "$NAIVE/$f.txt" || return 1
		done
		c=$(now)
		ms "$a" "$b" >>"$NAIVE/db.ms"
		ms "$b" "$c" >>"$NAIVE/gpg.ms"
	done <"$NAIVE/lists"
	total1=$(now)
	ms "$total0" "$total1"
}
NAIVE_MS=$(naive) || die "the naive script failed"
NAIVE_FILES=$(find "$NAIVE" -name '*.asc' | wc -l)
# The gpg half: the naive script's gpg commands, one after another, as
# the full run runs them.
GPG_HALF=$(awk '{ s += $1 } END { printf "%.1f", s }' "$NAIVE/gpg.ms")
GPG_MED=$(calc "$(median <"$NAIVE/gpg.ms") / 3")
NAIVE_DB=$(awk '{ s += $1 } END { printf "%.1f", s }' "$NAIVE/db.ms")

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
mapfile -t GPGF < <(find "$NAIVE" -name 'l*[0-9].txt' | sort | head -n 100)
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
	"a third of the median over the $NLISTS lists of the naive script (3 files each)"
info "gpg: $NG files by 2 processes at once vs 1" "speed-up $(calc "$G1 / $G2")" "$G1 ms vs $G2 ms"

FULL_BASE=$(calc "$FLOOR + $GPG_HALF")
row 3a "full generation, $NLISTS lists changed, one format, $ENC_FILES files encrypted (listfeed-gen --once)" \
	"$FULL_MS ms" "$FULL_BASE ms (floor $FLOOR + gpg $GPG_HALF: $NAIVE_FILES files, one at a time)" \
	"$(calc "$FULL_MS / $FULL_BASE")" "<= 1.3" "$(yn le "$(calc "$FULL_MS / $FULL_BASE")" 1.3)"
row 3b "full generation vs the naive script (mariadb \| awk \| 3 gpg per list: $NAIVE_FILES files against $ENC_FILES)" \
	"$FULL_MS ms" "$NAIVE_MS ms (queries $NAIVE_DB, gpg $GPG_HALF)" \
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
# By turns with the database floor: the ratio is of two medians measured
# side by side.
: >"$T/nochange.ms"
: >"$T/floor1.ms"
NOCHANGE_WRITTEN=0
for ((i = 0; i < REPS; i++)); do
	mariadb_read "$QUERY" >>"$T/floor1.ms" || die "reading the view failed"
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
FLOOR1=$(median <"$T/floor1.ms")
CHANGED=$(grep -c ' changed$' "$T/gen-nochange.out")
row 1 "no-change run ($NLISTS lists, nothing moved, median of $REPS)" "$NOCHANGE ms, $NOCHANGE_WRITTEN list files written" \
	"$FLOOR1 ms (database floor, by turns with it)" "$(calc "$NOCHANGE / $FLOOR1")" "<= 1.2, 0 files" \
	"$(yn eval "le $(calc "$NOCHANGE / $FLOOR1") 1.2 && [ $NOCHANGE_WRITTEN = 0 ] && [ $CHANGED = 0 ]")"
info "no-change run, peak RSS" "$NOCHANGE_RSS MB" "manifest.json and run.json are rewritten (generation + 1)"

