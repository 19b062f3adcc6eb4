# shellcheck shell=bash
# tests/lib/relay.sh: a feed server for listfeed-relay tests, sourced after
# common.sh by tests/t_7*_relay*.sh.
#
#   relay_world NAME   pki and gpg keys, a feed directory $FEEDDIR served
#                      by a real nginx with client TLS (test CA, server
#                      certificate) on $FEED_URL, logging each request's
#                      "CONNECTION REQUESTS-ON-IT STATUS" to $FEEDCONN
#                      as well as to its access.log; the relay's
#                      configuration $RCONF (lists deelnemers spacelog,
#                      listening on $RELAY_URL), its state dir $RSTATE.
#   relay_setup URL    the same relay side (keys, $RCONF, $RSTATE,
#                      $RELAY_URL) for a feed server of the caller's on URL
#                      (after pki_setup and gpg_setup).
#   relay_foreign_server NAME   the same files served with the foreign CA's
#                      server certificate on $FOREIGN_URL.
#   sympa_text LIST RECEPTION GENERATION [COUNT]  a signed-header file on
#                      stdout with the members read from stdin ("EMAIL" or
#                      "EMAIL<TAB>NAME" lines); COUNT defaults to the lines
#   publish LIST RECEPTION [MODE]  stdin (cleartext) encrypted to the
#                      provider and signed by the feed key into the file
#                      nginx serves for that URL.  MODE: good (default),
#                      unsigned, clearsigned (signed, not encrypted),
#                      otherkey (signed by the admin's key, which the relay
#                      knows), stranger (signed by a key it does not know),
#                      raw (stdin as is, e.g. garbage), twosigs (feed and
#                      admin sign)
#   publish_all GENERATION FILE  every source of both lists: FILE's members
#   members N [DOMAIN]  N member lines
#   relay_start NAME / relay_stop NAME, relay_refresh NAME (SIGHUP, waits
#                      for the round), relay_get PATH (curl on the relay;
#                      the body in file $BODY, the HTTP status in $HTTP_CODE),
#                      members_of FILE (its lines but the header)
#   relay_fail500 on|off  every feed request answers 500

RELAY=$BUILD/listfeed-relay

relay_world() {
	local name=$1 port
	pki_setup || return 1
	gpg_setup || return 1
	FEEDDIR=$T/feed
	mkdir -p "$FEEDDIR/all" "$FEEDDIR/mail" "$FEEDDIR/digest"
	port=$(free_port) || return 1
	FEEDCONN=$T/feed-conn.log
	_relay_site "$port" server "$W/nginx-feed-$name/access.log" "$FEEDCONN" >"$T/feed-site.conf"
	nginx_start "$T/feed-site.conf" "feed-$name" || return 1
	FEED_URL=https://localhost:$port
	relay_setup "$FEED_URL"
}

# relay_setup URL: the relay's side alone, for a feed server on URL.
relay_setup() {
	RELAY_PORT=$(free_port) || return 1
	RELAY_URL=http://127.0.0.1:$RELAY_PORT
	# The relay's own GnuPG home: the provider's keys, and the admin's
	# public key too, so that a file the admin signs has a good
	# signature by a key the relay knows, just not the feed key.
	RGNUPG=$T/gnupg-relay
	cp -a "$W/gnupg-provider" "$RGNUPG" && rm -f "$RGNUPG"/S.* && echo "$RGNUPG" >>"$W/gnupg-homes" &&
		_lf_gpg "$RGNUPG" --import "$W/gnupg-pub/admin.asc" 2>>"$T/gpg.log" || return 1
	RSTATE=$T/rstate
	RCONF=$T/relay.conf
	relay_conf "$1" >"$RCONF"
}

# relay_conf URL [extra lines...]: a relay.conf for this world on stdout.
relay_conf() {
	local url=$1
	shift
	cat <<-EOF
		[relay]
		listen = 127.0.0.1:$RELAY_PORT
		url = $url
		cert = $W/pki/client-sympa.pem
		key = $W/pki/client-sympa.key
		ca = $W/pki/ca.pem
		gnupghome = $RGNUPG
		feed_key = $FEED_FPR
		lists = deelnemers spacelog
		refresh = 3600
		state = $RSTATE
	EOF
	[ $# -gt 0 ] && printf '%s\n' "$@"
	return 0
}

_relay_site() {	# PORT server|foreign-server ACCESS_LOG CONN_LOG
	cat <<-EOF
		map \$arg_reception \$relay_r { default all; mail mail; digest digest; }
		log_format relayconn '\$connection \$connection_requests \$status';
		server {
		    listen 127.0.0.1:$1 ssl;
		    access_log $3;
		    access_log $4 relayconn;
		    ssl_certificate $W/pki/$2.pem;
		    ssl_certificate_key $W/pki/$2.key;
		    ssl_client_certificate $W/pki/ca.pem;
		    ssl_verify_client on;
		    root $FEEDDIR;
		    location ~ ^/lists/([a-z0-9._-]+\.sympa\.asc)\$ {
		        if (-f $FEEDDIR/fail500) { return 500; }
		        try_files /\$relay_r/\$1 =404;
		    }
		}
	EOF
}

relay_foreign_server() {
	local port
	port=$(free_port) || return 1
	_relay_site "$port" foreign-server "$W/nginx-foreign-$1/access.log" "$T/foreign-conn.log" \
		>"$T/foreign-site.conf"
	nginx_start "$T/foreign-site.conf" "foreign-$1" || return 1
	FOREIGN_URL=https://localhost:$port
}

members() {
	local i
	for ((i = 1; i <= $1; i++)); do
		printf 'm%03d@%s\tMember %d\n' "$i" "${2:-example.org}" "$i"
	done
}

sympa_text() {
	local list=$1 rec=$2 gen=$3 body n
	body=$(cat)
	if [ -z "$body" ]; then n=0; else n=$(printf '%s\n' "$body" | wc -l); fi
	printf '# listfeed 1\n# list: %s\n# reception: %s\n# generation: %s\n# count: %s\n# time: 2026-11-30T00:00:%02dZ\n' \
		"$list" "$rec" "$gen" "${4:-$n}" "$((gen % 60))"
	[ -n "$body" ] && printf '%s\n' "$body"
	return 0
}

publish() {
	local list=$1 rec=$2 mode=${3:-good} out
	out=$FEEDDIR/$rec/$list.sympa.asc
	case $mode in
	good) _lf_gpg "$W/gnupg" --armor --throw-keyids --encrypt --sign -u "$FEED_FPR" \
		-r "$PROVIDER_FPR" -r "$ADMIN_FPR" --trust-model always ;;
	unsigned) _lf_gpg "$W/gnupg" --armor --encrypt -r "$PROVIDER_FPR" --trust-model always ;;
	clearsigned) _lf_gpg "$W/gnupg" --armor --sign -u "$FEED_FPR" ;;
	otherkey) _relay_home && _lf_gpg "$T/gnupg-two" --armor --encrypt --sign -u "$ADMIN_FPR" \
		-r "$PROVIDER_FPR" --trust-model always ;;
	stranger) _relay_home && _lf_gpg "$T/gnupg-two" --armor --encrypt --sign -u stranger@example.com \
		-r "$PROVIDER_FPR" --trust-model always ;;
	twosigs) _relay_home && _lf_gpg "$T/gnupg-two" --armor --encrypt --sign -u "$FEED_FPR" \
		-u "$ADMIN_FPR" -r "$PROVIDER_FPR" --trust-model always ;;
	raw) cat ;;
	*) echo "publish: bad mode $mode" >&2; return 1 ;;
	esac <&0 >"$out.tmp" 2>>"$T/gpg.log" && mv "$out.tmp" "$out"
}

publish_all() {
	local l r
	for l in deelnemers spacelog; do
		for r in all mail digest; do
			sympa_text "$l" "$r" "$1" <"$2" | publish "$l" "$r" || return 1
		done
	done
}

# A home with the feed's and the admin's secret keys, a stranger's key, the
# provider's public key.
_relay_home() {
	local h=$T/gnupg-two
	if [ ! -d "$h" ]; then
		mkdir -m 0700 "$h"
		echo "$h" >>"$W/gnupg-homes"
		_lf_gpg "$W/gnupg" --export-secret-keys "$FEED_FPR" | _lf_gpg "$h" --import
		_lf_gpg "$W/gnupg-admin" --export-secret-keys "$ADMIN_FPR" | _lf_gpg "$h" --import
		_lf_gpg "$W/gnupg" --export "$PROVIDER_FPR" | _lf_gpg "$h" --import
		_lf_gpg "$h" --quick-gen-key 'Stranger <stranger@example.com>' ed25519 sign 1y
	fi >/dev/null 2>&1
}

relay_fail500() {
	if [ "$1" = on ]; then touch "$FEEDDIR/fail500"; else rm -f "$FEEDDIR/fail500"; fi
}

# relay_start NAME [CONF]: the daemon; waits until its first round is done.
relay_start() {
	local n
	n=$(grep -c 'round done' "$W/log/relay-$1.log" 2>/dev/null)
	bg_start "relay-$1" "$RELAY" -v -c "${2:-$RCONF}" || return 1
	if ! wait_until 30 _relay_rounds_over "$1" "${n:-0}"; then
		echo "relay.sh: listfeed-relay $1 did not start:" >&2
		tail -n 20 "$W/log/relay-$1.log" >&2
		return 1
	fi
}

relay_stop() {
	bg_stop "relay-$1"
}

# relay_refresh NAME: SIGHUP, then waits for the round to end in the log.
relay_refresh() {
	local pid n
	pid=$(bg_pid "relay-$1") || return 1
	n=$(grep -c 'round done' "$W/log/relay-$1.log")
	kill -HUP "$pid"
	wait_until 30 _relay_rounds_over "$1" "$n"
}

_relay_rounds_over() {
	[ "$(grep -c 'round done' "$W/log/relay-$1.log")" -gt "$2" ]
}

relay_get() {
	BODY=$T/.relay_body
	HTTP_CODE=$(curl -s --path-as-is --noproxy '*' -o "$BODY" -w '%{http_code}' "$RELAY_URL$1")
}

# members_of FILE: the member lines (not the header) of a body.
members_of() {
	grep -v '^#' "$1"
}
