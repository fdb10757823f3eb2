package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/internal/testenv"
)

// TestConfigCheckConnect: `config check -connect` logs in to Redis and the
// directory as serve does, and `-resolve` checks what only the host can,
// so a file that passes also starts. Each broken case names its key.
func TestConfigCheckConnect(t *testing.T) {
	notPEM := filepath.Join(t.TempDir(), "ca.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		flag   string
		break_ func(t *testing.T, f *testConfig)
		ok     bool
		want   string
	}{
		{"good file connects", "-connect", func(*testing.T, *testConfig) {}, true, "connected: redis and directory accept the configured credentials"},
		{"wrong bind password", "-connect", func(_ *testing.T, f *testConfig) { f.LDAP.BindPassword = "not-the-password" }, false, "directory.bind_password: "},
		{"wrong CA", "-connect", func(t *testing.T, f *testConfig) { f.LDAP.CAFile = wrongCA(t) }, false, "directory.ca_file: "},
		{"redis not listening", "-connect", func(t *testing.T, f *testConfig) { f.RedisAddr = closedPort(t) }, false, "redis.addrs: Redis at 127.0.0.1:"},
		{"CA file is not PEM", "-resolve", func(_ *testing.T, f *testConfig) { f.LDAP.CAFile = notPEM }, false, "directory.ca_file: " + notPEM + " holds no PEM certificate"},
		{"audit path unwritable", "-resolve", func(t *testing.T, f *testConfig) { f.AuditLog = unwritablePath(t) }, false, "audit.log_file: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := realSlapdFile(t)
			tt.break_(t, &f)
			code, out, errOut := runCLI(t, "config", "check", tt.flag, f.write(t))
			if (code == 0) != tt.ok {
				t.Fatalf("exit code %d, want ok=%v\nstdout:\n%s\nstderr:\n%s", code, tt.ok, out, errOut)
			}
			if !strings.Contains(out, tt.want) {
				t.Fatalf("stdout lacks %q:\n%s", tt.want, out)
			}
		})
	}
}

// TestConfigCheckConnectWarnsWhenADSkipsHistory: against Samba, which
// advertises no policy-hints control, -connect passes but warns that
// password history does not apply to resets.
func TestConfigCheckConnectWarnsWhenADSkipsHistory(t *testing.T) {
	f := realSlapdFile(t)
	path := f.write(t)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	yaml := strings.NewReplacer(
		"flavour: openldap", "flavour: activedirectory",
		f.LDAP.URLs[0], testenv.RequireEnv(t, "RESETBOT_TEST_SAMBA_URL"),
		f.LDAP.CAFile, testenv.RequireEnv(t, "RESETBOT_TEST_SAMBA_CA"),
		"cn=resetbot,ou=Services,dc=example,dc=test", "CN=resetbot,OU=Services,DC=example,DC=test",
		"ou=People,dc=example,dc=test", "OU=People,DC=example,DC=test",
		"ou=Groups,dc=example,dc=test", "OU=Groups,DC=example,DC=test",
		"cn=tier0-admins,ou=Groups,dc=example,dc=test", "CN=tier0-admins,OU=Groups,DC=example,DC=test",
	).Replace(string(raw))
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "config", "check", "-connect", path)
	if code != 0 {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "warning: directory: password history is NOT enforced on resets") || !strings.Contains(out, "advertises neither") {
		t.Fatalf("no history warning against Samba:\n%s", out)
	}
}

// TestConfigCheckConnectProbesMemberOf: with directory.group_membership:
// member_of, -connect probes whether slapd keeps memberOf on the
// privileged groups' members. The harness's slapd (memberof overlay) does,
// and the check passes without a warning; a privileged group the probe
// cannot confirm (here one that does not exist) is a warning naming the
// key, not a failure.
func TestConfigCheckConnectProbesMemberOf(t *testing.T) {
	tests := []struct {
		name, privileged, want string
	}{
		{"kept", "cn=tier0-admins,ou=Groups,dc=example,dc=test", ""},
		{"not confirmed", "cn=no-such-group,ou=Groups,dc=example,dc=test", "warning: directory.group_membership: member_of: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := realSlapdFile(t)
			path := f.write(t)
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			yaml := strings.NewReplacer(
				"  flavour: openldap\n", "  flavour: openldap\n  group_membership: member_of\n",
				"cn=tier0-admins,ou=Groups,dc=example,dc=test", tt.privileged,
			).Replace(string(raw))
			if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runCLI(t, "config", "check", "-connect", path)
			if code != 0 {
				t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			switch {
			case tt.want == "" && strings.Contains(out, "warning:"):
				t.Fatalf("a warning where memberOf is kept:\n%s", out)
			case tt.want != "" && !strings.Contains(out, tt.want):
				t.Fatalf("stdout lacks %q:\n%s", tt.want, out)
			}
		})
	}
}
