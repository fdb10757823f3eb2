#!/bin/sh
# Starts the compose trial's OpenLDAP. On first start (an empty data
# directory) it makes a CA and a server certificate for the host name
# "openldap" in $CERT_DIR (shared with resetbot, which trusts ca.pem),
# writes slapd.conf and loads seed.ldif with every person's password set to
# $TRIAL_USER_PASSWORD and the service account's to $LDAP_SERVICE_PASSWORD.
# Paths and the listen URL are variables so the same script runs in tests.
set -eu

DATA_DIR="${DATA_DIR:-/var/lib/ldap}"
CERT_DIR="${CERT_DIR:-/certs}"
CONF="${CONF:-/etc/ldap/slapd.conf}"
SEED="${SEED:-/usr/local/share/trial-openldap/seed.ldif}"
LISTEN="${LISTEN:-ldap:///}"
HOSTNAME_SAN="${HOSTNAME_SAN:-DNS:openldap}"
MAIL_DOMAIN="${TRIAL_MAIL_DOMAIN:-example.com}"
: "${TRIAL_USER_PASSWORD:?set TRIAL_USER_PASSWORD}"
: "${LDAP_SERVICE_PASSWORD:?set LDAP_SERVICE_PASSWORD}"
BASE="dc=example,dc=com"
SVC_DN="cn=resetbot,ou=Services,$BASE"

if [ ! -s "$CERT_DIR/cert.pem" ]; then
	mkdir -p "$CERT_DIR"
	openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=resetbot trial CA" \
		-keyout "$CERT_DIR/ca.key" -out "$CERT_DIR/ca.pem" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj "/CN=openldap" \
		-keyout "$CERT_DIR/key.pem" -out "$CERT_DIR/cert.csr" 2>/dev/null
	printf 'subjectAltName=%s\n' "$HOSTNAME_SAN" >"$CERT_DIR/san.ext"
	openssl x509 -req -in "$CERT_DIR/cert.csr" -CA "$CERT_DIR/ca.pem" -CAkey "$CERT_DIR/ca.key" \
		-CAcreateserial -days 825 -extfile "$CERT_DIR/san.ext" -out "$CERT_DIR/cert.pem" 2>/dev/null
	rm -f "$CERT_DIR/cert.csr" "$CERT_DIR/san.ext" "$CERT_DIR/ca.key"
	chmod 0644 "$CERT_DIR/ca.pem" "$CERT_DIR/cert.pem"
	chmod 0600 "$CERT_DIR/key.pem"
fi

cat >"$CONF" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy
TLSCACertificateFile $CERT_DIR/ca.pem
TLSCertificateFile $CERT_DIR/cert.pem
TLSCertificateKeyFile $CERT_DIR/key.pem
password-hash {SSHA}
database mdb
maxsize 67108864
suffix "$BASE"
directory $DATA_DIR
index objectClass eq
index uid,mail,member eq
index entryUUID eq
overlay ppolicy
ppolicy_default "cn=default,ou=Policies,$BASE"
ppolicy_hash_cleartext
ppolicy_use_lockout
# Plain LDAP binds are refused before StartTLS (resetbot always starts TLS).
security simple_bind=128
access to dn.subtree="ou=People,$BASE" attrs=userPassword
	by dn.exact="$SVC_DN" =w
	by self write
	by anonymous auth
	by * none
access to attrs=userPassword
	by self write
	by anonymous auth
	by * none
access to dn.subtree="ou=People,$BASE" attrs=pwdAccountLockedTime,pwdFailureTime
	by dn.exact="$SVC_DN" manage
	by users read
	by * none
access to *
	by dn.exact="$SVC_DN" read
	by users read
	by * none
CONF

mkdir -p "$DATA_DIR"
if [ ! -s "$DATA_DIR/data.mdb" ]; then
	user_hash="$(slappasswd -h '{SSHA}' -s "$TRIAL_USER_PASSWORD")"
	svc_hash="$(slappasswd -h '{SSHA}' -s "$LDAP_SERVICE_PASSWORD")"
	sed -e "s|@USER_PASSWORD@|$user_hash|" -e "s|@SERVICE_PASSWORD@|$svc_hash|" \
		-e "s|@MAIL_DOMAIN@|$MAIL_DOMAIN|" "$SEED" | slapadd -q -f "$CONF"
fi

exec slapd -f "$CONF" -h "$LISTEN" -d 0
