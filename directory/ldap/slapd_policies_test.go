package ldap_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/dirtest"
)

// policiesDefaultDN is the default ppolicy entry of the harness's second
// slapd, which also holds spare3's policy of its own.
const policiesDefaultDN = "cn=default,ou=Policies,dc=example,dc=test"

// TestOpenLDAPPerAccountPolicy runs the conformance suite against the slapd
// where spare3 has a pwdPolicySubentry with a pwdMaxAge of 10 days: the
// expiry cases prove spare3's password expires 10 days after it is set
// while pwuser's follows the default's 90, and the rest of the suite that
// the default policy (named by password_policy_dn, as it must be once there
// are several) still governs everyone else.
func TestOpenLDAPPerAccountPolicy(t *testing.T) {
	cfg := slapdConfig(t, dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_POLICIES_LDAPS_URL"), false)
	cfg.CAFile = dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_POLICIES_CA")
	cfg.PasswordPolicyDN = policiesDefaultDN
	dirtest.Run(t, func(t *testing.T) directory.Directory { return open(t, cfg) }, dirtest.OpenLDAPPerAccountFixture())
}

// TestOpenLDAPSeveralPoliciesNeedTheDefaultDN: with two pwdPolicy entries
// and no password_policy_dn, the policy and the expiry listing fail with
// a cause naming the setting, instead of guessing which entry is the
// default.
func TestOpenLDAPSeveralPoliciesNeedTheDefaultDN(t *testing.T) {
	cfg := slapdConfig(t, dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_POLICIES_LDAPS_URL"), false)
	cfg.CAFile = dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_POLICIES_CA")
	d := open(t, cfg)
	ctx := t.Context()
	if _, err := d.PasswordPolicy(ctx); err == nil || !strings.Contains(err.Error(), "password_policy_dn") {
		t.Errorf("PasswordPolicy with two policies and no default DN = %v, want an error naming directory.password_policy_dn", err)
	}
	// pwuser has no pwdPolicySubentry, so listing needs the default.
	u, err := d.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "pwuser"})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetPassword(ctx, u, "Several-Policies."+time.Now().Format("150405.000")); err != nil {
		t.Fatal(err)
	}
	_, err = d.PasswordsExpiringBefore(ctx, time.Now().Add(365*24*time.Hour))
	if err == nil || !strings.Contains(err.Error(), "password_policy_dn") || errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("PasswordsExpiringBefore with two policies and no default DN = %v, want an error naming directory.password_policy_dn", err)
	}
}
