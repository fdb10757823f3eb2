# shellcheck shell=bash
# Starts a throwaway 389 Directory Server (Debian's 389-ds-base) on free
# loopback ports with ldaps and StartTLS, seeded with the same people and
# groups as slapd (fixtures/directory.ldif, fixtures/groups.ldif) and a
# global password policy equivalent to slapd's ppolicy (min length 8,
# history 3, lockout after 3 failures until an administrator unlocks,
# passwords expire after 90 days) with user policies of 10 days (spare3)
# and without expiry (spare1). Seeded before the policy, the fixture's
# passwords carry no passwordExpirationTime until a change or first bind.
# Sourced by scripts/test; uses lib.sh and tls.sh.
#
# dscreate normally installs into /etc, /var and /run; here every path is
# under the run's temporary directory: lib389 reads its default paths from
# $PREFIX/share/dirsrv/inf/defaults.inf, so a copy with rewritten paths and
# PREFIX=DIR keep the instance (and its lookups) inside DIR.

DS389_BASE="dc=example,dc=test"
DS389_ROOTDN="cn=Directory Manager"
# Directory Manager bypasses the password policy: tests use the service
# account, like every other directory.
DS389_ROOTPW="Admin-Passw0rd.1"
DS389_SVC_DN="cn=resetbot,ou=Services,$DS389_BASE"
DS389_SVC_PW="Svc-Passw0rd.1"
DS389_INSTANCE="resetbot"

ds389_svc_whoami() {
	LDAPTLS_CACERT="$2" ldapwhoami -x -H "$1" -D "$DS389_SVC_DN" -w "$DS389_SVC_PW"
}

# ds389_fixture FIXTURES: the slapd fixture in 389-ds terms: no ppolicy
# entries (the policy lives in cn=config), and an administrative lock is
# nsAccountLock instead of ppolicy's pwdAccountLockedTime 000001010000Z.
ds389_fixture() {
	awk '
		/^dn: / { skip = ($0 ~ /ou=Policies,/) }
		skip { next }
		/^pwdAccountLockedTime: 000001010000Z$/ { print "nsAccountLock: true"; next }
		{ print }
	' "$1/directory.ldif"
}

# ds389_setup: what the service account may do, and the password policy.
ds389_setup() {
	cat <<LDIF
dn: $DS389_BASE
changetype: modify
add: aci
aci: (targetattr="* || nsUniqueId || nsAccountLock || accountUnlockTime || passwordRetryCount || pwdUpdateTime || memberOf")(version 3.0; acl "resetbot service account reads"; allow (read, search, compare) userdn="ldap:///$DS389_SVC_DN";)
-
add: aci
aci: (target="ldap:///ou=People,$DS389_BASE")(targetattr="userPassword || accountUnlockTime || passwordRetryCount || retryCountResetTime")(version 3.0; acl "resetbot service account resets and unlocks people"; allow (write) userdn="ldap:///$DS389_SVC_DN";)
-
add: aci
aci: (targetattr="userPassword")(version 3.0; acl "people change their own password"; allow (write) userdn="ldap:///self";)

dn: cn=config
changetype: modify
replace: passwordCheckSyntax
passwordCheckSyntax: on
-
replace: passwordMinLength
passwordMinLength: 8
-
replace: passwordMinCategories
passwordMinCategories: 1
-
replace: passwordHistory
passwordHistory: on
-
replace: passwordInHistory
passwordInHistory: 3
-
replace: passwordLockout
passwordLockout: on
-
replace: passwordMaxFailure
passwordMaxFailure: 3
-
replace: passwordUnlock
passwordUnlock: off
-
replace: passwordTrackUpdateTime
passwordTrackUpdateTime: on
-
replace: passwordExp
passwordExp: on
-
replace: passwordMaxAge
passwordMaxAge: 7776000
-
replace: nsslapd-pwpolicy-local
nsslapd-pwpolicy-local: on
-
add: aci
aci: (targetattr="objectClass || cn || passwordCheckSyntax || passwordMinLength || passwordMinCategories || passwordHistory || passwordInHistory || passwordLockout || passwordMaxFailure || passwordUnlock || passwordMaxAge || passwordExp")(version 3.0; acl "resetbot reads the password policy"; allow (read, search, compare) userdn="ldap:///$DS389_SVC_DN";)

dn: cn=nsPwPolicyContainer,ou=People,$DS389_BASE
changetype: add
objectClass: top
objectClass: nsContainer
cn: nsPwPolicyContainer
LDIF
	# spare3's policy of its own expires passwords after 10 days (Samba's
	# PSO has the same age); spare1's never expires them. A user policy
	# replaces the global one entirely, so it repeats the rest.
	ds389_user_policy spare3 short "passwordExp: on
passwordMaxAge: 864000"
	ds389_user_policy spare1 never "passwordExp: off"
}

# ds389_user_policy USER NAME SETTINGS: a password policy of USER's own
# (what dsconf localpwp adduser makes): the global rules plus SETTINGS.
ds389_user_policy() {
	local policy="cn=$2,cn=nsPwPolicyContainer,ou=People,$DS389_BASE"
	cat <<LDIF

dn: $policy
changetype: add
objectClass: top
objectClass: ldapsubentry
objectClass: passwordpolicy
cn: $2
passwordCheckSyntax: on
passwordMinLength: 8
passwordMinCategories: 1
passwordHistory: on
passwordInHistory: 3
passwordLockout: on
passwordMaxFailure: 3
passwordUnlock: off
passwordTrackUpdateTime: on
$3

dn: uid=$1,ou=People,$DS389_BASE
changetype: modify
replace: pwdpolicysubentry
pwdpolicysubentry: $policy
LDIF
}

# start_389ds DIR FIXTURES: on success exports RESETBOT_TEST_389DS_URL
# (StartTLS), RESETBOT_TEST_389DS_LDAPS_URL and RESETBOT_TEST_389DS_CA.
start_389ds() {
	local dir="$1" fixtures="$2" start port sport pid url surl conf
	start="$(now)"
	if ! command -v dscreate >/dev/null 2>&1 && [[ ! -x /usr/sbin/dscreate ]]; then
		server_failed 389ds "dscreate not installed (package 389-ds-base)"
		return 0
	fi
	if ! free_port; then
		server_failed 389ds "no free port"
		return 0
	fi
	port=$FREE_PORT
	if ! free_port; then
		server_failed 389ds "no free port"
		return 0
	fi
	sport=$FREE_PORT
	mkdir -p "$dir/share/dirsrv/inf" "$dir/etc/dirsrv"
	sed -e "s#= /etc#= $dir/etc#; s#= /var#= $dir/var#; s#= /run#= $dir/run#" \
		-e "s#= /dev/shm#= $dir/shm#; s#^with_systemd = 1#with_systemd = 0#" \
		/usr/share/dirsrv/inf/defaults.inf >"$dir/share/dirsrv/inf/defaults.inf"
	cp -r /etc/dirsrv/schema /etc/dirsrv/config "$dir/etc/dirsrv/"
	cat >"$dir/ds.inf" <<INF
[general]
config_version = 2
full_machine_name = localhost
selinux = False
systemd = False
start = False
strict_host_checking = False
[slapd]
instance_name = $DS389_INSTANCE
user = root
group = root
port = $port
secure_port = $sport
root_password = $DS389_ROOTPW
self_sign_cert = True
[backend-userroot]
suffix = $DS389_BASE
INF
	if ! PREFIX="$dir" dscreate from-file "$dir/ds.inf" >"$dir/dscreate.log" 2>&1; then
		show_log "$dir/dscreate.log"
		server_failed 389ds "dscreate failed (log: $dir/dscreate.log)"
		return 0
	fi
	conf="$dir/etc/dirsrv/slapd-$DS389_INSTANCE"
	# dscreate's self-signed certificate names only DNS:localhost; like the
	# other servers, 389-ds gets the harness's own CA and an IP SAN.
	if ! make_tls "$dir/tls" 389ds "IP:127.0.0.1,DNS:localhost" ||
		! PREFIX="$dir" dsctl "$DS389_INSTANCE" tls import-ca "$dir/tls/ca.pem" resetbot-test-ca >"$dir/tls.log" 2>&1 ||
		! PREFIX="$dir" dsctl "$DS389_INSTANCE" tls import-server-key-cert "$dir/tls/cert.pem" "$dir/tls/key.pem" >>"$dir/tls.log" 2>&1; then
		show_log "$dir/tls.log"
		server_failed 389ds "could not install the TLS certificate (log: $dir/tls.log)"
		return 0
	fi
	# -d 0 keeps ns-slapd in the foreground, so $! is the server itself.
	/usr/sbin/ns-slapd -D "$conf" -i "$dir/ns-slapd.pid" -d 0 </dev/null >"$dir/ns-slapd.log" 2>&1 &
	pid=$!
	track "$pid"
	url="ldap://127.0.0.1:$port"
	surl="ldaps://127.0.0.1:$sport"
	root_bind() { LDAPTLS_CACERT="$dir/tls/ca.pem" ldapwhoami -x -H "$1" -D "$DS389_ROOTDN" -w "$DS389_ROOTPW"; }
	if ! wait_for 30 "$pid" ns-slapd root_bind "$surl"; then
		show_log "$dir/ns-slapd.log"
		server_failed 389ds "ns-slapd did not answer (log: $dir/ns-slapd.log)"
		return 0
	fi
	if ! { ds389_fixture "$fixtures" | LDAPTLS_CACERT="$dir/tls/ca.pem" ldapadd -x -H "$surl" -D "$DS389_ROOTDN" -w "$DS389_ROOTPW" &&
		LDAPTLS_CACERT="$dir/tls/ca.pem" ldapadd -x -H "$surl" -D "$DS389_ROOTDN" -w "$DS389_ROOTPW" -f "$fixtures/groups.ldif" &&
		ds389_setup | LDAPTLS_CACERT="$dir/tls/ca.pem" ldapmodify -x -H "$surl" -D "$DS389_ROOTDN" -w "$DS389_ROOTPW"; } >"$dir/seed.log" 2>&1; then
		show_log "$dir/seed.log"
		server_failed 389ds "seeding failed (log: $dir/seed.log)"
		return 0
	fi
	if ! ds389_svc_whoami "$surl" "$dir/tls/ca.pem" >"$dir/tls-check.log" 2>&1 ||
		! LDAPTLS_CACERT="$dir/tls/ca.pem" ldapwhoami -x -ZZ -H "$url" -D "$DS389_SVC_DN" -w "$DS389_SVC_PW" >>"$dir/tls-check.log" 2>&1; then
		show_log "$dir/tls-check.log"
		server_failed 389ds "service account bind over ldaps/StartTLS failed"
		return 0
	fi
	export RESETBOT_TEST_389DS_URL="$url"
	export RESETBOT_TEST_389DS_LDAPS_URL="$surl"
	export RESETBOT_TEST_389DS_CA="$dir/tls/ca.pem"
	server_ok 389ds "$url (StartTLS) $surl (pid $pid)" "$start"
}
