#!/usr/bin/env bash
# The libFuzzer targets (tests/fuzz/fuzz_*.c, built into $BUILD/fuzz by
# "make tests" where clang can link a fuzzer): each runs for FUZZ_SECONDS
# (default 3) from a copy of its seed corpus tests/fuzz/corpus/NAME, so
# the tree is never written to; as many run at once as there are
# processors.  A crash or a broken invariant is a
# failure; its input is kept in LF_FUZZ_ARTIFACTS (default
# $BUILD/fuzz/artifacts) and named in the TAP diagnostics.
set -u
. "$(dirname "$0")/lib/common.sh"

SECONDS_EACH=${FUZZ_SECONDS:-3}
ART=${LF_FUZZ_ARTIFACTS:-$BUILD/fuzz/artifacts}

# Can clang link a fuzzer here (compiler and its libFuzzer runtime)?
have_libfuzzer() {
	command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1 || return 1
	printf '%s\n' 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);' \
	    'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' |
	    "${FUZZ_CC:-clang}" -fsanitize=fuzzer,address,undefined -x c \
	    -o "$T/probe" - >/dev/null 2>&1
}

if ! ls "$BUILD"/fuzz/fuzz_* >/dev/null 2>&1; then
	have_libfuzzer || skip_all "clang or its libFuzzer runtime is missing (clang, libclang-rt-14-dev)"
	skip_all "no fuzzers in $BUILD/fuzz (make BUILD=... tests builds them)"
fi
mkdir -p "$ART" || bail_out "cannot create $ART"
# The targets' own temporary files (config, format, run.json copies).
export TMPDIR=$T

# fuzz_one NAME: runs one target from a copy of its seed corpus; its exit
# status in $T/NAME.rc, its output in $T/NAME.log.
fuzz_one() {
	local name=$1 corpus=$T/corpus/$1 rc
	mkdir -p "$corpus"
	if [ -d "$TOP/tests/fuzz/corpus/$name" ]; then
		cp -p "$TOP/tests/fuzz/corpus/$name"/* "$corpus"/
	fi
	rm -f "$ART/$name-"*
	# -timeout: one input may take at most 10 s; the whole run is capped
	# by timeout(1) in case the fuzzer itself hangs.
	timeout $((SECONDS_EACH * 3 + 60)) "$BUILD/fuzz/$name" -max_total_time="$SECONDS_EACH" \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$ART/$name-" "$corpus" >"$T/$name.log" 2>&1
	rc=$?
	echo "$rc" >"$T/$name.rc"
}

# The targets run side by side, one per processor (several spend most of
# their time writing files, not computing); each keeps its own time budget.
JOBS=$(nproc 2>/dev/null || echo 1)
names=()
for src in "$TOP"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	names+=("$name")
	[ -x "$BUILD/fuzz/$name" ] || continue
	while [ "$(jobs -pr | wc -l)" -ge "$JOBS" ]; do wait -n; done
	fuzz_one "$name" &
done
wait

for name in "${names[@]}"; do
	bin=$BUILD/fuzz/$name
	if [ ! -x "$bin" ]; then
		not_ok "$name: built" "$bin is missing"
		continue
	fi
	log=$T/$name.log
	rc=$(cat "$T/$name.rc" 2>/dev/null) || rc="?"
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	if [ "$rc" = 0 ]; then
		ok "$name: ${runs:-?} inputs in ${SECONDS_EACH}s, no crash, invariants hold"
	else
		not_ok "$name: exit $rc after ${runs:-?} inputs" \
		    "$(grep -E 'invariant failed|ERROR|runtime error|SUMMARY' "$log" | head -5)" \
		    "input: $(ls "$ART/$name-"* 2>/dev/null | head -1)" \
		    "log: $log"
	fi
done

done_testing
