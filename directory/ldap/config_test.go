package ldap_test

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory/ldap"
)

// validConfig is a configuration Validate accepts, for tests to break.
func validConfig(t *testing.T) ldap.Config {
	return ldap.Config{
		Flavour:      ldap.ActiveDirectory,
		URLs:         []string{"ldaps://dc1.example.test", "ldaps://dc2.example.test:636"},
		CAFile:       writeCA(t),
		BindDN:       "CN=resetbot,OU=Services,DC=example,DC=test",
		BindPassword: "Svc-Passw0rd.1",
		UserBaseDN:   "OU=People,DC=example,DC=test",
		GroupBaseDN:  "OU=Groups,DC=example,DC=test",
		ChatIDAttrs:  map[string]string{"slack": "employeeNumber"},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *ldap.Config)
		want   []string // substrings, one per expected error
	}{
		{"valid ldaps", func(*ldap.Config) {}, nil},
		{"valid ldap with StartTLS", func(c *ldap.Config) { c.URLs = []string{"ldap://dc1.example.test:389"}; c.StartTLS = true }, nil},
		{"valid openldap", func(c *ldap.Config) {
			c.Flavour = ldap.OpenLDAP
			c.PasswordPolicyDN = "cn=default,ou=Policies,dc=example,dc=test"
		}, nil},
		{"plain ldap is refused", func(c *ldap.Config) { c.URLs = []string{"ldap://dc1.example.test"} }, []string{"plaintext"}},
		{"one plain url among good ones", func(c *ldap.Config) { c.URLs = append(c.URLs, "ldap://dc3.example.test") }, []string{"urls[2]"}},
		{"other scheme", func(c *ldap.Config) { c.URLs = []string{"https://dc1.example.test"} }, []string{"scheme"}},
		{"no host", func(c *ldap.Config) { c.URLs = []string{"ldaps://"} }, []string{"no host"}},
		{"credentials in url", func(c *ldap.Config) { c.URLs = []string{"ldaps://u:p@dc1.example.test"} }, []string{"credentials"}},
		{"unknown flavour", func(c *ldap.Config) { c.Flavour = "novell" }, []string{"flavour"}},
		{"missing CA file", func(c *ldap.Config) { c.CAFile = "/nonexistent/ca.pem" }, []string{"ca_file"}},
		{"CA file without certificates", func(c *ldap.Config) { c.CAFile = writeFile(t, "not a certificate") }, []string{"no PEM"}},
		{"bad bind dn", func(c *ldap.Config) { c.BindDN = "resetbot" }, []string{"bind_dn"}},
		{"attribute injection", func(c *ldap.Config) { c.EmailAttr = "mail)(uid=*" }, []string{"email_attribute"}},
		{"chat attribute injection", func(c *ldap.Config) { c.ChatIDAttrs["teams"] = "x=*" }, []string{"chat_id_attributes.teams"}},
		{"bad user filter", func(c *ldap.Config) { c.UserFilter = "(&(objectClass=user)" }, []string{"user_filter"}},
		{"negative timeout and pool", func(c *ldap.Config) { c.Timeout = -time.Second; c.PoolSize = -1 }, []string{"timeout", "pool_size"}},
		{"timeout and pool too large", func(c *ldap.Config) { c.Timeout = time.Hour; c.PoolSize = 100 }, []string{"timeout: 1h0m0s is out of range", "pool_size: 100 is out of range 1..64"}},
		{"empty chat attribute", func(c *ldap.Config) { c.ChatIDAttrs["teams"] = "" }, []string{"chat_id_attributes.teams: required"}},
		{"policy dn not a dn", func(c *ldap.Config) { c.PasswordPolicyDN = "default" }, []string{`password_policy_dn: "default" is not a distinguished name`}},
		{"everything missing at once", func(c *ldap.Config) { *c = ldap.Config{} },
			[]string{"flavour", "urls", "bind_dn", "bind_password", "user_base_dn", "group_base_dn"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig(t)
			tc.change(&c)
			errs := c.Validate()
			if len(errs) != len(tc.want) {
				t.Fatalf("Validate = %q, want %d errors about %q", errs, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(errs[i].Error(), w) {
					t.Errorf("error %d = %q, want it to mention %q", i, errs[i], w)
				}
			}
			if _, err := ldap.New(c); (err == nil) != (len(tc.want) == 0) {
				t.Errorf("New = %v, want an error exactly when Validate finds problems", err)
			}
		})
	}
}

func TestConfigNeverPrintsThePassword(t *testing.T) {
	c := validConfig(t)
	var log strings.Builder
	slog.New(slog.NewTextHandler(&log, nil)).Info("config", "ldap", c)
	outputs := map[string]string{
		"%v":   fmt.Sprintf("%v", c),
		"%+v":  fmt.Sprintf("%+v", c),
		"%#v":  fmt.Sprintf("%#v", c),
		"slog": log.String(),
	}
	for name, out := range outputs {
		if strings.Contains(out, c.BindPassword) {
			t.Errorf("%s prints the bind password: %s", name, out)
		}
		if !strings.Contains(out, "redacted") {
			t.Errorf("%s does not say the password was redacted: %s", name, out)
		}
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "file.pem")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
