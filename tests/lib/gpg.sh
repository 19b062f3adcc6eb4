# shellcheck shell=bash
# tests/lib/gpg.sh: throwaway OpenPGP keys in a temp GNUPGHOME (sourced by common.sh; see its header).


_lf_gpg() {
	local home=$1
	shift
	gpg --homedir "$home" --batch --no-tty --pinentry-mode loopback --passphrase '' "$@"
}

_lf_gpg_fpr() {
	gpg --homedir "$1" --batch --no-tty --with-colons --list-secret-keys 2>/dev/null |
		awk -F: '$1 == "fpr" { print $10; exit }'
}

# gpg_setup: feed, provider and admin keys (see tests/README.md).
gpg_setup() {
	local g=$W/gnupg p=$W/gnupg-provider a=$W/gnupg-admin x=$W/gnupg-pub h
	local log=$W/log/gpg.log
	_lf_lock gpg || return 1
	if [ ! -f "$g/.done" ]; then
		rm -rf "$g" "$p" "$a" "$x"
		for h in "$g" "$p" "$a"; do
			mkdir -m 0700 "$h" || { _lf_unlock gpg; return 1; }
			grep -qxF "$h" "$W/gnupg-homes" 2>/dev/null || echo "$h" >>"$W/gnupg-homes"
		done
		mkdir -p "$x"
		if _lf_gpg "$g" --quick-gen-key 'listfeed feed <feed@example.org>' ed25519 sign 1y &&
			_lf_gpg "$p" --quick-gen-key 'List provider <lists@provider.example.net>' future-default default 1y &&
			_lf_gpg "$a" --quick-gen-key 'List admin <admin@example.org>' future-default default 1y &&
			FEED_FPR=$(_lf_gpg_fpr "$g") && PROVIDER_FPR=$(_lf_gpg_fpr "$p") && ADMIN_FPR=$(_lf_gpg_fpr "$a") &&
			[ ${#FEED_FPR} = 40 ] && [ ${#PROVIDER_FPR} = 40 ] && [ ${#ADMIN_FPR} = 40 ] &&
			_lf_gpg "$g" --armor --export "$FEED_FPR" >"$x/feed.asc" &&
			_lf_gpg "$p" --armor --export "$PROVIDER_FPR" >"$x/provider.asc" &&
			_lf_gpg "$a" --armor --export "$ADMIN_FPR" >"$x/admin.asc" &&
			_lf_gpg "$g" --import "$x/provider.asc" "$x/admin.asc" &&
			_lf_gpg "$p" --import "$x/feed.asc" &&
			_lf_gpg "$a" --import "$x/feed.asc"; then
			printf 'FEED_FPR=%s\nPROVIDER_FPR=%s\nADMIN_FPR=%s\n' \
				"$FEED_FPR" "$PROVIDER_FPR" "$ADMIN_FPR" >"$g/fpr.env"
			touch "$g/.done"
		fi </dev/null >>"$log" 2>&1
		if [ ! -f "$g/.done" ]; then
			_lf_unlock gpg
			echo "common.sh: gpg_setup failed, see $log" >&2
			tail -n 20 "$log" >&2
			return 1
		fi
	fi
	_lf_unlock gpg
	# shellcheck disable=SC1091
	. "$g/fpr.env"
	export FEED_FPR PROVIDER_FPR ADMIN_FPR
}


# gpg_starts TRACE [PATTERN]: how many gpg processes a run traced by
# execs_traced TRACE started (with PATTERN in their arguments: grep -F).
gpg_starts() {
	grep 'execve("[^"]*/gpg",' "$1" | grep -cF -- "${2:-execve}"
}

# gpg_expiry HOME FPR: the signing key's expiry as gpg lists it (0: never).
gpg_expiry() {
	gpg --homedir "$1" --batch --with-colons --list-secret-keys "$2" 2>/dev/null |
		awk -F: '$1 == "sec" { print ($7 == "" ? 0 : $7); exit }'
}

# gpg_home_copy FROM TO: a copy of the GNUPGHOME FROM that a test may
# change; its agent is stopped with the world's.
gpg_home_copy() {
	cp -a "$1" "$2" && rm -f "$2"/S.* && echo "$2" >>"$W/gnupg-homes"
}
