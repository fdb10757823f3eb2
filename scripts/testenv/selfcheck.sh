# shellcheck shell=bash
# A by-hand check of the seeded directories, run by scripts/test when
# RESETBOT_TESTENV_SELFCHECK=1, after the servers started and before the
# tests. It does what the bot does, as the service account, with the LDAP
# command-line tools: read the facts policy needs, reset spare3's password
# and bind with it, unlock a locked-out user. Everything it changes is put
# back, so the tests still see the fixture as documented.

check() {
	local what="$1"
	shift
	if "$@" >"$WORKDIR/selfcheck.out" 2>&1; then
		log "selfcheck ok:   $what"
	else
		show_log "$WORKDIR/selfcheck.out"
		die "selfcheck FAIL: $what"
	fi
}
check_not() {
	local what="$1"
	shift
	if "$@" >"$WORKDIR/selfcheck.out" 2>&1; then
		show_log "$WORKDIR/selfcheck.out"
		die "selfcheck FAIL: $what"
	fi
	log "selfcheck ok:   $what"
}

# grep_out PATTERN CMD... runs CMD and requires PATTERN in its output.
grep_out() {
	local pattern="$1" out
	shift
	out="$("$@" 2>&1)" || {
		printf '%s\n' "$out"
		return 1
	}
	printf '%s\n' "$out"
	grep -Eq "$pattern" <<<"$out"
}

# ---- OpenLDAP -------------------------------------------------------------
sl_search() {
	LDAPTLS_CACERT="$RESETBOT_TEST_SLAPD_CA" ldapsearch -LLL -o ldif-wrap=no -x -ZZ \
		-H "$RESETBOT_TEST_SLAPD_URL" -D "$SLAPD_SVC_DN" -w "$SLAPD_SVC_PW" -b "$SLAPD_BASE" "$@"
}
sl_bind() {
	LDAPTLS_CACERT="$RESETBOT_TEST_SLAPD_CA" ldapwhoami -x -H "$RESETBOT_TEST_SLAPD_LDAPS_URL" \
		-D "uid=$1,ou=People,$SLAPD_BASE" -w "$2"
}
sl_reset() { # as the service account, with the Password Modify extended op
	LDAPTLS_CACERT="$RESETBOT_TEST_SLAPD_CA" ldappasswd -x -ZZ -H "$RESETBOT_TEST_SLAPD_URL" \
		-D "$SLAPD_SVC_DN" -w "$SLAPD_SVC_PW" -s "$2" "uid=$1,ou=People,$SLAPD_BASE"
}
sl_unlock() {
	printf 'dn: uid=%s,ou=People,%s\nchangetype: modify\ndelete: pwdAccountLockedTime\n' "$1" "$SLAPD_BASE" |
		LDAPTLS_CACERT="$RESETBOT_TEST_SLAPD_CA" ldapmodify -x -ZZ -H "$RESETBOT_TEST_SLAPD_URL" \
			-D "$SLAPD_SVC_DN" -w "$SLAPD_SVC_PW"
}
sl_lock_out() { # three bad binds trip pwdMaxFailure
	local _
	for _ in 1 2 3; do sl_bind "$1" wrong-password >/dev/null 2>&1 || true; done
	sl_search "(uid=$1)" pwdAccountLockedTime | grep -q '^pwdAccountLockedTime:'
}
sl_restore() { # the rootdn bypasses ppolicy's history check
	ldappasswd -x -H "$RESETBOT_TEST_SLAPD_URL" -D "$SLAPD_ROOTDN" -w "$SLAPD_ROOTPW" \
		-s "$2" "uid=$1,ou=People,$SLAPD_BASE"
}

selfcheck_slapd() {
	[[ -n "${RESETBOT_TEST_SLAPD_URL:-}" ]] || return 0
	check "slapd: svc reads entryUUID, memberOf, chat id" \
		grep_out '^memberOf: cn=infra-team' sl_search '(uid=alice)' entryUUID memberOf employeeNumber
	check "slapd: bob is locked (disabled)" \
		grep_out '^pwdAccountLockedTime: 000001010000Z' sl_search '(uid=bob)' pwdAccountLockedTime
	check "slapd: svc resets spare3" sl_reset spare3 'Selfcheck-Passw0rd.9'
	check "slapd: spare3 binds with the new password" sl_bind spare3 'Selfcheck-Passw0rd.9'
	check_not "slapd: spare3's old password is refused" sl_bind spare3 'Start-Passw0rd.1'
	check_not "slapd: ppolicy refuses a short password" sl_reset spare3 'Sh0rt.'
	check "slapd: three bad binds lock spare2 out" sl_lock_out spare2
	check_not "slapd: locked spare2 cannot bind" sl_bind spare2 'Start-Passw0rd.1'
	check "slapd: svc unlocks spare2" sl_unlock spare2
	check "slapd: spare2 binds again" sl_bind spare2 'Start-Passw0rd.1'
	check "slapd: spare3's password restored" sl_restore spare3 'Start-Passw0rd.1'
}

# ---- Samba AD ---------------------------------------------------------------
ad_search() {
	LDAPTLS_CACERT="$RESETBOT_TEST_SAMBA_CA" ldapsearch -LLL -o ldif-wrap=no -x \
		-H "$RESETBOT_TEST_SAMBA_URL" -D "$SAMBA_SVC_USER@example.test" -w "$SAMBA_SVC_PW" \
		-b "$SAMBA_BASE" "$@"
}
ad_bind() {
	LDAPTLS_CACERT="$RESETBOT_TEST_SAMBA_CA" ldapsearch -x -H "$RESETBOT_TEST_SAMBA_URL" \
		-D "$1@example.test" -w "$2" -b "$SAMBA_BASE" -s base dn
}
ad_modify() { # DN LDIF-BODY, as the service account over StartTLS
	printf 'dn: %s\nchangetype: modify\n%s\n' "$1" "$2" |
		LDAPTLS_CACERT="$RESETBOT_TEST_SAMBA_CA" ldapmodify -x -ZZ \
			-H "$RESETBOT_TEST_SAMBA_STARTTLS_URL" \
			-D "$SAMBA_SVC_USER@example.test" -w "$SAMBA_SVC_PW"
}
ad_reset() { # DN PASSWORD: replace unicodePwd with the quoted UTF-16LE password
	local pw
	pw="$(printf '"%s"' "$2" | iconv -f UTF-8 -t UTF-16LE | base64 -w0)"
	ad_modify "$1" "replace: unicodePwd
unicodePwd:: $pw"
}
ad_lock_out() {
	local _
	for _ in 1 2 3; do ad_bind "$1" wrong-password >/dev/null 2>&1 || true; done
	ad_search "(sAMAccountName=$1)" lockoutTime | grep -Eq '^lockoutTime: [1-9]'
}
ad_not_admin() {
	! ad_search '(sAMAccountName=resetbot)' memberOf | grep -qi 'admins'
}

selfcheck_samba() {
	[[ -n "${RESETBOT_TEST_SAMBA_URL:-}" ]] || return 0
	local people="OU=People,$SAMBA_BASE"
	check "samba: svc reads objectGUID, memberOf, chat id" \
		grep_out '^memberOf: CN=infra-team' ad_search '(sAMAccountName=alice)' \
		objectGUID memberOf employeeNumber userAccountControl lockoutTime
	check "samba: nested tier0-admins membership reaches alice" \
		grep_out '^dn: CN=Alice Admin' ad_search \
		"(memberOf:1.2.840.113556.1.4.1941:=CN=tier0-admins,OU=Groups,$SAMBA_BASE)" dn
	check "samba: bob is disabled (userAccountControl 514)" \
		grep_out '^userAccountControl: 514' ad_search '(sAMAccountName=bob)' userAccountControl
	check "samba: svc is not in any admin group" ad_not_admin
	check "samba: svc resets spare3" ad_reset "CN=Spare Three,$people" 'Selfcheck-Passw0rd.9'
	check "samba: spare3 binds with the new password" ad_bind spare3 'Selfcheck-Passw0rd.9'
	check_not "samba: spare3's old password is refused" ad_bind spare3 'Start-Passw0rd.1'
	check_not "samba: complexity refuses a weak password" ad_reset "CN=Spare Three,$people" 'weakweakweak'
	check_not "samba: svc cannot reset Administrator" \
		ad_reset "CN=Administrator,CN=Users,$SAMBA_BASE" 'Selfcheck-Passw0rd.9'
	check "samba: three bad binds lock spare2 out" ad_lock_out spare2
	check_not "samba: locked spare2 cannot bind" ad_bind spare2 'Start-Passw0rd.1'
	check "samba: svc unlocks spare2 (lockoutTime 0)" ad_modify "CN=Spare Two,$people" 'replace: lockoutTime
lockoutTime: 0'
	check "samba: spare2 binds again" ad_bind spare2 'Start-Passw0rd.1'
	# A reset (not a change) is not checked against the history.
	check "samba: spare3's password restored" ad_reset "CN=Spare Three,$people" 'Start-Passw0rd.1'
}

selfcheck() {
	selfcheck_slapd
	selfcheck_samba
}
