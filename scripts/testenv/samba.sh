# shellcheck shell=bash
# Provisions and starts a throwaway Samba Active Directory domain controller
# (realm EXAMPLE.TEST, host dc1), seeded with the same people, chat ids and
# groups as slapd (parsed from fixtures/*.ldif), plus a delegated, non-admin
# service account. Sourced by scripts/test; uses lib.sh and tls.sh.
#
# Samba has no port option: it listens on 389 (LDAP/StartTLS) and 636
# (LDAPS), which is why scripts/test runs inside a private network namespace.

SAMBA_BASE="DC=example,DC=test"
SAMBA_SVC_USER="resetbot"
SAMBA_SVC_PW="Svc-Passw0rd.1"
SAMBA_USER_PW="Start-Passw0rd.1"
# The Administrator's password, for debugging by hand only: tests must use
# the delegated service account, as production does.
SAMBA_ADMIN_PW="Admin-Passw0rd.1"

# Well-known AD GUIDs for the delegation ACEs.
AD_RIGHT_RESET_PASSWORD="00299570-246d-11d0-a768-00aa006e0529"
AD_ATTR_LOCKOUT_TIME="28630ebf-41d5-11d1-a9c1-0000f80367c1"
AD_CLASS_USER="bf967aba-0de6-11d0-a285-00aa003049e2"

# fixture_people LDIF prints one tab-separated line per person in
# ou=People: uid, givenName, sn, department, employeeNumber, disabled(0/1).
fixture_people() {
	awk -v RS= -F '\n' '
	{
		dn = uid = gn = sn = dep = emp = ""; dis = 0
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^#/) continue
			k = $i; sub(/:.*/, "", k); v = $i; sub(/^[^:]*: */, "", v)
			if (k == "dn") dn = v
			else if (k == "uid" && uid == "") uid = v # the first; AD has one
			else if (k == "givenName") gn = v
			else if (k == "sn") sn = v
			else if (k == "departmentNumber") dep = v
			else if (k == "employeeNumber") emp = v
			else if (k == "pwdAccountLockedTime") dis = 1
		}
		if (dn ~ /^uid=[^,]*,ou=People,/) printf "%s\t%s\t%s\t%s\t%s\t%s\n", uid, gn, sn, dep, emp, dis
	}' "$1"
}

# fixture_groups LDIF prints one line per group: cn, then its members'
# names (uid of a person or cn of a group), comma-separated.
fixture_groups() {
	awk -v RS= -F '\n' '
	{
		cn = ""; m = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^cn: /) cn = substr($i, 5)
			if ($i ~ /^member: /) {
				v = substr($i, 9); sub(/^[a-z]+=/, "", v); sub(/,.*/, "", v)
				m = (m == "" ? v : m "," v)
			}
		}
		if (cn != "" && m != "") printf "%s\t%s\n", cn, m
	}' "$1"
}

# samba_provision DIR FIXTURES creates the domain in DIR and seeds it,
# working on the database files directly (before samba runs), which is both
# faster and needs no credentials.
samba_provision() {
	local dir="$1" fixtures="$2" conf sam log sid uid gn sn dep emp dis cn members name uac
	conf="$dir/etc/smb.conf"
	sam="$dir/private/sam.ldb"
	log="$dir/provision.log"
	mkdir -p "$dir/run" "$dir/log"
	# Every path Samba would otherwise take from the system lives under DIR,
	# so nothing outside DIR is read or written. "server services = ldap":
	# the tests need nothing else, and it starts in a second or two.
	samba-tool domain provision --targetdir="$dir" --realm=EXAMPLE.TEST \
		--domain=EXAMPLE --server-role=dc --dns-backend=NONE --use-rfc2307 \
		--host-ip=127.0.0.1 --host-name=dc1 --adminpass="$SAMBA_ADMIN_PW" \
		--option="interfaces = 127.0.0.1" --option="bind interfaces only = yes" \
		--option="server services = ldap" \
		--option="log file = $dir/log/%m.log" \
		--option="pid directory = $dir/run" \
		--option="ncalrpc dir = $dir/run/ncalrpc" \
		--option="winbindd socket directory = $dir/run/winbindd" \
		--option="ntp signd socket directory = $dir/run/ntp_signd" \
		--option="tls enabled = yes" \
		--option="tls keyfile = $dir/tls/key.pem" \
		--option="tls certfile = $dir/tls/cert.pem" \
		--option="tls cafile = $dir/tls/ca.pem" >"$log" 2>&1 || return 1
	# Without "old password allowed period = 0" the previous password keeps
	# working for up to an hour after a reset. provision drops this option
	# when given with --option, so add it to [global] afterwards.
	sed -i 's/^\[global\]$/&\n\told password allowed period = 0/' "$conf" || return 1

	st() { samba-tool "$@" -H "$sam" -s "$conf" >>"$log" 2>&1; }

	# The password policy mirrors slapd's ppolicy entry.
	st domain passwordsettings set --complexity=on --min-pwd-length=8 \
		--history-length=3 --min-pwd-age=0 --max-pwd-age=90 --account-lockout-threshold=3 \
		--account-lockout-duration=30 --reset-account-lockout-after=30 || return 1

	# Objects are added with ldbadd straight into sam.ldb, in two batches:
	# one samba-tool call per object would cost a Python start-up each
	# (~0.3 s, several seconds in all). Samba's own modules still fill in
	# objectSid, primaryGroupID, the password hashes, etc.
	# The service account is an ordinary domain user, NOT a domain admin.
	{
		printf 'dn: OU=%s,%s\nobjectClass: organizationalUnit\n\n' \
			People "$SAMBA_BASE" Groups "$SAMBA_BASE" Services "$SAMBA_BASE"
		ad_user_ldif "CN=$SAMBA_SVC_USER,OU=Services,$SAMBA_BASE" "$SAMBA_SVC_USER" \
			"$SAMBA_SVC_PW" 512
		printf 'description: resetbot service account\n\n'
	} >"$dir/seed-1.ldif"
	ldbadd -H "$sam" "$dir/seed-1.ldif" >>"$log" 2>&1 || return 1

	sid="$(ldbsearch -H "$sam" "(sAMAccountName=$SAMBA_SVC_USER)" objectSid |
		awk '/^objectSid: /{ print $2 }')"
	[[ "$sid" == S-1-5-21-* ]] || return 1
	# Delegation on OU=People, inherited by user objects only (CIIO + object
	# type user): the Reset-Password extended right and write on lockoutTime
	# (to unlock). Set before the users exist, so they inherit it on creation.
	st dsacl set --objectdn="OU=People,$SAMBA_BASE" \
		--sddl="(OA;CIIO;CR;$AD_RIGHT_RESET_PASSWORD;$AD_CLASS_USER;$sid)(OA;CIIO;WP;$AD_ATTR_LOCKOUT_TIME;$AD_CLASS_USER;$sid)" ||
		return 1

	# People and groups from the same fixture files slapd loads. CN and
	# displayName are "<givenName> <sn>"; bob-style disabled accounts get
	# userAccountControl 514 (ACCOUNTDISABLE | NORMAL_ACCOUNT).
	local -A dn_of=()
	{
		while IFS=$'\t' read -r uid gn sn dep emp dis; do
			dn_of[$uid]="CN=$gn $sn,OU=People,$SAMBA_BASE"
			# spare1's password never expires (DONT_EXPIRE_PASSWORD, 0x10000),
			# for the expiry listing.
			uac=$((dis ? 514 : 512))
			[[ "$uid" == spare1 ]] && uac=$((uac | 65536))
			ad_user_ldif "${dn_of[$uid]}" "$uid" "$SAMBA_USER_PW" "$uac"
			printf 'givenName: %s\nsn: %s\ndisplayName: %s %s\nmail: %s@example.test\n' \
				"$gn" "$sn" "$gn" "$sn" "$uid"
			printf 'department: %s\nemployeeNumber: %s\n\n' "$dep" "$emp"
		done < <(fixture_people "$fixtures/directory.ldif")
		# Global security groups (the default groupType), members by DN.
		while IFS=$'\t' read -r cn members; do
			dn_of[$cn]="CN=$cn,OU=Groups,$SAMBA_BASE"
			printf 'dn: %s\nobjectClass: group\nsAMAccountName: %s\n' "${dn_of[$cn]}" "$cn"
			local -a names
			IFS=, read -ra names <<<"$members"
			for name in "${names[@]}"; do
				[[ -n "${dn_of[$name]:-}" ]] || return 1
				printf 'member: %s\n' "${dn_of[$name]}"
			done
			printf '\n'
		done < <(fixture_groups "$fixtures/groups.ldif")
	} >"$dir/seed-2.ldif" || return 1
	ldbadd -H "$sam" "$dir/seed-2.ldif" >>"$log" 2>&1 || return 1

	# A fine-grained policy (PSO) of 10-day passwords for spare3, for the
	# expiry listing; its other settings are the domain's.
	st domain passwordsettings pso create short-age 1 --max-pwd-age=10 || return 1
	st domain passwordsettings pso apply short-age spare3 || return 1
}

# ad_user_ldif DN SAM PASSWORD UAC prints the start of an LDIF user record;
# the caller appends more attributes and the blank line.
ad_user_ldif() {
	local pw
	# unicodePwd is the password in double quotes, UTF-16LE, base64 in LDIF.
	pw="$(printf '"%s"' "$3" | iconv -f UTF-8 -t UTF-16LE | base64 -w0)"
	printf 'dn: %s\nobjectClass: user\nsAMAccountName: %s\nuserPrincipalName: %s@example.test\n' \
		"$1" "$2" "$2"
	printf 'unicodePwd:: %s\nuserAccountControl: %s\n' "$pw" "$4"
}

samba_svc_search() {
	LDAPTLS_CACERT="$1/tls/ca.pem" ldapsearch -x -H ldaps://127.0.0.1:636 \
		-D "$SAMBA_SVC_USER@example.test" -w "$SAMBA_SVC_PW" \
		-b "$SAMBA_BASE" -s base dn
}

# start_samba DIR FIXTURES: on success exports RESETBOT_TEST_SAMBA_URL
# (ldaps), RESETBOT_TEST_SAMBA_STARTTLS_URL and RESETBOT_TEST_SAMBA_CA.
start_samba() {
	local dir="$1" fixtures="$2" start pid
	start="$(now)"
	mkdir -p "$dir"
	if ! make_tls "$dir/tls" dc1.example.test "DNS:dc1.example.test,IP:127.0.0.1"; then
		server_failed samba "could not create TLS certificates"
		return 0
	fi
	if ! samba_provision "$dir" "$fixtures"; then
		show_log "$dir/provision.log"
		server_failed samba "provisioning failed (log: $dir/provision.log)"
		return 0
	fi
	# -F: stay in the foreground so $! is samba itself (-i would also do, but
	# exits at EOF on stdin); -M single: one process to stop; -l: log under
	# DIR even before smb.conf is read (else /var/log/samba/log.samba).
	samba -F --no-process-group -M single -s "$dir/etc/smb.conf" -l "$dir/log" \
		</dev/null >"$dir/log/samba.out" 2>&1 &
	pid=$!
	track "$pid"
	if ! wait_for 30 "$pid" samba samba_svc_search "$dir"; then
		show_log "$dir/log/samba.out"
		show_log "$dir/log/samba.log"
		server_failed samba "no ldaps answer as the service account (logs: $dir/log)"
		return 0
	fi
	export RESETBOT_TEST_SAMBA_URL="ldaps://127.0.0.1:636"
	export RESETBOT_TEST_SAMBA_STARTTLS_URL="ldap://127.0.0.1:389"
	export RESETBOT_TEST_SAMBA_CA="$dir/tls/ca.pem"
	# The domain administrator, for the few tests that create accounts of
	# their own; never for a reset, which goes through the delegated account.
	export RESETBOT_TEST_SAMBA_ADMIN_DN="CN=Administrator,CN=Users,$SAMBA_BASE"
	export RESETBOT_TEST_SAMBA_ADMIN_PASSWORD="$SAMBA_ADMIN_PW"
	server_ok samba "$RESETBOT_TEST_SAMBA_URL $RESETBOT_TEST_SAMBA_STARTTLS_URL (StartTLS) (pid $pid)" "$start"
}
