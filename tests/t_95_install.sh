#!/usr/bin/env bash
# make install DESTDIR=... installs a complete tree, with the units naming
# the installed programs and placed where systemd reads them for the
# PREFIX; it never overwrites an edited nginx site; make uninstall takes
# it away again.
set -u
. "$(dirname "$0")/lib/common.sh"
VG=${LF_VG_BUILD:-$TOP/build/vg}
[ -x "$VG/listfeed-gen" ] || skip_all "no plain build in $VG"

D=$T/root
check "make install DESTDIR" make -s -C "$TOP" install BUILD="$VG" DESTDIR="$D" PREFIX=/usr/local
for f in usr/local/sbin/listfeed-gen usr/local/sbin/listfeed.fcgi usr/local/sbin/listfeed-relay \
	usr/local/sbin/listfeed-setup \
	usr/local/share/listfeed/templates/sympa.format \
	usr/local/share/listfeed/templates/csv.format \
	usr/local/share/listfeed/templates/mailman.format \
	usr/local/share/listfeed/templates/index.html \
	usr/local/share/listfeed/sql/recommended-view.sql \
	usr/local/share/listfeed/sql/grant.sql \
	usr/local/lib/listfeed/letsencrypt-deploy-hook \
	usr/local/share/man/man8/listfeed-gen.8 usr/local/share/man/man8/listfeed.fcgi.8 \
	usr/local/share/man/man5/listfeed.conf.5 usr/local/share/man/man8/listfeed-relay.8 \
	usr/local/share/man/man8/listfeed-setup.8 \
	etc/listfeed/relay.conf.example usr/local/lib/systemd/system/listfeed-relay.service \
	etc/listfeed/listfeed.conf.example etc/nginx/sites-available/listfeed \
	usr/local/lib/systemd/system/listfeed-gen.service \
	usr/local/lib/systemd/system/listfeed-fcgi.service \
	usr/local/lib/systemd/system/listfeed-fcgi.socket \
	usr/local/lib/sysusers.d/listfeed.conf usr/local/lib/sysusers.d/listfeed-relay.conf \
	usr/local/lib/tmpfiles.d/listfeed.conf; do
	check "installed: /$f" test -s "$D/$f"
done
check_eq "PREFIX=/usr/local: nothing in the distribution's directories" "" \
	"$(ls -d "$D/lib" "$D/usr/lib" 2>/dev/null)"
check "the programs are executable" test -x "$D/usr/local/sbin/listfeed-gen" -a \
	-x "$D/usr/local/sbin/listfeed.fcgi" -a -x "$D/usr/local/sbin/listfeed-setup"
check_eq "the units run the programs in PREFIX/sbin" \
	"/usr/local/sbin/listfeed-gen /usr/local/sbin/listfeed.fcgi /usr/local/sbin/listfeed-relay" \
	"$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$D"/usr/local/lib/systemd/system/listfeed-{gen,fcgi,relay}.service | xargs)"
cat "$D"/usr/local/lib/systemd/system/listfeed-* >"$T/units"
check_no_grep "no placeholder left in the units" '@[A-Z_]+@' "$T/units"
check "systemd-sysusers reads the sysusers.d files there" \
	systemd-sysusers --root="$D" --cat-config
check_grep "... both" 'listfeed-relay' "$LAST_OUT"
check "systemd-tmpfiles reads the tmpfiles.d file there" \
	systemd-tmpfiles --root="$D" --cat-config
check_grep "... the feed directory" '^d +/var/lib/listfeed/feed ' "$LAST_OUT"
check_exit "the installed responder checks the example configuration (-n)" 1 \
	"$D/usr/local/sbin/listfeed.fcgi" -n -c "$D/etc/listfeed/listfeed.conf.example"
check_no_grep "the example configuration loads (only the templates path may be missing)" \
	'listfeed.conf.example:[0-9]+:' "$LAST_ERR"
check "the installed man pages render" mandoc -Tutf8 "$D/usr/local/share/man/man8/listfeed-gen.8" "$D/usr/local/share/man/man8/listfeed.fcgi.8" "$D/usr/local/share/man/man5/listfeed.conf.5" "$D/usr/local/share/man/man8/listfeed-relay.8" "$D/usr/local/share/man/man8/listfeed-setup.8"
check_exit "the installed relay checks its example configuration" 1 \
	"$D/usr/local/sbin/listfeed-relay" --check-config -c "$D/etc/listfeed/relay.conf.example"
# Its last line counts the problems; none of the others is about the file.
grep -v 'problems\{0,1\} found$' "$LAST_ERR" >"$T/relay-check.err"
check_no_grep "the relay's example configuration parses (only keys and files may be missing)" \
	'relay.conf.example(:[0-9]+)?:' "$T/relay-check.err"

# An edited nginx site survives a second install.
echo '# edited' >>"$D/etc/nginx/sites-available/listfeed"
cp "$D/etc/nginx/sites-available/listfeed" "$T/site-edited"
check "make install again" make -s -C "$TOP" install BUILD="$VG" DESTDIR="$D" PREFIX=/usr/local
check_file_eq "the edited nginx site is kept" "$T/site-edited" "$D/etc/nginx/sites-available/listfeed"
check_grep "... and install says so" 'kept .*sites-available/listfeed' "$LAST_OUT"

check "make uninstall" make -s -C "$TOP" uninstall BUILD="$VG" DESTDIR="$D" PREFIX=/usr/local
check_eq "nothing of the programs is left" "" \
	"$(cd "$D" && find . -name 'listfeed*' -path '*sbin*' -o -name 'listfeed-*.service' \
		-o -path '*.d/listfeed*' -o -name 'listfeed-setup.8' | head)"

# PREFIX=/usr: the distribution's directories (as systemd.pc names them).
D2=$T/root-usr
check "make install PREFIX=/usr" make -s -C "$TOP" install BUILD="$VG" DESTDIR="$D2" PREFIX=/usr
UNITDIR=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
check_eq "PREFIX=/usr: the units run /usr/sbin's programs, from systemd's directory" \
	"/usr/sbin/listfeed-gen /usr/sbin/listfeed.fcgi /usr/sbin/listfeed-relay" \
	"$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$D2$UNITDIR"/listfeed-{gen,fcgi,relay}.service | xargs)"
check "PREFIX=/usr: sysusers.d and tmpfiles.d in /usr/lib" \
	test -s "$D2/usr/lib/sysusers.d/listfeed.conf" -a -s "$D2/usr/lib/tmpfiles.d/listfeed.conf"
done_testing
