#!/usr/bin/env bash
# make bench: measured speed of listfeed, each figure against a baseline
# measured in the same run, printed as one table (doc/benchmark.md).
#
# usage: tests/bench/run.sh BUILD_DIR        (make bench builds build/bench)
#   BENCH_SCALE=full (default)  1,000 lists, 100,000 members, 1,000,000
#                               subscription rows; figure 2d at 10,000
#                               lists and 2,000,000 rows; the relay (6)
#                               serves the 1,000 lists
#   BENCH_SCALE=small           200 lists, 10,000 members, 100,000 rows;
#                               2d at 2,000 lists and 200,000 rows; the
#                               relay serves 50 lists
#   BENCH_LISTS2=N              the lists of figure 2d (0: no 2d)
#   BENCH_RELAY_LISTS=N         the lists the relay serves in figure 6
#                               (3 sources each)
#   BENCH_KEEP=1                keep the world (databases, feed, logs)
#   BENCH_PARTS="generation ..." only these parts (after lib and world),
#                               for a look at one figure; a part may
#                               need an earlier one (onelist and serve
#                               use generation's feed, relay needs
#                               serve, scale needs onelist)
#
# Everything runs on 127.0.0.1 and Unix sockets in a temporary directory:
# throwaway MariaDB servers (the synthetic CRM, tests/bench/data.sql; the
# larger CRM of figure 2d; the makerspace sample of make demo), gpg keys, listfeed-gen,
# listfeed.fcgi, the trivial responder bench-accel, listfeed-relay and
# nginx. Servers are stopped by their pid at exit. Every load loop is
# bounded in count and in time. Nothing here is part of make check, and
# nothing in make check asserts a timing.
#
# The parts, sourced in this order (each says what it measures):
#   lib.sh         helpers: messages, arithmetic, the table, measuring
#   world.sh       keys, the database, the CRM (crm_load), the floor
#   generation.sh  figures 3 and 1
#   onelist.sh     figure 2a-2c
#   serve.sh       figure 4
#   relay.sh       figure 6
#   maker.sh       figure 5
#   scale.sh       figure 2d (last: the longest, the larger CRM in a
#                  second MariaDB)
#
# The table goes to stdout and to BUILD_DIR/bench-SCALE.txt.
set -u
[ $# -ge 1 ] && export LF_BUILD=$1
[ "${BENCH_KEEP:-0}" = 1 ] && export LF_KEEP=1
BENCH=$(cd "$(dirname "$0")" && pwd)
. "$BENCH/../lib/common.sh"

SCALE=${BENCH_SCALE:-full}
case $SCALE in
full)	LISTS=1000 MEMBERS=100000 SUBS=1000000 REPS=3 WRK_SECS=10 TRIG_N=10 TLS_N=10 RELAY_LISTS=1000
	LISTS2=10000 SUBS2=2000000 ;;
small)	LISTS=200 MEMBERS=10000 SUBS=100000 REPS=3 WRK_SECS=3 TRIG_N=5 TLS_N=5 RELAY_LISTS=50
	LISTS2=2000 SUBS2=200000 ;;
*)	echo "bench: BENCH_SCALE must be full or small" >&2; exit 1 ;;
esac
LISTS2=${BENCH_LISTS2:-$LISTS2}
RELAY_LISTS=${BENCH_RELAY_LISTS:-$RELAY_LISTS}
WRK_CONNS=64
WRK_TURNS=3
OUT=$BUILD/bench-$SCALE.txt

PARTS="generation onelist serve relay maker scale"
PARTS=${BENCH_PARTS:-$PARTS}
for part in lib world $PARTS; do
	[ "$part" = scale ] && continue
	# shellcheck source=/dev/null
	. "$BENCH/$part.sh"
	# The first part defines need_pkgs and die.
	if [ "$part" = lib ]; then
		need_pkgs wrk time strace
		for f in "$GEN" "$FCGI" "$BUILD/listfeed-relay" "$BUILD/tests/bench-accel"; do
			[ -x "$f" ] || die "$f is missing: run make bench"
		done
	fi
done
# shellcheck source=/dev/null
case " $PARTS " in
*" scale "*) [ "$LISTS2" -gt 0 ] && . "$BENCH/scale.sh" ;;
esac

say ""
print_table
