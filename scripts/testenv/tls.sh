# shellcheck shell=bash
# Creates a throwaway certificate authority and a server certificate signed by
# it, for one test run. Sourced by scripts/test.
#
# Go's TLS stack (and libldap) verifies the IP or DNS name the client dialled
# against the certificate's subjectAltName, so each server gets a certificate
# with the exact names the tests use. EC P-256 keys keep generation instant.

# make_tls DIR NAME SAN writes DIR/ca.pem, DIR/cert.pem and DIR/key.pem (mode
# 0600). SAN is an openssl subjectAltName value, e.g. "IP:127.0.0.1".
make_tls() {
	local dir="$1" name="$2" san="$3"
	mkdir -p "$dir"
	(
		# Keys are created private from the start, not chmod'ed afterwards.
		umask 077
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout "$dir/ca.key" -out "$dir/ca.pem" -days 2 \
			-subj "/O=resetbot tests/CN=$name test CA" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign"
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout "$dir/key.pem" -out "$dir/cert.csr" \
			-subj "/O=resetbot tests/CN=$name"
		printf '%s\n' \
			"subjectAltName=$san" \
			"basicConstraints=critical,CA:FALSE" \
			"keyUsage=critical,digitalSignature,keyEncipherment" \
			"extendedKeyUsage=serverAuth" \
			"subjectKeyIdentifier=hash" \
			"authorityKeyIdentifier=keyid" >"$dir/cert.ext"
		openssl x509 -req -in "$dir/cert.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
			-CAcreateserial -days 2 -extfile "$dir/cert.ext" -out "$dir/cert.pem"
	) >"$dir/openssl.log" 2>&1 || {
		show_log "$dir/openssl.log"
		return 1
	}
	chmod 0644 "$dir/ca.pem" "$dir/cert.pem"
}
