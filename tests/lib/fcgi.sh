# shellcheck shell=bash
# tests/lib/fcgi.sh: the world of the t_40_fcgi_*.sh scripts, sourced after
# common.sh: a feed built by hand (no generator, no database, no gpg), its
# listfeed.conf, and listfeed.fcgi behind the shipped nginx site.
#
#   fcgi_feed DIR        the feed in DIR: deelnemers (clear Sympa files, all
#                        and per reception; .asc csv, sympa, sympa per
#                        reception) and bestuur (.asc csv, sympa, plaintext;
#                        no clear text), published as generation 1 in the
#                        layout of doc/architecture.md (the files made in
#                        DIR/src, tests/tools/feedtool.py), and a run.json
#                        whose message is hostile HTML
#   fcgi_manifest DIR GEN CHANGED   publishes generation GEN of that feed
#                        (summary manifest.json, and a new version of each
#                        list whose entry changed), deelnemers changed in
#                        generation CHANGED
#   fcgi_conf CONF FEED TRIGGER [EXTRA-SYMPA-LISTS]   its listfeed.conf:
#                        clients sympa (deelnemers, plain), crm (*, trigger)
#                        and admin (*, plain = no)
#   fcgi_world           feed and configuration in $W/fcgi-t40, made once
#                        per world
#   fcgi_site_shared     fcgi_world served by fcgi-t40 behind nginx-t40
#                        (limit_req widened: scripts ask faster than Sympa),
#                        started once per world and left running for the
#                        next script: for scripts that change nothing there
#                        (no reload, no stop). t_40_fcgi_stop.sh, last of
#                        their users, stops them; else tests/run at the end.
#   fcgi_site_shared_stop   stops both (bg_stop: a sanitizer report in the
#                        responder's log, leaks included, is a failure)
#   fcgi_site_done       last call of a script that used fcgi_site_shared:
#                        a sanitizer report in the responder's log so far
#                        fails the script; in a world of its own it stops
#                        the site.
#   fcgi_site_own NAME   a private copy (feed in $T/feed) served by fcgi-NAME
#                        behind nginx-NAME, stopped at the script's exit: for
#                        scripts that change the feed, the configuration or
#                        the process.
# Each sets F (feed), CONF, TRIG (trigger socket, nobody listens), SOCK,
# LOG (the responder's log), SITE (the shipped site as is), and all but
# fcgi_world PORT and URL; and FP_SYMPA, FP_CRM, FP_ADMIN.
#
#   req CLIENT PATH [CURL-ARGS...]   prints the status; body in $T/body,
#                        headers in $T/hdr (the path is sent as is)
#   hdr NAME             value of a response header in $T/hdr (last one)

# An armoured stand-in, its body line different per NAME.
_lf_fcgi_asc() {
	printf -- '-----BEGIN PGP MESSAGE-----\n\nhF4D%s\n=abcd\n-----END PGP MESSAGE-----\n' \
		"${1//[!a-z]/}"
}

fcgi_feed() {
	local f=$1 n r s=$1/src
	mkdir -p "$s/lists/mail" "$s/lists/digest" "$s/plain/mail" "$s/plain/digest" || return 1
	printf 'alice@example.org\tAlice Adams\nbob@example.org\tBob\ncarol@example.org\n' \
		>"$s/plain/deelnemers.sympa"
	printf 'alice@example.org\tAlice Adams\ncarol@example.org\n' >"$s/plain/mail/deelnemers.sympa"
	printf 'bob@example.org\tBob\n' >"$s/plain/digest/deelnemers.sympa"
	for n in deelnemers.sympa deelnemers.csv bestuur.csv bestuur.sympa bestuur.plaintext; do
		_lf_fcgi_asc "$n" >"$s/lists/$n.asc"
	done
	for r in mail digest; do
		_lf_fcgi_asc "$r" >"$s/lists/$r/deelnemers.sympa.asc"
	done
	chmod 0640 "$s"/plain/*.sympa "$s"/plain/*/*.sympa
	fcgi_manifest "$f" 1 1
	cat >"$f/run.json" <<-EOF
		{"started_ms": $((EPOCHSECONDS * 1000)), "finished_ms": $((EPOCHSECONDS * 1000 + 1000)), "exit": 0,
		 "result": "ok", "message": "<script>alert(1)</script> & co", "generation": 1}
	EOF
}

fcgi_manifest() {
	local f=$1 now=$((EPOCHSECONDS * 1000))
	cat >"$f/.tmp-summary" <<-EOF
		{"version": 1, "generation": $2,
		 "started_at": "2026-11-25T20:00:00Z", "started_ms": $now,
		 "generated_at": "2026-11-25T20:00:01Z", "generated_ms": $((now + 1000)),
		 "result": "ok", "held": [], "rejects": {},
		 "lists": {
		  "bestuur": {"count": 2, "reception": {"mail": 2, "digest": 0},
		    "added": 2, "removed": 0, "changed": 1, "changed_at": "2026-11-25T20:00:01Z",
		    "keys": "k",
		    "files": {"csv": {"path": "lists/bestuur.csv.asc", "sha256": "00"},
		              "sympa": {"path": "lists/bestuur.sympa.asc", "sha256": "00"},
		              "plaintext": {"path": "lists/bestuur.plaintext.asc", "sha256": "00"}}},
		  "deelnemers": {"count": 3, "reception": {"mail": 2, "digest": 1},
		    "added": 1, "removed": 2, "changed": $3, "changed_at": "2026-11-25T20:00:01Z",
		    "keys": "k",
		    "files": {"plain": {"path": "plain/deelnemers.sympa", "sha256": "00"},
		              "plain-mail": {"path": "plain/mail/deelnemers.sympa", "sha256": "00"},
		              "plain-digest": {"path": "plain/digest/deelnemers.sympa", "sha256": "00"},
		              "csv": {"path": "lists/deelnemers.csv.asc", "sha256": "00"},
		              "sympa": {"path": "lists/deelnemers.sympa.asc", "sha256": "00"},
		              "sympa-mail": {"path": "lists/mail/deelnemers.sympa.asc", "sha256": "00"},
		              "sympa-digest": {"path": "lists/digest/deelnemers.sympa.asc", "sha256": "00"}}}}}
	EOF
	python3 "$TOP/tests/tools/feedtool.py" publish "$f" "$f/.tmp-summary" &&
		rm "$f/.tmp-summary"
}

fcgi_conf() {
	local conf=$1
	cat >"$conf.tmp" <<-EOF
		[feed]
		dir = $2
		accel_prefix = /_feed/
		trigger_socket = $3
		templates = $TOP/templates

		[fcgi]
		socket = $(dirname "$conf")/unused.sock
		threads = 4

		[client sympa]
		fingerprint = $FP_SYMPA
		lists = deelnemers ${4:-}
		plain = yes

		[client crm]
		fingerprint = $FP_CRM
		lists = *
		trigger = yes

		[client admin]
		fingerprint = $FP_ADMIN
		lists = *
		plain = no
	EOF
	mv "$conf.tmp" "$conf"
}

# _lf_fcgi_vars DIR NAME: the variables of the header for the site NAME
# whose feed, configuration and site files are in DIR.
# The fingerprints are kept in the world: openssl for each script is slow.
_lf_fcgi_vars() {
	local c
	if [ ! -s "$W/fcgi-fps" ]; then
		for c in sympa crm admin; do
			pki_fingerprint "$W/pki/client-$c.pem" || return 1
		done >"$W/fcgi-fps.$$" && mv "$W/fcgi-fps.$$" "$W/fcgi-fps" || return 1
	fi
	{ read -r FP_SYMPA && read -r FP_CRM && read -r FP_ADMIN; } <"$W/fcgi-fps" || return 1
	F=$1/feed
	CONF=$1/listfeed.conf
	TRIG=$1/trigger.sock
	SOCK=$W/fcgi-$2/sock
	LOG=$W/log/fcgi-$2.log
	SITE=$1/site.real.conf
}

# _lf_fcgi_make DIR NAME: feed, configuration and both site files in DIR.
_lf_fcgi_make() {
	local port
	_lf_fcgi_vars "$1" "$2" || return 1
	port=$(free_port) || return 1
	echo "$port" >"$1/port"
	fcgi_feed "$F" && fcgi_conf "$CONF" "$F" "$TRIG" || return 1
	site_conf "$port" "$SOCK" "$F" >"$SITE" || return 1
	sed -e 's/rate=[0-9]*r\/s/rate=1000r\/s/' -e 's/burst=[0-9]*/burst=1000/' \
		"$SITE" >"$1/site.conf"
}

_lf_fcgi_url() {
	read -r PORT <"$1/port" || return 1
	URL=https://localhost:$PORT
}

fcgi_world() {
	local d=$W/fcgi-t40
	need_fcgi_nginx
	if [ ! -f "$d/.done" ]; then
		_lf_lock fcgi-t40 || return 1
		if [ ! -f "$d/.done" ]; then
			mkdir -p "$d" && _lf_fcgi_make "$d" t40 && touch "$d/.done" ||
				{ _lf_unlock fcgi-t40; return 1; }
		fi
		_lf_unlock fcgi-t40
	fi
	_lf_fcgi_vars "$d" t40
}

# The servers start in a subshell: they are not this script's (common.sh
# stops a script's own servers at its exit), so they serve the next one.
fcgi_site_shared() {
	local d=$W/fcgi-t40 rc=0
	fcgi_world && _lf_fcgi_url "$d" || return 1
	bg_alive fcgi-t40 && bg_alive nginx-t40 && return 0
	_lf_lock fcgi-t40 || return 1
	bg_alive fcgi-t40 || (fcgi_start "$CONF" "$SOCK" t40) || rc=1
	[ "$rc" = 1 ] || bg_alive nginx-t40 || (nginx_start "$d/site.conf" t40) || rc=1
	_lf_unlock fcgi-t40
	return "$rc"
}

fcgi_site_shared_stop() {
	bg_stop nginx-t40
	bg_stop fcgi-t40
}

fcgi_site_done() {
	if [ "$_LF_OWN_WORLD" = 1 ]; then
		fcgi_site_shared_stop
	elif _lf_has_san "$LOG"; then
		not_ok "fcgi-t40: no sanitizer report in its log" "log: $LOG"
	fi
}

fcgi_site_own() {
	local name=$1
	need_fcgi_nginx
	_lf_fcgi_make "$T" "$name" || return 1
	_lf_fcgi_url "$T" || return 1
	fcgi_start "$CONF" "$SOCK" "$name" || return 1
	nginx_start "$T/site.conf" "$name"
}

req() {
	site_req "$1" "$2" --path-as-is "${@:3}"
}

hdr() {
	tr -d '\r' <"$T/hdr" | awk -v n="$(printf '%s' "$1" | tr 'A-Z' 'a-z')" \
		'BEGIN{FS=": "} tolower($1)==n {v=substr($0, length($1)+3)} END{print v}'
}
