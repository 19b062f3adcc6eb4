#!/usr/bin/env bash
# The Debian packages on this machine: made by "make deb" (or taken from
# build/deb/ when newer than every source), installed with apt-get, the
# installed units checked by systemd-analyze verify, then the README's
# operator guide followed step by step on a test database (README step N
# is "guide N" below), ending with lists fetched over client TLS through
# nginx; then a reinstall that keeps an edited conffile and a purge that
# removes the package's files.
#
# No systemd as PID 1 here: each program runs as its unit's user and
# groups, with its unit's umask and ExecStart= arguments, read from the
# installed unit; the socket unit's socket is made the way its unit says.
# nginx runs from a main configuration of its own (user www-data) that
# includes the filled-in site; /etc/nginx/sites-enabled is not touched.
# The ports: loopback ones instead of 443 and 80.
#
# Root only.  The packages (and the users they made) are removed at exit;
# the script refuses to run where listfeed is installed or has left data.
set -u
. "$(dirname "$0")/lib/common.sh"

[ "$(id -u)" = 0 ] || skip_all "not root (installs packages)"
for c in dpkg dpkg-buildpackage apt-get systemd-analyze nginx setpriv runuser; do
	command -v "$c" >/dev/null || skip_all "$c missing"
done
dpkg -s listfeed >/dev/null 2>&1 || dpkg -s listfeed-relay >/dev/null 2>&1 &&
	skip_all "a listfeed package is installed here: not touching it"
for d in /etc/listfeed /var/lib/listfeed /var/lib/listfeed-relay /run/listfeed; do
	[ -e "$d" ] && skip_all "$d exists: not touching it"
done
exec 9>/run/lock/listfeed-t96.lock
flock -w 900 9 || bail_out "another t_96 holds /run/lock/listfeed-t96.lock"

DEB=$TOP/build/deb
PKG=$DEB/listfeed_0.1_amd64.deb
RPKG=$DEB/listfeed-relay_0.1_amd64.deb
SITE=/etc/nginx/sites-available/listfeed
CONF=/etc/listfeed/listfeed.conf
NEWUSERS=""
for u in listfeed-gen listfeed-fcgi listfeed-relay; do
	getent passwd "$u" >/dev/null || NEWUSERS="$NEWUSERS $u"
done
NEWGROUPS=""
for g in listfeed listfeed-gen listfeed-fcgi listfeed-relay; do
	getent group "$g" >/dev/null || NEWGROUPS="$NEWGROUPS $g"
done
WWW_GROUPS=$(id -Gn www-data)

t96_cleanup() {
	local n u g
	for n in nginx-t96 fcgi-t96 gen-t96; do bg_stop "$n"; done
	if dpkg -s listfeed >/dev/null 2>&1 || dpkg -s listfeed-relay >/dev/null 2>&1; then
		dpkg --purge listfeed listfeed-relay >/dev/null 2>&1
	fi
	rm -rf /etc/listfeed /var/lib/listfeed /var/lib/listfeed-relay /run/listfeed
	for u in $NEWUSERS; do userdel "$u" >/dev/null 2>&1; done
	for g in $NEWGROUPS; do groupdel "$g" >/dev/null 2>&1; done
	# www-data leaves the group listfeed with it; restore its groups otherwise.
	[ "$(id -Gn www-data)" = "$WWW_GROUPS" ] ||
		gpasswd -d www-data listfeed >/dev/null 2>&1
	return 0
}
trap 'rc=$?; t96_cleanup; (exit $rc); _lf_exit' EXIT

# ---------------------------------------------------------------- packages
stale=$(find "$TOP" \( -path "$TOP/build" -o -path "$TOP/.git" \) -prune -o \
	-type f -newer "$PKG" -print -quit 2>/dev/null)
if [ ! -f "$PKG" ] || [ ! -f "$RPKG" ] || [ -n "$stale" ]; then
	check "make deb builds both packages, lintian without errors" \
		make -s -C "$TOP" deb
	diag "make deb: $SECONDS s"
	[ "$LAST_RC" = 0 ] || { tail -n 30 "$LAST_OUT" "$LAST_ERR" | diag; bail_out "make deb"; }
elif command -v lintian >/dev/null; then
	check "lintian: no errors" lintian --fail-on error "$DEB"/listfeed_0.1_amd64.changes
fi
grep -E '^[EW]: ' "$LAST_OUT" | diag

check "the site's conffile in the package" \
	sh -c "dpkg-deb -I '$PKG' conffiles | grep -qx '$SITE'"

# guide 1: install.
check "apt-get install ./listfeed*.deb" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y --no-install-recommends "$PKG" "$RPKG"
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
pki_setup || bail_out "pki_setup"
gpg_setup || bail_out "gpg_setup"
db_start t96 tls || bail_out "db_start"
db_admin t96 -e 'CREATE DATABASE mslcrm CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci' &&
	db_load t96 "$TOP/tests/fixture/schema.sql" && db_load t96 "$TOP/tests/fixture/fixture.sql" ||
	bail_out "the CRM fixture"
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
		for n in sympa admin crm; do
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
# and SupplementaryGroups=, with its UMask=.
as_unit() {
	local u=$1 user group groups
	shift
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
for n in nginx-t96 fcgi-t96 gen-t96; do bg_stop "$n"; done
diag "the guide: done at $SECONDS s"

# ---------------------------------------------------------------- reinstall, purge
check "reinstall (dpkg -i)" env DEBIAN_FRONTEND=noninteractive dpkg -i "$PKG"
check_file_eq "the edited nginx site is kept" "$T/site-edited" "$SITE"
check_file_eq "listfeed.conf is kept" "$T/listfeed.conf" "$CONF"
check "the signing key is kept" runuser -u listfeed-gen -- gpg --homedir /var/lib/listfeed/gnupg \
	--batch --list-secret-keys "$FPR"
check "dpkg --purge listfeed listfeed-relay" dpkg --purge listfeed listfeed-relay
left=$(while IFS= read -r f; do
	if [ ! -d "$f" ] && { [ -e "$f" ] || [ -L "$f" ]; }; then printf '%s\n' "$f"; fi
done <"$T/files")
check_eq "no file of the packages left" "" "$left"
check_eq "purge removed the state and runtime directories" "" \
	"$(ls -d /var/lib/listfeed /var/lib/listfeed-relay /run/listfeed 2>/dev/null)"
check_eq "... and listfeed.conf and my.cnf; the operator's CA certificates stay" \
	"client-ca.pem mariadb-ca.pem" "$(ls /etc/listfeed | xargs)"
done_testing
