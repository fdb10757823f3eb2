package ldap_test

import (
	"testing"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/dirtest"
	"github.com/resetbot/resetbot/directory/ldap"
)

// slapdConfig points at the harness's slapd, seeded with the shared fixture.
func slapdConfig(t *testing.T, url string, startTLS bool) ldap.Config {
	return ldap.Config{
		Flavour:      ldap.OpenLDAP,
		URLs:         []string{url},
		StartTLS:     startTLS,
		CAFile:       dirtest.RequireEnv(t, "RESETBOT_TEST_SLAPD_CA"),
		BindDN:       "cn=resetbot,ou=Services,dc=example,dc=test",
		BindPassword: "Svc-Passw0rd.1",
		UserBaseDN:   "ou=People,dc=example,dc=test",
		GroupBaseDN:  "ou=Groups,dc=example,dc=test",
		ChatIDAttrs:  map[string]string{"slack": "employeeNumber"},
	}
}

// TestOpenLDAPConformance runs the suite on slapd over both transports and
// both ways of finding groups: the default walk by search, and the
// memberof overlay's values (group_membership: member_of).
func TestOpenLDAPConformance(t *testing.T) {
	transports := []struct {
		name, env string
		startTLS  bool
	}{
		{"ldaps", "RESETBOT_TEST_SLAPD_LDAPS_URL", false},
		{"starttls", "RESETBOT_TEST_SLAPD_URL", true},
	}
	for _, tr := range transports {
		for _, m := range []ldap.GroupMembership{ldap.GroupsBySearch, ldap.GroupsByMemberOf} {
			t.Run(tr.name+"/"+string(m), func(t *testing.T) {
				cfg := slapdConfig(t, dirtest.RequireEnv(t, tr.env), tr.startTLS)
				cfg.GroupMembership = m
				dirtest.Run(t, func(t *testing.T) directory.Directory { return open(t, cfg) }, dirtest.OpenLDAPFixture())
			})
		}
	}
}

// open builds a Directory and closes it when the test ends.
func open(t *testing.T, cfg ldap.Config) *ldap.Directory {
	t.Helper()
	d, err := ldap.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}
