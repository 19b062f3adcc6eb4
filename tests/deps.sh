#!/bin/sh
# tests/deps.sh: make sure the Debian packages needed to build and test
# listfeed are installed.
#
# All present: exits 0 at once and prints nothing.
# Some missing, running as root: apt-get update, then installs them.
# Some missing, not root: prints the missing packages and the command, exits 1.
#
# Package roles:
#   build-essential pkg-config       compiler, make, pkg-config
#   libmariadb-dev libgpgme-dev      listfeed-gen
#   libfcgi-dev                      listfeed.fcgi
#   libinih-dev libjansson-dev libssl-dev   shared library (config, JSON, hashes)
#   unicode-data                     UnicodeData.txt, the source of the table
#                                    of invisible code points (lib/unicode.h)
#   libcmocka-dev                    unit tests
#   mariadb-server mariadb-client    throwaway databases in tests (mariadbd,
#                                    mariadb-install-db, mariadb, my_print_defaults)
#   gnupg gpg-agent                  throwaway OpenPGP keys in tests
#   nginx-light openssl curl         TLS front end, test PKI, HTTP client in tests
#   mandoc cppcheck clang-tidy       static checks (tests/lint.sh)
#   python3                          small helpers in tests and tests/demo/make-sample.py
#   libcurl4-openssl-dev libmicrohttpd-dev   listfeed-relay
#   jq                               reads listfeed-relay's status in tests
#   procps                           ps/pgrep in tests
#   strace                           which processes and syscalls a run
#                                    makes (tests/t_12_guard.sh, t_44)
#   iproute2                         ss, to look at listening sockets in tests
#   dpkg-dev debhelper lintian       make deb (dpkg-buildpackage, dh; no
#                                    fakeroot: Rules-Requires-Root: no) and
#                                    its check; tests/t_96_deb.sh
#   lib*-perl                        what Sympa's own data source modules need
#                                    (tests/t_50_e2e.sh runs them, unpacked
#                                    from Debian's sympa package)
set -u

PKGS="build-essential pkg-config libmariadb-dev mariadb-server mariadb-client
libgpgme-dev gnupg gpg-agent libfcgi-dev libinih-dev libjansson-dev libssl-dev
libcurl4-openssl-dev libmicrohttpd-dev jq
unicode-data libcmocka-dev clang libclang-rt-14-dev cppcheck clang-tidy libseccomp-dev nginx-light openssl curl mandoc python3 procps strace iproute2
libwww-perl liblwp-protocol-https-perl libmime-encwords-perl
libunicode-linebreak-perl libhtml-parser-perl liburi-perl libintl-perl
libclass-singleton-perl
dpkg-dev debhelper lintian"

# One dpkg-query for all: a line "NAME STATUS" per known package.
# shellcheck disable=SC2086
installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' $PKGS 2>/dev/null |
	awk '$2 == "installed" { print $1 }')
missing=""
for p in $PKGS; do
	case "
$installed
" in
	*"
$p
"*) ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	echo "deps.sh: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update || exit 1
	# shellcheck disable=SC2086 # word splitting of the package list is wanted
	apt-get install -y --no-install-recommends $missing || exit 1
	exit 0
fi

echo "deps.sh: missing Debian packages:$missing" >&2
echo "deps.sh: install them as root with:" >&2
echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing" >&2
exit 1
