#!/usr/bin/env bash
# make install DESTDIR=... installs a complete tree; make uninstall takes
# it away again.
set -u
. "$(dirname "$0")/lib/common.sh"
VG=${LF_VG_BUILD:-$TOP/build/vg}
[ -x "$VG/listfeed-gen" ] || skip_all "no plain build in $VG"

D=$T/root
check "make install DESTDIR" make -s -C "$TOP" install BUILD="$VG" DESTDIR="$D" PREFIX=/usr/local
for f in usr/local/sbin/listfeed-gen usr/local/sbin/listfeed.fcgi usr/local/sbin/listfeed-relay \
	usr/local/share/listfeed/templates/sympa.format \
	usr/local/share/listfeed/templates/csv.format \
	usr/local/share/listfeed/templates/mailman.format \
	usr/local/share/listfeed/templates/index.html \
	usr/local/share/listfeed/sql/recommended-view.sql \
	usr/local/share/listfeed/sql/grant.sql \
	usr/local/share/man/man8/listfeed-gen.8 usr/local/share/man/man8/listfeed.fcgi.8 \
	usr/local/share/man/man5/listfeed.conf.5 usr/local/share/man/man8/listfeed-relay.8 \
	etc/listfeed/relay.conf.example lib/systemd/system/listfeed-relay.service \
	etc/listfeed/listfeed.conf.example etc/nginx/sites-available/listfeed \
	lib/systemd/system/listfeed-gen.service lib/systemd/system/listfeed-fcgi.service \
	lib/systemd/system/listfeed-fcgi.socket usr/lib/sysusers.d/listfeed.conf; do
	check "installed: /$f" test -s "$D/$f"
done
check "the programs are executable" test -x "$D/usr/local/sbin/listfeed-gen" -a -x "$D/usr/local/sbin/listfeed.fcgi"
check_exit "the installed responder checks the example configuration (-n)" 1 \
	"$D/usr/local/sbin/listfeed.fcgi" -n -c "$D/etc/listfeed/listfeed.conf.example"
check_no_grep "the example configuration loads (only the templates path may be missing)" \
	'listfeed.conf.example:[0-9]+:' "$LAST_ERR"
check "the installed man pages render" mandoc -Tutf8 "$D/usr/local/share/man/man8/listfeed-gen.8" "$D/usr/local/share/man/man8/listfeed.fcgi.8" "$D/usr/local/share/man/man5/listfeed.conf.5" "$D/usr/local/share/man/man8/listfeed-relay.8"
check_exit "the installed relay checks its example configuration" 1 \
	"$D/usr/local/sbin/listfeed-relay" --check-config -c "$D/etc/listfeed/relay.conf.example"
check_no_grep "the relay's example configuration parses (only keys and files may be missing)" \
	'relay.conf.example(:[0-9]+)?:' "$LAST_ERR"
check "make uninstall" make -s -C "$TOP" uninstall BUILD="$VG" DESTDIR="$D" PREFIX=/usr/local
check_eq "nothing of the programs is left" "" \
	"$(cd "$D" && find . -name 'listfeed*' -path '*sbin*' -o -name 'listfeed-*.service' | head)"
done_testing
