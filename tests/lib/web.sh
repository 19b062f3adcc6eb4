# shellcheck shell=bash
# tests/lib/web.sh: nginx, listfeed.conf sections and listfeed.fcgi for a world (sourced by common.sh; see its header).


# nginx_main DIR CONF [USER]: on stdout, a main configuration that keeps
# everything in DIR (pid, logs, temp paths) and includes CONF in its http
# block; workers run as USER (default: root when run as root).
nginx_main() {
	local d=$1 conf=$2 user=${3:-}
	[ -z "$user" ] && [ "$(id -u)" = 0 ] && user=root
	[ -n "$user" ] && echo "user $user;"
	cat <<-EOF
		worker_processes 1;
		pid $d/nginx.pid;
		error_log $d/error.log info;
		events { worker_connections 256; }
		http {
		    access_log $d/access.log;
		    client_body_temp_path $d/tmp/client_body;
		    proxy_temp_path $d/tmp/proxy;
		    fastcgi_temp_path $d/tmp/fastcgi;
		    uwsgi_temp_path $d/tmp/uwsgi;
		    scgi_temp_path $d/tmp/scgi;
		    include /etc/nginx/mime.types;
		    default_type application/octet-stream;
		    include $conf;
		}
	EOF
}

# nginx_start CONF [NAME]: CONF holds http-level directives (server blocks);
# it is included in a main configuration (nginx_main) that keeps everything
# in $W/nginx-NAME. A CONF with its own "events" block is used as the whole
# configuration instead. Waits until every "listen ADDR:PORT" of CONF
# accepts connections.
# Logs: $W/nginx-NAME/error.log, access.log; stderr in $W/log/nginx-NAME.log.
nginx_start() {
	local conf=$1 name=${2:-nginx} d main port ok=0 i
	local -a ports
	case $conf in /*) ;; *) conf=$PWD/$conf ;; esac
	d=$W/nginx-$name
	mkdir -p "$d/tmp"
	if grep -Eq '^[[:space:]]*events[[:space:]]*\{' "$conf"; then
		main=$conf
	else
		main=$d/nginx.conf
		nginx_main "$d" "$conf" >"$main"
	fi
	bg_start "nginx-$name" nginx -p "$d/" -c "$main" -e stderr -g 'daemon off;' || return 1
	mapfile -t ports < <(grep -Eo '^[[:space:]]*listen[[:space:]]+[^;]*' "$conf" |
		grep -Eo '(127\.0\.0\.1|localhost|\[::1\]):[0-9]+' | sed 's/.*://' | sort -u)
	for ((i = 0; i < 100; i++)); do
		bg_alive "nginx-$name" || break
		ok=1
		if [ ${#ports[@]} -eq 0 ]; then
			[ -s "$d/nginx.pid" ] || ok=0
		else
			for port in "${ports[@]}"; do
				_lf_tcp_open 127.0.0.1 "$port" || { ok=0; break; }
			done
		fi
		[ "$ok" = 1 ] && break
		sleep 0.1
	done
	if [ "$ok" != 1 ] || ! bg_alive "nginx-$name"; then
		echo "common.sh: nginx $name did not start:" >&2
		tail -n 20 "$W/log/nginx-$name.log" "$d/error.log" >&2 2>/dev/null
		bg_stop "nginx-$name"
		return 1
	fi
	return 0
}

# base_conf DB FEED [TRIGGER]: the [database], [feed] and [gpg] sections of
# a listfeed.conf for this world on stdout: the database of db_fixture DB
# read through the recommended view, the feed in FEED, the repository's
# templates, the feed key signing for $RECIPIENTS (default: the provider).
# With TRIGGER: that trigger socket, and no interval.
base_conf() {
	printf '[database]\ndefaults_file = %s\n' "$W/db-$1/my.cnf"
	printf 'query = SELECT * FROM listfeed_subscribers\n'
	printf '[feed]\ndir = %s\ntemplates = %s\n' "$2" "$TOP/templates"
	[ -n "${3:-}" ] && printf 'trigger_socket = %s\ninterval = 0\n' "$3"
	printf '[gpg]\nhome = %s\nsign_key = %s\nrecipients = %s\n' \
		"$W/gnupg" "$FEED_FPR" "${RECIPIENTS:-$PROVIDER_FPR}"
}

# client_conf NAME LISTS [plain] [trigger]: a [client NAME] section for
# the certificate client-NAME of pki_setup.
client_conf() {
	local name=$1 lists=$2 o
	shift 2
	printf '[client %s]\nfingerprint = %s\nlists = %s\n' "$name" \
		"$(pki_fingerprint "$W/pki/client-$name.pem")" "$lists"
	for o in "$@"; do
		printf '%s = yes\n' "$o"
	done
}

# sample_conf DB FEED TRIGGER SOCKET: a listfeed.conf on stdout for
# listfeed-gen --watch and listfeed.fcgi on the makerspace sample
# (db_sample DB): the database read with the default query, the feed in
# FEED, a full generation every hour and one for each trigger on TRIGGER,
# listfeed.fcgi on SOCKET, the feed key signing for the provider and the
# admin; Sympa reads deelnemers and spacelog in plain, the CRM reads every
# list and triggers. Other sections ([list], [client]) may follow it.
sample_conf() {
	printf '[database]\ndefaults_file = %s\n' "$W/db-$1/my.cnf"
	printf '[feed]\ndir = %s\ntemplates = %s\n' "$2" "$TOP/templates"
	printf 'trigger_socket = %s\ninterval = 3600\n' "$3"
	printf '[fcgi]\nsocket = %s\n' "$4"
	printf '[gpg]\nhome = %s\nsign_key = %s\nrecipients = %s %s\n' \
		"$W/gnupg" "$FEED_FPR" "$PROVIDER_FPR" "$ADMIN_FPR"
	client_conf sympa 'deelnemers spacelog' plain
	client_conf crm '*' trigger
}

# site_conf PORT SOCKET FEED: the shipped site (nginx/listfeed.conf) for
# this world on stdout: filled in as its header says, with the test CA and
# server certificate; 127.0.0.1:PORT instead of port 443, no IPv6
# listeners and no port-80 server (tests/t_96_deb.sh tests that one);
# listfeed.fcgi on SOCKET, the feed in FEED.
site_conf() {
	sed -e '/^listfeed_site_not_filled_in;$/d' -e '/listen \[::\]:/d' \
		-e "s#listen 443 ssl;#listen 127.0.0.1:$1 ssl;#" -e 's#@SERVER_NAME@#localhost#' \
		-e "s#@CERT@#$W/pki/server.pem#" -e "s#@KEY@#$W/pki/server.key#" \
		-e "s#@CLIENT_CA@#$W/pki/ca.pem#" -e "s#unix:/run/listfeed/fcgi.sock;#unix:$2;#" \
		-e "s#alias /var/lib/listfeed/feed/;#alias $3/;#" "$TOP/nginx/listfeed.conf" |
		awk '/^server \{/ { blk = 1; buf = ""; drop = 0 }
			blk { buf = buf $0 "\n"; if ($0 ~ /^[ \t]*listen 80;/) drop = 1
				if ($0 ~ /^\}/) { blk = 0; if (!drop) printf "%s", buf }
				next }
			{ print }'
}

nginx_stop() {
	bg_stop "nginx-${1:-nginx}"
}

# nginx_reload [NAME]: SIGHUP (re-reads the configuration).
nginx_reload() {
	local pid
	pid=$(bg_pid "nginx-${1:-nginx}") || return 1
	kill -HUP "$pid"
	sleep 0.3
}

# ---------------------------------------------------------------- listfeed.fcgi

# fcgi_start CONF [SOCKET [NAME]]: $FCGI -c CONF -s SOCKET in the background
# (default SOCKET $W/fcgi-NAME/sock, NAME "fcgi"); sets FCGI_SOCK. Waits until
# the socket exists. Stderr in $W/log/fcgi-NAME.log.
fcgi_start() {
	local conf=$1 name=${3:-fcgi} sock
	sock=${2:-$W/fcgi-$name/sock}
	mkdir -p "$(dirname "$sock")"
	rm -f "$sock"
	bg_start "fcgi-$name" "$FCGI" -c "$conf" -s "$sock" || return 1
	if ! wait_until 10 _lf_fcgi_ready "$name" "$sock"; then
		echo "common.sh: listfeed.fcgi $name did not start:" >&2
		tail -n 20 "$W/log/fcgi-$name.log" >&2
		bg_stop "fcgi-$name"
		return 1
	fi
	# shellcheck disable=SC2034 # for the caller
	FCGI_SOCK=$sock
	return 0
}

# site_start NAME CONF FEED [open]: listfeed.fcgi with CONF (fcgi-NAME)
# behind the shipped nginx site (nginx-NAME, limit_req included; "open":
# its request limit raised far above any test's bursts) on a free port;
# sets URL and SITE_PORT. site_req CLIENT PATH [CURL-ARGS...]: prints the
# status of a request to $URL$PATH; the body in $T/body, the headers in $T/hdr.
site_start() {
	local name=$1 sock=$W/fcgi-$1/sock port
	fcgi_start "$2" "$sock" "$name" || return 1
	port=$(free_port) || return 1
	if [ "${4:-}" = open ]; then
		site_conf "$port" "$sock" "$3" |
			sed -e 's#rate=[0-9]*r/s#rate=100000r/s#' -e 's#burst=[0-9]*#burst=5000#'
	else
		site_conf "$port" "$sock" "$3"
	fi >"$T/site-$name.conf"
	nginx_start "$T/site-$name.conf" "$name" || return 1
	# shellcheck disable=SC2034 # for the caller
	SITE_PORT=$port
	URL=https://localhost:$port
}

site_req() {
	local c=$1 p=$2
	shift 2
	pki_curl "$c" -o "$T/body" -D "$T/hdr" -w '%{http_code}' "$@" "$URL$p" \
		2>"$T/curl.err" || true
}

# need_fcgi_nginx: the script is skipped unless listfeed.fcgi is built
# and nginx and python3 are installed; then pki_setup (or bail out).
need_fcgi_nginx() {
	require_exec "$FCGI"
	command -v nginx >/dev/null || skip_all "nginx not installed"
	command -v python3 >/dev/null || skip_all "python3 not installed"
	pki_setup || bail_out "pki_setup"
}

_lf_fcgi_ready() {
	bg_alive "fcgi-$1" && [ -S "$2" ]
}

fcgi_stop() {
	bg_stop "fcgi-${1:-fcgi}"
}
