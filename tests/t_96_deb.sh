#!/usr/bin/env bash
# The Debian packages on this machine: made by "make deb" into the world
# (once per world; lintian runs beside the rest), installed with apt-get,
# the installed units checked by systemd-analyze verify, then the README's
# operator guide followed step by step on a test database (README step N
# is "guide N" below), ending with lists fetched over client TLS through
# nginx; then the provider's section of the README: listfeed-relay set up
# as it says, fetching through that nginx, and Sympa's own include_remote_file
# code reading a list from it on loopback.  Then an upgrade to a second
# version whose conffiles changed (made from the first by dpkg-deb, no
# second build), run as an unattended upgrade runs it, and a purge that
# removes the packages' files.
#
# No systemd as PID 1 here: each program runs as its unit's user and
# groups, with its unit's umask and ExecStart= arguments, read from the
# installed unit; the socket unit's socket is made the way its unit says;
# the maintainer scripts' systemd branch runs in a mount namespace of its
# own where /run/systemd/system exists, with systemctl and
# deb-systemd-invoke logging what they are asked.  nginx runs from a main
# configuration of its own (user www-data) that includes the filled-in
# site; /etc/nginx/sites-enabled is not touched.  The ports: loopback
# ones instead of 443, 80 and the relay's 8787.
#
# Root only.  Other checkouts run this script at the same time: what it
# does to the machine (packages, system users, /etc/listfeed, /var/lib)
# happens under /run/lock/listfeed-t96.lock, and every apt-get waits for
# dpkg's lock.  The packages (and the users they made) are removed at
# exit; the script refuses to run where listfeed is installed or has
# left data.
# tests/run: alongside the others (it shares with them only the world's
# fixtures; its database, nginx, ports and packages are its own), started
# first: the package build is the longest part of a run.
set -u
. "$(dirname "$0")/lib/common.sh"

[ "$(id -u)" = 0 ] || skip_all "not root (installs packages)"
for c in dpkg dpkg-deb dpkg-buildpackage dpkg-parsechangelog apt-get systemd-analyze nginx \
	setpriv runuser flock unshare; do
	command -v "$c" >/dev/null || skip_all "$c missing"
done
# Sympa's own RemoteFile code reads the relay (SYMPA_LIB).
. "$(dirname "$0")/lib/sympa.sh"

# installed_here: a listfeed package or its data is on this machine.
installed_here() {
	local d
	dpkg -s listfeed >/dev/null 2>&1 || dpkg -s listfeed-relay >/dev/null 2>&1 && {
		echo "a listfeed package is installed here"
		return 0
	}
	for d in /etc/listfeed /var/lib/listfeed /var/lib/listfeed-relay /run/listfeed; do
		[ -e "$d" ] && { echo "$d exists"; return 0; }
	done
	return 1
}
why=$(installed_here) && skip_all "$why: not touching it"

V=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version) || bail_out "debian/changelog"
ARCH=$(dpkg --print-architecture)
DEB=$W/deb
PKG=$DEB/listfeed_${V}_$ARCH.deb
RPKG=$DEB/listfeed-relay_${V}_$ARCH.deb
SITE=/etc/nginx/sites-available/listfeed
CONF=/etc/listfeed/listfeed.conf
RCONF=/etc/listfeed/relay.conf
RHOME=/var/lib/listfeed-relay

# apt_get ARGS...: as an unattended upgrade runs it; waits for dpkg's lock
# (another checkout's test, an apt run) up to 5 minutes.
apt_get() {
	DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=300 "$@"
}

# ---------------------------------------------------------------- packages
# Built in the background, once per world (a second run in the same world
# takes them as they are), while the CRM's database starts; lintian runs
# on them after, beside the rest of this test.
bg_start deb-t96 sh -c '
	if [ ! -f "$3" ] || [ ! -f "$4" ]; then
		make -s -C "$1" deb DEB_DIR="$2" DEB_LINTIAN=no
	fi
	echo "make deb: exit $?"
	command -v lintian >/dev/null || { echo "lintian: not installed"; exit 0; }
	lintian --fail-on error "$2"/*.changes
	echo "lintian: exit $?"' - "$TOP" "$DEB" "$PKG" "$RPKG" || bail_out "make deb"

# The CRM's database, there before listfeed (the guide starts with it).
pki_setup || bail_out "pki_setup"
gpg_setup || bail_out "gpg_setup"
db_start t96 tls || bail_out "db_start"
db_admin t96 -e 'CREATE DATABASE mslcrm CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci' &&
	db_load t96 "$TOP/tests/fixture/schema.sql" && db_load t96 "$TOP/tests/fixture/fixture.sql" ||
	bail_out "the CRM fixture"

wait_until 500 grep -q '^make deb: exit ' "$W/log/deb-t96.log"
check_grep "make deb builds both packages (into the world)" '^make deb: exit 0$' "$W/log/deb-t96.log"
[ "$LAST_RC" = 0 ] || { tail -n 30 "$W/log/deb-t96.log" | diag; bail_out "make deb"; }
diag "make deb: done at $SECONDS s"

# The next version: each package unpacked, its version raised, the first
# line of each conffile changed, packed again (what dpkg looks at in an
# upgrade is the same as in a new build: the files, the conffiles'
# checksums, the version; the maintainer scripts are the same).
NV=$V+t96
NEW=$T/new
# repack DEB DIR: the next version of DEB unpacked into DIR, packed beside it.
repack() {
	local f
	dpkg-deb -R "$1" "$2" &&
		sed -i "s/^Version: .*/Version: $NV/" "$2/DEBIAN/control" || return 1
	while IFS= read -r f; do
		sed -i "1s/\$/ (changed in $NV)/" "$2$f" || return 1
	done <"$2/DEBIAN/conffiles"
	dpkg-deb --root-owner-group -Zgzip -z1 -b "$2" "$2.deb" >/dev/null
}
mkdir -p "$NEW"
check "listfeed $NV (dpkg-deb)" repack "$PKG" "$NEW/listfeed"
check "listfeed-relay $NV (dpkg-deb)" repack "$RPKG" "$NEW/listfeed-relay"

# ---------------------------------------------------------------- the machine, under the lock
# The whole test must end within tests/run's limit (LF_TIMEOUT, 600 s):
# wait for the lock as long as leaves 4 minutes for the rest.
exec 9>/run/lock/listfeed-t96.lock
wait=$(( ${LF_TIMEOUT:-600} - SECONDS - 240 ))
[ "$wait" -ge 30 ] || wait=30
flock -w "$wait" 9 || bail_out "another checkout's t_96 held /run/lock/listfeed-t96.lock for $wait s"
diag "the lock: at $SECONDS s"
why=$(installed_here) && skip_all "$why: not touching it"
NEWUSERS=""
for u in listfeed-gen listfeed-fcgi listfeed-relay; do
	getent passwd "$u" >/dev/null || NEWUSERS="$NEWUSERS $u"
done
NEWGROUPS=""
for g in listfeed listfeed-gen listfeed-fcgi listfeed-relay; do
	getent group "$g" >/dev/null || NEWGROUPS="$NEWGROUPS $g"
done
WWW_GROUPS=$(id -Gn www-data)

# gpg_stop USER HOME: no gpg-agent left for that GnuPG home.
gpg_stop() {
	[ -d "$2" ] && runuser -u "$1" -- gpgconf --homedir "$2" --kill all >/dev/null 2>&1
	return 0
}

t96_cleanup() {
	local n u g
	for n in relay-t96 nginx-t96 fcgi-t96 gen-t96; do bg_stop "$n"; done
	gpg_stop listfeed-gen /var/lib/listfeed/gnupg
	gpg_stop listfeed-relay "$RHOME/gnupg"
	if dpkg -s listfeed >/dev/null 2>&1 || dpkg -s listfeed-relay >/dev/null 2>&1; then
		apt_get purge listfeed listfeed-relay >/dev/null 2>&1 ||
			dpkg --purge listfeed listfeed-relay >/dev/null 2>&1
	fi
	rm -rf /etc/listfeed /var/lib/listfeed "$RHOME" /run/listfeed
	for u in $NEWUSERS; do userdel "$u" >/dev/null 2>&1; done
	for g in $NEWGROUPS; do groupdel "$g" >/dev/null 2>&1; done
	# www-data leaves the group listfeed with it; restore its groups otherwise.
	[ "$(id -Gn www-data)" = "$WWW_GROUPS" ] ||
		gpasswd -d www-data listfeed >/dev/null 2>&1
	return 0
}
trap 'rc=$?; t96_cleanup; (exit $rc); _lf_exit' EXIT

check "the site's conffile in the package" \
	sh -c "dpkg-deb -I '$PKG' conffiles | grep -qx '$SITE'"

# guide 1: install.
check "apt-get install ./listfeed*.deb" apt_get install --no-install-recommends "$PKG" "$RPKG"
[ "$LAST_RC" = 0 ] || { tail -n 30 "$LAST_OUT" "$LAST_ERR" | diag; bail_out "install"; }
dpkg -L listfeed listfeed-relay | sort -u >"$T/files"
check "users made by the package (systemd-sysusers)" \
	sh -c 'id listfeed-gen && id listfeed-fcgi && id listfeed-relay'
check_eq "listfeed-gen's primary group is listfeed" listfeed "$(id -gn listfeed-gen)"
check "www-data is in the group listfeed" sh -c 'id -Gn www-data | grep -qw listfeed'
check_eq "feed directory made at install (tmpfiles.d)" "listfeed-gen listfeed 750" \
	"$(stat -c '%U %G %a' /var/lib/listfeed/feed)"
check "no unit enabled by the package" sh -c \
	'! ls /etc/systemd/system/*.wants/ 2>/dev/null | grep -q listfeed'
UNITS="/lib/systemd/system/listfeed-gen.service /lib/systemd/system/listfeed-fcgi.service
/lib/systemd/system/listfeed-fcgi.socket /lib/systemd/system/listfeed-relay.service"
# shellcheck disable=SC2086 # the unit files
check "systemd-analyze verify the installed units" systemd-analyze verify $UNITS
check_eq "systemd-analyze verify says nothing" "" "$(cat "$LAST_OUT" "$LAST_ERR")"
check_grep "the units run the installed programs" '^ExecStart=/usr/sbin/listfeed-gen ' \
	/lib/systemd/system/listfeed-gen.service

# The site as the package ships it: enabled unfilled, "nginx -t" names it.
ND=$W/nginx-t96
mkdir -p "$ND/tmp"
nginx_main "$ND" "$SITE" www-data >"$T/nginx-unfilled.conf"
check_fail "nginx -t refuses the unfilled site" nginx -t -p "$ND/" -c "$T/nginx-unfilled.conf"
check_grep "... naming the line to delete" \
	"unknown directive \"listfeed_site_not_filled_in\" in $SITE:" "$LAST_ERR"

# ---------------------------------------------------------------- guide 2: database
check "the installed view loads" db_load t96 /usr/share/listfeed/sql/recommended-view.sql
PW=$(openssl rand -hex 16)
# The test server skips name resolution: the account's host is 127.0.0.1
# (grant.sql's comments).
sed -e "s/CHANGE-ME/$PW/" -e "s/'listfeed'@'localhost'/'listfeed'@'127.0.0.1'/g" \
	/usr/share/listfeed/sql/grant.sql >"$T/listfeed-grant.sql"
check "the installed grant.sql, edited, loads" db_load t96 "$T/listfeed-grant.sql"

# guide 3: the option file.
check "install my.cnf 0600 listfeed-gen" \
	install -m 0600 -o listfeed-gen -g listfeed /dev/null /etc/listfeed/my.cnf
install -m 0644 "$W/pki/ca.pem" /etc/listfeed/mariadb-ca.pem
printf '[listfeed]\nhost = 127.0.0.1\nport = %s\nuser = listfeed\npassword = %s\ndatabase = mslcrm\nssl-ca = /etc/listfeed/mariadb-ca.pem\n' \
	"$(db_port t96)" "$PW" >/etc/listfeed/my.cnf

# guide 4: signing key and recipients.
check "listfeed-setup" listfeed-setup --expire 365d
cp "$LAST_OUT" "$T/setup.out"
check_eq "GnuPG home: listfeed-gen, 0700" "listfeed-gen 700" \
	"$(stat -c '%U %a' /var/lib/listfeed/gnupg)"
SIGN_LINE=$(grep -E '^sign_key = [0-9A-F]{40}$' "$T/setup.out")
HOME_LINE=$(grep -E '^home = ' "$T/setup.out")
check_eq "it prints the [gpg] lines" "home = /var/lib/listfeed/gnupg" "$HOME_LINE"
FPR=${SIGN_LINE#sign_key = }
check_grep "it prints the expiry" "expires $(date -u -d '+365 days' +%Y-%m-%d)" "$T/setup.out"
check "listfeed-setup again: no second key" listfeed-setup
check_grep "... it shows the first" "^sign_key = $FPR\$" "$LAST_OUT"
check_eq "one secret key" 1 "$(runuser -u listfeed-gen -- gpg --homedir /var/lib/listfeed/gnupg \
	--batch --with-colons --list-secret-keys 2>/dev/null | grep -c '^sec:')"
runuser -u listfeed-gen -- gpgconf --homedir /var/lib/listfeed/gnupg --kill gpg-agent
check "listfeed-setup --import (provider, admin)" \
	listfeed-setup --import "$W/gnupg-pub/provider.asc" "$W/gnupg-pub/admin.asc"
RCPT_LINE=$(grep '^recipients = ' "$LAST_OUT")
check_eq "it prints the recipients line" \
	"recipients = $(printf '%s\n' "$PROVIDER_FPR" "$ADMIN_FPR" | sort | xargs)" "$RCPT_LINE"
check_exit "listfeed-setup --expire never: refused" 1 listfeed-setup --expire never
check_grep "... saying why" 'never expires is not offered' "$LAST_ERR"
chmod 0750 /var/lib/listfeed/gnupg
check_exit "a GnuPG home with another mode: refused" 1 listfeed-setup
check_grep "... with the fix" 'chmod 0700 /var/lib/listfeed/gnupg' "$LAST_ERR"
check_eq "... and left as it was" 750 "$(stat -c %a /var/lib/listfeed/gnupg)"
chmod 0700 /var/lib/listfeed/gnupg
check "listfeed-setup --renew --expire 730d" listfeed-setup --renew --expire 730d
check_grep "... the same key" "^sign_key = $FPR\$" "$LAST_OUT"
check_grep "... a later expiry" "expires $(date -u -d '+730 days' +%Y-%m-%d)" "$LAST_OUT"
check "listfeed-setup --export" sh -c 'listfeed-setup --export >"$1"' - "$T/listfeed-signing-key.asc"
check_grep "... an armoured public key" '^-----BEGIN PGP PUBLIC KEY BLOCK' "$T/listfeed-signing-key.asc"
check "no gpg-agent left running as listfeed-gen" \
	wait_until 10 sh -c '! pgrep -u listfeed-gen gpg-agent'

# guide 5: client certificates, with the README's openssl commands.
C=$T/clients
mkdir -p "$C"
(
	cd "$C" || exit 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
		-subj '/CN=listfeed clients' -keyout client-ca.key -out client-ca.pem &&
		for n in sympa admin crm relay-client; do
			openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
				-subj "/CN=$n.provider.example" -keyout $n.key -out $n.csr &&
				openssl x509 -req -in $n.csr -CA client-ca.pem -CAkey client-ca.key -days 825 \
					-out $n.pem || exit 1
		done
) >"$T/openssl.log" 2>&1
check "client CA and certificates made as the guide says" test -s "$C/crm.pem"
install -m 0644 "$C/client-ca.pem" /etc/listfeed/client-ca.pem
fpr() { openssl x509 -noout -fingerprint -sha1 -in "$1" | sed 's/^[^=]*=//'; }

# guide 6: the configuration, from the example.
check "install listfeed.conf root:listfeed 0640" \
	install -m 0640 -o root -g listfeed /etc/listfeed/listfeed.conf.example "$CONF"
{
	awk -v sk="$SIGN_LINE" -v rc="$RCPT_LINE" -v hl="$HOME_LINE" '
		/^\[list / { exit }
		/^home[ \t]*=/ { print hl; next }
		/^sign_key[ \t]*=/ { print sk; next }
		/^recipients[ \t]*=/ { print rc; cont = 1; next }
		cont && /^[ \t]/ { next }
		{ cont = 0; print }' /etc/listfeed/listfeed.conf.example
	printf '[client sympa]\nfingerprint = %s\nlists = deelnemers\nplain = yes\n' "$(fpr "$C/sympa.pem")"
	printf '[client admin]\nfingerprint = %s\nlists = *\n' "$(fpr "$C/admin.pem")"
	printf '[client crm]\nfingerprint = %s\ntrigger = yes\n' "$(fpr "$C/crm.pem")"
	printf '[client relay]\nfingerprint = %s\nlists = deelnemers\n' "$(fpr "$C/relay-client.pem")"
} >"$T/listfeed.conf"
cat "$T/listfeed.conf" >"$CONF"	# as an editor would: owner and mode stay
check_eq "listfeed.conf: root listfeed 640" "root listfeed 640" "$(stat -c '%U %G %a' "$CONF")"

# guide 7: the nginx site, filled in with sed.
HTTPS_PORT=$(free_port) && HTTP_PORT=$(free_port) || bail_out "no free port"
sed -i -e 's#@SERVER_NAME@#localhost#' -e "s#@CERT@#$W/pki/server.pem#" \
	-e "s#@KEY@#$W/pki/server.key#" -e 's#@CLIENT_CA@#/etc/listfeed/client-ca.pem#' \
	-e '/^listfeed_site_not_filled_in;$/d' "$SITE"
check_eq "grep -n '@[A-Z_]*@' prints nothing" "" "$(grep -n '@[A-Z_]*@' "$SITE")"
cp "$SITE" "$T/site-edited"
# This machine's loopback ports instead of 443 and 80, no IPv6 listeners.
sed -e "s#listen 443 ssl;#listen 127.0.0.1:$HTTPS_PORT ssl;#" \
	-e "s#listen 80;#listen 127.0.0.1:$HTTP_PORT;#" -e '/listen \[::\]:/d' \
	"$SITE" >"$T/site.conf"
nginx_main "$ND" "$T/site.conf" www-data >"$T/nginx.conf"
check "nginx -t with the filled-in site" nginx -t -p "$ND/" -c "$T/nginx.conf"

# guide 8: check and start.
check "runuser -u listfeed-gen -- listfeed-gen --check-config" \
	runuser -u listfeed-gen -- listfeed-gen --check-config
check "runuser -u listfeed-fcgi -- listfeed.fcgi -n" runuser -u listfeed-fcgi -- listfeed.fcgi -n

# unit_val UNIT KEY: the value of KEY= in the installed unit (the last one).
unit_val() {
	sed -n "s/^$2=//p" "/lib/systemd/system/$1" | tail -n 1
}
# as_unit UNIT CMD...: CMD as the unit's User=, Group=, its user's groups
# and SupplementaryGroups=, with its UMask= and LimitCORE=.  (Not its
# LimitMEMLOCK=: a container may not raise it; the relay's mlock(2) is
# best effort.)
as_unit() {
	local u=$1 user group groups core
	shift
	core=$(unit_val "$u" LimitCORE)
	[ -z "$core" ] || ulimit -c "$core" || return 1
	user=$(unit_val "$u" User) group=$(unit_val "$u" Group)
	# shellcheck disable=SC2046 # one group a word
	groups=$(printf '%s\n' $(id -Gn "$user") $(unit_val "$u" SupplementaryGroups) |
		sort -u | paste -sd, -)
	umask "$(unit_val "$u" UMask)" &&
		exec setpriv --reuid="$user" --regid="$group" --groups="$groups" -- "$@"
}

# listfeed-gen.service: RuntimeDirectory=, then ExecStartPre= (as root), ExecStart=.
G=listfeed-gen.service
check_eq "listfeed-gen.service: RuntimeDirectory" "listfeed/gen 0750" \
	"$(unit_val $G RuntimeDirectory) $(unit_val $G RuntimeDirectoryMode)"
install -d -m 0755 /run/listfeed &&
	install -d -m 0750 -o "$(unit_val $G User)" -g "$(unit_val $G Group)" /run/listfeed/gen
pre=$(unit_val $G ExecStartPre)
# shellcheck disable=SC2086 # the unit's command line
check "ExecStartPre= of listfeed-gen.service" ${pre#+}
# shellcheck disable=SC2046 # the unit's command line
bg_start gen-t96 bash -c "$(declare -f unit_val as_unit); as_unit $G \"\$@\"" - \
	$(unit_val $G ExecStart) || bail_out "listfeed-gen"
check "the generator publishes a first generation" \
	wait_until 60 test -s /var/lib/listfeed/feed/manifest.json
[ "$LAST_RC" = 0 ] || { tail -n 20 "$W/log/gen-t96.log" | diag; bail_out "no feed"; }
check "the trigger socket, by default in /run/listfeed/gen" \
	wait_until 10 test -S /run/listfeed/gen/trigger.sock

# listfeed-fcgi.socket, then the service with the socket on standard input.
S=listfeed-fcgi.socket
SOCK=$(unit_val $S ListenStream)
check_eq "the site's upstream is the socket unit's" "1" \
	"$(grep -c "server unix:$SOCK;" "$SITE")"
# shellcheck disable=SC2046 # the unit's command line
bg_start fcgi-t96 python3 -c '
import grp, os, pwd, socket, sys
path, user, group, mode = sys.argv[1:5]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
os.chown(path, pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid)
os.chmod(path, int(mode, 8))
s.listen(64)
os.dup2(s.fileno(), 0)
os.execvp(sys.argv[5], sys.argv[5:])
' "$SOCK" "$(unit_val $S SocketUser)" "$(unit_val $S SocketGroup)" "$(unit_val $S SocketMode)" \
	bash -c "$(declare -f unit_val as_unit); as_unit listfeed-fcgi.service \"\$@\"" - \
	$(unit_val listfeed-fcgi.service ExecStart) || bail_out "listfeed.fcgi"
wait_until 10 test -S "$SOCK" || bail_out "no FastCGI socket"
check_eq "FastCGI socket: listfeed-fcgi www-data 660" "listfeed-fcgi www-data 660" \
	"$(stat -c '%U %G %a' "$SOCK")"

bg_start nginx-t96 nginx -p "$ND/" -c "$T/nginx.conf" -e stderr -g 'daemon off;' ||
	bail_out "nginx"
wait_until 10 _lf_tcp_open 127.0.0.1 "$HTTPS_PORT" || bail_out "nginx does not listen"

get() {	# get CLIENT PATH [CURL-ARGS...]: status; body in $T/body
	local c=$1 p=$2
	shift 2
	curl -sS --cacert "$W/pki/ca.pem" --cert "$C/$c.pem" --key "$C/$c.key" \
		--resolve "localhost:$HTTPS_PORT:127.0.0.1" -o "$T/body" -w '%{http_code}' \
		"$@" "https://localhost:$HTTPS_PORT$p" 2>"$T/curl.err"
}
check_eq "Sympa's certificate fetches deelnemers over client TLS" 200 "$(get sympa /lists/deelnemers)"
sympa_body "$T/body" >"$T/deelnemers.sympa"
check_file_eq "... the whole list" "$TOP/tests/fixture/expected/deelnemers.sympa" "$T/deelnemers.sympa"
check_eq "an admin fetches deelnemers.csv.asc" 200 "$(get admin /lists/deelnemers.csv.asc)"
cp -a "$W/gnupg-admin" "$T/gnupg-admin" && rm -f "$T"/gnupg-admin/S.*
echo "$T/gnupg-admin" >>"$W/gnupg-homes"
GNUPGHOME=$T/gnupg-admin gpg --batch --import "$T/listfeed-signing-key.asc" 2>/dev/null
GNUPGHOME=$T/gnupg-admin gpg --batch --status-fd 3 --decrypt "$T/body" \
	3>"$T/gpg.status" >"$T/deelnemers.csv" 2>/dev/null
check_grep "... signed by the key listfeed-setup made" "VALIDSIG $FPR " "$T/gpg.status"
check_file_eq "... the whole list" "$TOP/tests/fixture/expected/deelnemers.csv" "$T/deelnemers.csv"
check_eq "the CRM triggers a run through the default trigger socket" 200 \
	"$(get crm '/-/regenerate?list=deelnemers&wait=20' -X POST)"
check_eq "no certificate: 403" 403 "$(curl -sS --cacert "$W/pki/ca.pem" -o /dev/null \
	-w '%{http_code}' --resolve "localhost:$HTTPS_PORT:127.0.0.1" "https://localhost:$HTTPS_PORT/")"
check_eq "port 80: redirected to https" "301 https://localhost/lists/x" \
	"$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Host: localhost' \
		"http://127.0.0.1:$HTTP_PORT/lists/x")"
check_eq "port 80: ACME challenges are not redirected" 404 \
	"$(curl -sS -o /dev/null -w '%{http_code}' -H 'Host: localhost' \
		"http://127.0.0.1:$HTTP_PORT/.well-known/acme-challenge/none")"
diag "the guide: done at $SECONDS s"

# ---------------------------------------------------------------- the provider: listfeed-relay
# Its client certificate was made as guide 5 says (relay-client), and
# guide 6 gave it a [client relay] section.  Its keys: the provider's
# secret key, and the signing key that listfeed-setup --export wrote.
_lf_gpg "$W/gnupg-provider" --armor --export-secret-keys "$PROVIDER_FPR" \
	>"$T/provider-secret.asc" 2>/dev/null
check "install -d the relay's state directory, listfeed-relay 0700" \
	install -d -m 0700 -o listfeed-relay -g listfeed-relay "$RHOME"
check "install -d its GnuPG home, listfeed-relay 0700" \
	install -d -m 0700 -o listfeed-relay -g listfeed-relay "$RHOME/gnupg"
check "the keys imported by listfeed-relay's gpg from standard input" sh -c \
	'cat "$1" "$2" | runuser -u listfeed-relay -- gpg --homedir /var/lib/listfeed-relay/gnupg --batch --import' \
	- "$T/provider-secret.asc" "$T/listfeed-signing-key.asc"
check "... the provider's secret key" runuser -u listfeed-relay -- \
	gpg --homedir "$RHOME/gnupg" --batch --list-secret-keys "$PROVIDER_FPR"
check "... the generator's public key" runuser -u listfeed-relay -- \
	gpg --homedir "$RHOME/gnupg" --batch --list-keys "$FPR"
check "install relay-client.key root:listfeed-relay 0640" \
	install -m 0640 -o root -g listfeed-relay "$C/relay-client.key" /etc/listfeed/relay-client.key
check "install relay-client.pem 0644" install -m 0644 "$C/relay-client.pem" /etc/listfeed/relay-client.pem
check "install the feed's CA certificate, feed-ca.pem 0644" \
	install -m 0644 "$W/pki/ca.pem" /etc/listfeed/feed-ca.pem
check "install relay.conf root:listfeed-relay 0640" \
	install -m 0640 -o root -g listfeed-relay /etc/listfeed/relay.conf.example "$RCONF"
# The README's keys, and this machine's loopback port instead of 8787.
RELAY_PORT=$(free_port) || bail_out "no free port"
sed -e "s#^url .*#url       = https://localhost:$HTTPS_PORT#" \
	-e 's#^ca .*#ca        = /etc/listfeed/feed-ca.pem#' \
	-e "s#^feed_key .*#feed_key  = $FPR#" -e 's#^lists .*#lists     = deelnemers#' \
	-e "s#^listen .*#listen    = 127.0.0.1:$RELAY_PORT#" \
	/etc/listfeed/relay.conf.example >"$T/relay.conf"
cat "$T/relay.conf" >"$RCONF"	# as an editor would: owner and mode stay
check_eq "relay.conf: root listfeed-relay 640" "root listfeed-relay 640" \
	"$(stat -c '%U %G %a' "$RCONF")"
check "runuser -u listfeed-relay -- listfeed-relay --check-config" \
	runuser -u listfeed-relay -- listfeed-relay --check-config
check_grep "... configuration ok" "^$RCONF: configuration ok\$" "$LAST_OUT"
check "runuser -u listfeed-relay -- listfeed-relay --once" \
	runuser -u listfeed-relay -- listfeed-relay --once
check_eq "... one line per source" 3 "$(wc -l <"$LAST_OUT")"
gpg_stop listfeed-relay "$RHOME/gnupg"

# listfeed-relay.service: StateDirectory= (made above), then ExecStart=.
Rs=listfeed-relay.service
check_eq "listfeed-relay.service: StateDirectory" "listfeed-relay 0700" \
	"$(unit_val $Rs StateDirectory) $(unit_val $Rs StateDirectoryMode)"
# shellcheck disable=SC2046 # the unit's command line
bg_start relay-t96 bash -c "$(declare -f unit_val as_unit); as_unit $Rs \"\$@\"" - \
	$(unit_val $Rs ExecStart) || bail_out "listfeed-relay"
RURL=http://127.0.0.1:$RELAY_PORT
check "the relay serves deelnemers on loopback" \
	wait_until 30 curl -sf -o /dev/null "$RURL/lists/deelnemers"
[ "$LAST_RC" = 0 ] || { tail -n 20 "$W/log/relay-t96.log" | diag; bail_out "no relay"; }
check_eq "... as its unit's user" listfeed-relay "$(stat -c %U "/proc/$(bg_pid relay-t96)")"
sympa_expected "$TOP/tests/fixture/expected/deelnemers.sympa" >"$T/sympa.expected"
for r in all mail digest; do
	q=""
	[ "$r" = all ] || q="?reception=$r"
	check "Sympa's include_remote_file reads deelnemers$q from the relay" \
		sympa_fetch "$RURL/lists/deelnemers$q" sympa
	cp "$LAST_OUT" "$T/sympa.$r"
done
check_file_eq "... it keeps exactly the list's members" "$T/sympa.expected" "$T/sympa.all"
check_eq "... mail + digest: the same members" "$(sort "$T/sympa.all")" \
	"$(sort "$T/sympa.mail" "$T/sympa.digest")"
for n in relay-t96 nginx-t96 fcgi-t96 gen-t96; do bg_stop "$n"; done
gpg_stop listfeed-gen /var/lib/listfeed/gnupg
gpg_stop listfeed-relay "$RHOME/gnupg"
diag "the provider: done at $SECONDS s"

# ---------------------------------------------------------------- upgrade
ids() { id -u listfeed-gen; id -u listfeed-fcgi; id -u listfeed-relay; }
IDS=$(ids)
cp /var/lib/listfeed/feed/manifest.json "$T/manifest.json"
cp "$RHOME/relay.state" "$T/relay.state"
cp /etc/listfeed/my.cnf "$T/my.cnf"
check "upgrade to $NV as an unattended upgrade runs (--force-confdef --force-confold)" \
	apt_get -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
	install "$NEW/listfeed.deb" "$NEW/listfeed-relay.deb"
[ "$LAST_RC" = 0 ] || tail -n 30 "$LAST_OUT" "$LAST_ERR" | diag
check_eq "... both packages at $NV" "$NV $NV" \
	"$(dpkg-query -W -f '${Version}\n' listfeed listfeed-relay | xargs)"
check_file_eq "an unedited conffile is replaced (listfeed.conf.example)" \
	"$NEW/listfeed/etc/listfeed/listfeed.conf.example" /etc/listfeed/listfeed.conf.example
check_file_eq "... (relay.conf.example)" \
	"$NEW/listfeed-relay/etc/listfeed/relay.conf.example" /etc/listfeed/relay.conf.example
check_file_eq "an edited conffile is kept (the nginx site)" "$T/site-edited" "$SITE"
check_file_eq "... and the new one lands beside it as .dpkg-dist" "$NEW/listfeed$SITE" "$SITE.dpkg-dist"
check_file_eq "listfeed.conf is kept" "$T/listfeed.conf" "$CONF"
check_file_eq "my.cnf is kept" "$T/my.cnf" /etc/listfeed/my.cnf
check_file_eq "relay.conf is kept" "$T/relay.conf" "$RCONF"
check_eq "the users keep their ids" "$IDS" "$(ids)"
check "the signing key is kept" runuser -u listfeed-gen -- gpg --homedir /var/lib/listfeed/gnupg \
	--batch --list-secret-keys "$FPR"
check "the provider's key is kept" runuser -u listfeed-relay -- gpg --homedir "$RHOME/gnupg" \
	--batch --list-secret-keys "$PROVIDER_FPR"
check_file_eq "the feed is kept" "$T/manifest.json" /var/lib/listfeed/feed/manifest.json
check_file_eq "the relay's state is kept" "$T/relay.state" "$RHOME/relay.state"
gpg_stop listfeed-gen /var/lib/listfeed/gnupg
gpg_stop listfeed-relay "$RHOME/gnupg"

# The maintainer scripts' systemd branch, which the upgrade above skipped.
STUB=$T/stub
mkdir -p "$STUB"
for c in systemctl deb-systemd-invoke; do
	printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$c" "$T/invoked" >"$STUB/$c" && chmod 0755 "$STUB/$c"
done
# with_systemd SCRIPT ARGS...: SCRIPT where /run/systemd/system exists (in
# a mount namespace of its own), with the stubs first in PATH; what they
# were asked (but systemctl daemon-reload) is in $T/invoked.
with_systemd() {
	: >"$T/invoked"
	unshare --mount --propagation private sh -c 'mount -t tmpfs tmpfs /run/systemd &&
		mkdir /run/systemd/system && PATH=$0:$PATH && exec "$@"' "$STUB" "$@"
}
# invoked: those requests, the words of each line but the first two sorted.
invoked() {
	grep -vx 'systemctl --system daemon-reload' "$T/invoked" |
		while read -r c a u; do echo "$c $a $(printf '%s\n' $u | sort | xargs)"; done
}
for p in listfeed listfeed-relay; do
	s=/var/lib/dpkg/info/$p
	units=$(dpkg -L "$p" | sed -n 's#^/lib/systemd/system/##p' | sort | xargs)
	check "$p.postinst configure $V (an upgrade), systemd running" with_systemd "$s.postinst" configure "$V"
	check_eq "... try-restart: restarts the units that run, starts no other" \
		"deb-systemd-invoke try-restart $units" "$(invoked)"
	check "$p.postinst configure (a first install)" with_systemd "$s.postinst" configure ""
	check_eq "... starts nothing" "" "$(invoked)"
	check "$p.prerm upgrade $NV" with_systemd "$s.prerm" upgrade "$NV"
	check_eq "... stops nothing" "" "$(invoked)"
	check "$p.prerm remove" with_systemd "$s.prerm" remove
	check_eq "... stops the units" "deb-systemd-invoke stop $units" "$(invoked)"
done

# ---------------------------------------------------------------- purge
check "apt-get purge listfeed listfeed-relay" apt_get purge listfeed listfeed-relay
left=$(while IFS= read -r f; do
	if [ ! -d "$f" ] && { [ -e "$f" ] || [ -L "$f" ]; }; then printf '%s\n' "$f"; fi
done <"$T/files")
check_eq "no file of the packages left" "" "$left"
check_eq "... nor the site's .dpkg-dist" "" "$(ls "$SITE.dpkg-dist" 2>/dev/null)"
check_eq "purge removed the state and runtime directories" "" \
	"$(ls -d /var/lib/listfeed "$RHOME" /run/listfeed 2>/dev/null)"
check_eq "... and listfeed.conf, my.cnf, relay.conf; the operator's certificates stay" \
	"client-ca.pem feed-ca.pem mariadb-ca.pem relay-client.key relay-client.pem" \
	"$(ls /etc/listfeed | xargs)"

if ! grep -q '^lintian: not installed' "$W/log/deb-t96.log"; then
	wait_until 300 grep -q '^lintian: exit ' "$W/log/deb-t96.log"
	check_grep "lintian: no errors" '^lintian: exit 0$' "$W/log/deb-t96.log"
	grep -E '^[EW]: ' "$W/log/deb-t96.log" | diag
fi
bg_stop deb-t96
diag "done at $SECONDS s"
done_testing
