package ldap_test

import (
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/dirtest"
	"github.com/resetbot/resetbot/directory/ldap"
)

// ds389Config points at the harness's 389 Directory Server, seeded with the
// same people and groups as slapd and a service account that is neither
// the Directory Manager nor a password administrator (so the password
// policy applies to its resets).
func ds389Config(t *testing.T, url string, startTLS bool) ldap.Config {
	return ldap.Config{
		Flavour:      ldap.DS389,
		URLs:         []string{url},
		StartTLS:     startTLS,
		CAFile:       dirtest.RequireEnv(t, "RESETBOT_TEST_389DS_CA"),
		BindDN:       "cn=resetbot,ou=Services,dc=example,dc=test",
		BindPassword: "Svc-Passw0rd.1",
		UserBaseDN:   "ou=People,dc=example,dc=test",
		GroupBaseDN:  "ou=Groups,dc=example,dc=test",
		ChatIDAttrs:  map[string]string{"slack": "employeeNumber"},
	}
}

func Test389DSConformance(t *testing.T) {
	transports := []struct {
		name, env string
		startTLS  bool
	}{
		{"ldaps", "RESETBOT_TEST_389DS_LDAPS_URL", false},
		{"starttls", "RESETBOT_TEST_389DS_URL", true},
	}
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			cfg := ds389Config(t, dirtest.RequireEnv(t, tr.env), tr.startTLS)
			dirtest.Run(t, func(t *testing.T) directory.Directory { return open(t, cfg) }, ds389Fixture())
		})
	}
}

// ds389Fixture is the OpenLDAP fixture with 389-ds's expiry accounts:
// spare3 under a user policy of 10 days, spare1 under one without expiry.
// (jdoe, the OpenLDAP fixture's, does not fit: 389-ds stamps an expiry on
// an account's first bind, and the suite signs in as jdoe.)
func ds389Fixture() dirtest.Fixture {
	f := dirtest.OpenLDAPFixture()
	f.ShortAgeUser, f.ShortMaxAge = "spare3", 10*24*time.Hour
	f.NeverExpiresUser = "spare1"
	return f
}
