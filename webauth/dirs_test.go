package webauth

import (
	"testing"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/ldap"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/internal/testenv"
)

// memoryDir is the in-memory example company.
func memoryDir(t testing.TB) directory.Directory {
	t.Helper()
	d, err := memory.New(memory.ExampleSeed())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// openLDAP connects to a harness directory and closes it after the test.
func openLDAP(t testing.TB, cfg ldap.Config) directory.Directory {
	t.Helper()
	d, err := ldap.New(cfg)
	if err != nil {
		t.Fatalf("ldap.New: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// slapdDir is the harness's OpenLDAP over ldaps, as the delegated service
// account (not the rootdn, which would bypass the password policy).
func slapdDir(t testing.TB) directory.Directory {
	return openLDAP(t, ldap.Config{
		Flavour:      ldap.OpenLDAP,
		URLs:         []string{testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL")},
		CAFile:       testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_CA"),
		BindDN:       "cn=resetbot,ou=Services,dc=example,dc=test",
		BindPassword: "Svc-Passw0rd.1",
		UserBaseDN:   "ou=People,dc=example,dc=test",
		GroupBaseDN:  "ou=Groups,dc=example,dc=test",
		ChatIDAttrs:  map[string]string{"slack": "employeeNumber"},
	})
}

// sambaDir is the harness's Samba AD DC over ldaps, as the delegated,
// non-admin reset account.
func sambaDir(t testing.TB) directory.Directory {
	return openLDAP(t, ldap.Config{
		Flavour:      ldap.ActiveDirectory,
		URLs:         []string{testenv.RequireEnv(t, "RESETBOT_TEST_SAMBA_URL")},
		CAFile:       testenv.RequireEnv(t, "RESETBOT_TEST_SAMBA_CA"),
		BindDN:       "CN=resetbot,OU=Services,DC=example,DC=test",
		BindPassword: "Svc-Passw0rd.1",
		UserBaseDN:   "OU=People,DC=example,DC=test",
		GroupBaseDN:  "OU=Groups,DC=example,DC=test",
		ChatIDAttrs:  map[string]string{"slack": "employeeNumber"},
	})
}
