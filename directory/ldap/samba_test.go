package ldap_test

import (
	"testing"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/dirtest"
	"github.com/resetbot/resetbot/directory/ldap"
)

// sambaConfig points at the harness's Samba AD DC, seeded with the shared
// fixture and a delegated (non-admin) service account.
func sambaConfig(t *testing.T, url string, startTLS bool) ldap.Config {
	return ldap.Config{
		Flavour:      ldap.ActiveDirectory,
		URLs:         []string{url},
		StartTLS:     startTLS,
		CAFile:       dirtest.RequireEnv(t, "RESETBOT_TEST_SAMBA_CA"),
		BindDN:       "CN=resetbot,OU=Services,DC=example,DC=test",
		BindPassword: "Svc-Passw0rd.1",
		UserBaseDN:   "OU=People,DC=example,DC=test",
		GroupBaseDN:  "OU=Groups,DC=example,DC=test",
		ChatIDAttrs:  map[string]string{"slack": "employeeNumber"},
	}
}

func TestActiveDirectoryConformance(t *testing.T) {
	transports := []struct {
		name, env string
		startTLS  bool
	}{
		{"ldaps", "RESETBOT_TEST_SAMBA_URL", false},
		{"starttls", "RESETBOT_TEST_SAMBA_STARTTLS_URL", true},
	}
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			cfg := sambaConfig(t, dirtest.RequireEnv(t, tr.env), tr.startTLS)
			dirtest.Run(t, func(t *testing.T) directory.Directory { return open(t, cfg) }, dirtest.ActiveDirectoryFixture())
		})
	}
}
