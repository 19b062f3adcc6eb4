# shellcheck shell=bash
# tests/lib/pki.sh: a throwaway PKI made with openssl, and curl with it (sourced by common.sh; see its header).


_lf_pki_key() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null &&
		chmod 0600 "$1"
}

# _lf_pki_ca DIR BASE SUBJECT
_lf_pki_ca() {
	local d=$1 b=$2 subj=$3
	_lf_pki_key "$d/$b.key" &&
		openssl req -x509 -new -key "$d/$b.key" -sha256 -days 30 -subj "$subj" \
			-addext 'basicConstraints=critical,CA:TRUE' \
			-addext 'keyUsage=critical,keyCertSign,cRLSign' \
			-addext 'subjectKeyIdentifier=hash' \
			-out "$d/$b.pem" 2>/dev/null
}

# _lf_pki_leaf DIR CA-BASE OUT-BASE SUBJECT server|client
_lf_pki_leaf() {
	local d=$1 ca=$2 out=$3 subj=$4 kind=$5 ext=$1/$3.ext
	{
		echo 'basicConstraints=critical,CA:FALSE'
		echo 'subjectKeyIdentifier=hash'
		echo 'authorityKeyIdentifier=keyid'
		if [ "$kind" = server ]; then
			echo 'keyUsage=critical,digitalSignature,keyEncipherment'
			echo 'extendedKeyUsage=serverAuth'
			echo 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1'
		else
			echo 'keyUsage=critical,digitalSignature'
			echo 'extendedKeyUsage=clientAuth'
		fi
	} >"$ext"
	_lf_pki_key "$d/$out.key" &&
		openssl req -new -key "$d/$out.key" -subj "$subj" -out "$d/$out.csr" 2>/dev/null &&
		openssl x509 -req -in "$d/$out.csr" -CA "$d/$ca.pem" -CAkey "$d/$ca.key" \
			-set_serial "0x$(openssl rand -hex 12)" -days 30 -sha256 \
			-extfile "$ext" -out "$d/$out.pem" 2>/dev/null &&
		rm -f "$d/$out.csr" "$ext"
}

# pki_setup: $W/pki (see tests/README.md). EC P-256 keys, 30 days.
pki_setup() {
	local d=$W/pki
	[ -f "$d/.done" ] && return 0
	_lf_lock pki || return 1
	if [ ! -f "$d/.done" ]; then
		rm -rf "$d"
		mkdir -m 0700 "$d" &&
			_lf_pki_ca "$d" ca '/O=listfeed tests/CN=listfeed test CA' &&
			_lf_pki_leaf "$d" ca server '/O=listfeed tests/CN=localhost' server &&
			_lf_pki_leaf "$d" ca client-sympa '/O=Provider/CN=sympa.example.net' client &&
			_lf_pki_leaf "$d" ca client-crm '/O=Makerspace/CN=crm.example.org' client &&
			_lf_pki_leaf "$d" ca client-admin '/O=Makerspace/CN=admin.example.org' client &&
			_lf_pki_leaf "$d" ca client-unknown '/O=Nobody/CN=unknown.example.com' client &&
			_lf_pki_ca "$d" foreign-ca '/O=Elsewhere/CN=foreign test CA' &&
			_lf_pki_leaf "$d" foreign-ca client-foreign '/O=Provider/CN=sympa.example.net' client &&
			_lf_pki_leaf "$d" foreign-ca foreign-server '/O=Elsewhere/CN=localhost' server &&
			touch "$d/.done"
		if [ ! -f "$d/.done" ]; then
			_lf_unlock pki
			echo "common.sh: pki_setup failed" >&2
			return 1
		fi
	fi
	_lf_unlock pki
}

# SHA-1 fingerprint as nginx's $ssl_client_fingerprint: lower-case hex.
pki_fingerprint() {
	openssl x509 -noout -fingerprint -sha1 -in "$1" | sed 's/^[^=]*=//' | tr -d ':' | tr 'A-F' 'a-f'
}

# Subject in RFC 2253 form, as nginx's $ssl_client_s_dn.
pki_subject() {
	openssl x509 -noout -subject -nameopt RFC2253 -in "$1" | sed 's/^subject=//'
}

# pki_curl CLIENT ARGS...: curl trusting the test CA, presenting
# client-CLIENT.pem (CLIENT "none": no certificate). No proxy.
pki_curl() {
	local c=$1
	shift
	if [ "$c" = none ]; then
		curl -sS --noproxy '*' --cacert "$W/pki/ca.pem" "$@"
	else
		curl -sS --noproxy '*' --cacert "$W/pki/ca.pem" \
			--cert "$W/pki/client-$c.pem" --key "$W/pki/client-$c.key" "$@"
	fi
}

