# shellcheck shell=bash
# tests/lib/sympa.sh: Sympa's own data source code for the tests, sourced
# after common.sh.  Sets SYMPA_LIB to a directory with Sympa's modules:
# the installed package, else a copy unpacked from Debian's package (never
# installed: its maintainer scripts want a database); skips the whole
# script when neither is available.
#   sympa_fetch URL CLIENT   what Sympa 6.2.70's include_remote_file keeps
#                            from URL ("email TAB name" lines), presenting
#                            client-CLIENT of pki_setup; exit 2 when Sympa
#                            counts the source as failed (keeps members)
#   sympa_expected FILE      the "email TAB name" lines of FILE as Sympa
#                            keeps them (address lower-cased)

SYMPA_LIB=${SYMPA_LIB:-}
for d in "$SYMPA_LIB" /usr/share/sympa/lib "$TOP/build/sympa/usr/share/sympa/lib"; do
	[ -n "$d" ] && [ -f "$d/Sympa/DataSource/RemoteFile.pm" ] && { SYMPA_LIB=$d; break; }
done
if [ ! -f "$SYMPA_LIB/Sympa/DataSource/RemoteFile.pm" ] && [ "$(id -u)" = 0 ]; then
	mkdir -p "$TOP/build/sympa"
	(cd "$TOP/build/sympa" && apt-get download sympa >/dev/null 2>&1 &&
		dpkg-deb -x sympa_*.deb . && rm -f sympa_*.deb)
	SYMPA_LIB=$TOP/build/sympa/usr/share/sympa/lib
fi
[ -f "$SYMPA_LIB/Sympa/DataSource/RemoteFile.pm" ] || skip_all "Sympa's modules are not available"
export SYMPA_LIB

sympa_fetch() {
	perl "$TOP/tests/tools/sympa-fetch.pl" "$1" "$W/pki/ca.pem" \
		"$W/pki/client-$2.pem" "$W/pki/client-$2.key"
}

sympa_expected() {
	perl -ne 'chomp; my ($e, $n) = split /\t/, $_, 2; print lc($e), "\t", $n // "", "\n"' "$1"
}
