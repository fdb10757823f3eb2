#!/usr/bin/env bash
# Installs the Debian packages the real-server tests need, and nothing else.
#
# It does nothing when every needed program is already there, so a warm
# machine pays no apt cost. When something is missing and we are root, it
# runs apt-get non-interactively. Package maintainer scripts are prevented
# from starting their daemons (slapd, redis-server, samba): a system slapd or
# redis left running would hold ports and state we do not control.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/testenv/lib.sh
. "$here/lib.sh"

PACKAGES=(redis-server redis-tools slapd ldap-utils samba-ad-dc samba-ad-provision
	krb5-user ldb-tools 389-ds-base chromium iproute2 openssl)

# Programs (and one data directory) that prove the packages above are present.
PROGRAMS=(redis-server redis-cli slapd slapadd slappasswd ldapsearch ldapwhoami
	ldapadd ldapmodify ldappasswd samba samba-tool kinit ldbsearch ldbmodify
	dscreate dsctl ns-slapd chromium ip ss openssl unshare)
PROVISION_DATA=/usr/share/samba/setup

missing=()
for prog in "${PROGRAMS[@]}"; do
	# slapd and samba live in sbin, which a non-root PATH may lack.
	if ! command -v "$prog" >/dev/null 2>&1 && [[ ! -x "/usr/sbin/$prog" ]]; then
		missing+=("$prog")
	fi
done
[[ -d "$PROVISION_DATA" ]] || missing+=("$PROVISION_DATA")

if ((${#missing[@]} == 0)); then
	exit 0
fi

if ((EUID != 0)) || ! command -v apt-get >/dev/null 2>&1; then
	warn "missing: ${missing[*]}"
	warn "run as root on Debian to install them: apt-get install ${PACKAGES[*]}"
	# Not fatal: the servers that cannot start are reported and their tests
	# skip (or fail the run under CI=true).
	exit 0
fi

log "installing test dependencies (missing: ${missing[*]})"

# policy-rc.d exiting 101 tells invoke-rc.d "do not start services". Only
# create it if the machine has none, and only remove the one we created.
policy=/usr/sbin/policy-rc.d
created_policy=0
remove_policy() {
	if ((created_policy)); then
		rm -f "$policy"
	fi
}
trap remove_policy EXIT
if [[ ! -e "$policy" ]]; then
	printf '#!/bin/sh\n# Temporary: resetbot scripts/test installs packages.\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	created_policy=1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
log "installed: ${PACKAGES[*]}"
