#!/bin/sh
# tests/lint.sh: the static checks (make lint, tests/t_85_lint.sh).
# mandoc on the man pages, cppcheck and clang-tidy (.clang-tidy) on the
# C sources. Prints what it finds; exits 1 if anything was found.
set -u
cd "$(dirname "$0")/.." || exit 1
rc=0
CFLAGS="-std=c17 -D_GNU_SOURCE -DLF_TEMPLATES_DIR=\"/x\" -DLF_VERSION=\"0\" -Ilib -Ipgp -Igen -Icgi -Irelay $(pkg-config --cflags libmariadb gpgme 2>/dev/null)"

echo "== mandoc"
mandoc -Tlint -Wwarning gen/listfeed-gen.8 cgi/listfeed.fcgi.8 relay/listfeed-relay.8 \
	setup/listfeed-setup.8 lib/listfeed.conf.5 || rc=1

echo "== size"
# The house limit: no source file over 600 lines (functions: clang-tidy).
out=$(wc -l lib/*.[ch] pgp/*.[ch] gen/*.[ch] cgi/*.[ch] relay/*.[ch] |
	awk '$2 != "total" && $1 > 600 { print $2 ": " $1 " lines (limit 600)" }')
[ -z "$out" ] || { printf '%s\n' "$out"; rc=1; }

echo "== cppcheck"
out=$(cppcheck --quiet --error-exitcode=0 --enable=warning,portability,performance \
	--std=c11 --inline-suppr -D_GNU_SOURCE -Ilib -Ipgp -Igen -Icgi -Irelay \
	--suppress=missingIncludeSystem lib pgp gen cgi relay 2>&1)
[ -z "$out" ] || { printf '%s\n' "$out"; rc=1; }

echo "== clang-tidy"
# One file per process, two at a time.
# shellcheck disable=SC2086
out=$(ls lib/*.c pgp/*.c gen/*.c cgi/*.c relay/*.c | xargs -P 2 -I{} \
	clang-tidy --quiet {} -- $CFLAGS 2>/dev/null | grep -E '(warning|error):' )
[ -z "$out" ] || { printf '%s\n' "$out"; rc=1; }

[ $rc = 0 ] && echo "lint: clean"
exit $rc
