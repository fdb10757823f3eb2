package ldap_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/dirtest"
	"github.com/resetbot/resetbot/directory/ldap"
)

// TestActiveDirectoryFineGrainedPolicy: on the harness's real Samba AD, a
// fine-grained password policy (PSO) of the test's own, with a minimum
// length other than the domain's, applied to one account of the test's
// own, is the policy the backend reports for that account when the bind
// account may read the PSO, and the domain's when it may not (the
// delegated service account); another account of the test's own gets the
// domain's policy. The seeded accounts and the domain policy are not
// touched: other packages' tests share this Samba (#11).
func TestActiveDirectoryFineGrainedPolicy(t *testing.T) {
	admin := directoryAdmin(t, "RESETBOT_TEST_SAMBA_URL", "RESETBOT_TEST_SAMBA_CA",
		"RESETBOT_TEST_SAMBA_ADMIN_DN", "RESETBOT_TEST_SAMBA_ADMIN_PASSWORD")
	d := open(t, sambaConfig(t, dirtest.RequireEnv(t, "RESETBOT_TEST_SAMBA_URL"), false))
	ctx := context.Background()
	domain, err := d.PasswordPolicy(ctx)
	if err != nil {
		t.Fatalf("domain policy: %v", err)
	}

	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	suffix := hex.EncodeToString(b[:])
	withPSO := addOwnADUser(t, admin, "psoa"+suffix)
	addOwnADUser(t, admin, "psob"+suffix)

	wantMin := domain.MinLength + 5
	pso := goldap.NewAddRequest("CN=resetbot-test-"+suffix+",CN=Password Settings Container,CN=System,DC=example,DC=test", nil)
	for attr, v := range map[string]string{
		"objectClass":                              "msDS-PasswordSettings",
		"msDS-PasswordSettingsPrecedence":          "10",
		"msDS-PasswordReversibleEncryptionEnabled": "FALSE",
		"msDS-PasswordHistoryLength":               "3",
		"msDS-PasswordComplexityEnabled":           "TRUE",
		"msDS-MinimumPasswordLength":               strconv.Itoa(wantMin),
		"msDS-MinimumPasswordAge":                  "0",
		"msDS-MaximumPasswordAge":                  "-37108517437440",
		"msDS-LockoutThreshold":                    "7",
		"msDS-LockoutObservationWindow":            "-18000000000",
		"msDS-LockoutDuration":                     "-18000000000",
		"msDS-PSOAppliesTo":                        withPSO,
	} {
		pso.Attribute(attr, []string{v})
	}
	addOwnEntry(t, admin, pso)

	adminCfg := sambaConfig(t, dirtest.RequireEnv(t, "RESETBOT_TEST_SAMBA_URL"), false)
	adminCfg.BindDN = dirtest.RequireEnv(t, "RESETBOT_TEST_SAMBA_ADMIN_DN")
	adminCfg.BindPassword = dirtest.RequireEnv(t, "RESETBOT_TEST_SAMBA_ADMIN_PASSWORD")
	readsPSOs := open(t, adminCfg)
	policyOf := func(t *testing.T, d *ldap.Directory, account string) directory.Policy {
		t.Helper()
		u, err := d.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: account})
		if err != nil {
			t.Fatalf("find %s: %v", account, err)
		}
		p, err := d.AccountPasswordPolicy(ctx, u)
		if err != nil {
			t.Fatalf("policy of %s: %v", account, err)
		}
		return p
	}
	// The test's delegated service account reads msDS-ResultantPSO but,
	// under AD's default ACL, not the PSO itself: it gets the domain
	// policy (documented). An account allowed to read PSOs (here the
	// administrator, standing in for a service account granted read on
	// the Password Settings Container) gets the PSO's.
	cases := []struct {
		name    string
		d       *ldap.Directory
		wantPSO bool
	}{
		{"delegated service account", d, false},
		{"account allowed to read PSOs", readsPSOs, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := policyOf(t, tc.d, "psoa"+suffix)
			if tc.wantPSO && (got.MinLength != wantMin || !got.ComplexityRequired || got.LockoutThreshold != 7) {
				t.Errorf("policy of the PSO's account = %+v, want the PSO's (min %d, complexity, lockout 7); domain's is %+v", got, wantMin, domain)
			}
			if !tc.wantPSO && got != domain {
				t.Errorf("policy of the PSO's account = %+v, want the domain's %+v (the PSO is not readable)", got, domain)
			}
			if other := policyOf(t, tc.d, "psob"+suffix); other != domain {
				t.Errorf("policy of an account without a PSO = %+v, want the domain's %+v", other, domain)
			}
		})
	}
}

// addOwnADUser adds a (disabled, password-less) user of the test's own
// under OU=People, removed when the test ends, and returns its DN.
func addOwnADUser(t *testing.T, admin *goldap.Conn, account string) string {
	t.Helper()
	dn := "CN=" + strings.ToUpper(account) + ",OU=People,DC=example,DC=test"
	add := goldap.NewAddRequest(dn, nil)
	add.Attribute("objectClass", []string{"user"})
	add.Attribute("sAMAccountName", []string{account})
	add.Attribute("userPrincipalName", []string{account + "@example.test"})
	addOwnEntry(t, admin, add)
	return dn
}

// addOwnEntry adds an entry and removes it when the test ends.
func addOwnEntry(t *testing.T, admin *goldap.Conn, add *goldap.AddRequest) {
	t.Helper()
	if err := admin.Add(add); err != nil {
		t.Fatalf("add %s: %v", add.DN, err)
	}
	t.Cleanup(func() {
		if err := admin.Del(goldap.NewDelRequest(add.DN, nil)); err != nil {
			t.Logf("remove %s: %v", add.DN, err)
		}
	})
}
