package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"
)

// TestConfigCheckAndServeAgree runs each file through `config check
// -resolve` and through serve's start-up: both accept it or both refuse it.
// Before one schema, config check accepted an xapp- bot token and a missing
// directory.group_base_dn, which serve then refused; until every LDAP
// flavour ran the backend's rules, a 389ds file without group_base_dn too.
// A row for each rule of a package's own Validate and for the file's rules
// kept beside them (the platforms a chat id attribute names, the privileged
// groups, the spelling of a key).
func TestConfigCheckAndServeAgree(t *testing.T) {
	m := miniredis.RunT(t)
	ldapDir := `flavour: openldap
  urls: ["ldaps://127.0.0.1:1"]
  bind_dn: "cn=resetbot,ou=Services,dc=example,dc=test"
  bind_password: {value: pw}
  user_base_dn: "ou=People,dc=example,dc=test"`
	groupBase := `
  group_base_dn: "ou=Groups,dc=example,dc=test"`
	ds389Dir := strings.Replace(ldapDir, "flavour: openldap", "flavour: 389ds", 1)
	brokenTemplates := t.TempDir()
	if err := os.WriteFile(filepath.Join(brokenTemplates, "done.html"), []byte(`{{define "content"}}{{if}}{{end}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		old     string // replaced in the valid file by new
		new     string
		wantOK  bool
		wantKey string // the key the refusal names
	}{
		{name: "valid", wantOK: true},
		{name: "xapp- token as the bot token", old: "bot_token: {value: xoxb-test}", new: "bot_token: {value: xapp-1-A0-1-x}", wantKey: "slack.bot_token"},
		{name: "missing group_base_dn", old: "flavour: memory", new: ldapDir, wantKey: "directory.group_base_dn"},
		{name: "public url with a path", old: `public_base_url: "http://localhost:8080"`, new: `public_base_url: "http://localhost:8080/reset"`, wantKey: "server.public_base_url"},
		{name: "short csrf key", old: "csrf_key: {value: 0123456789abcdef0123456789abcdef}", new: "csrf_key: {value: short}", wantKey: "web.csrf_key"},
		{name: "slack channel name", old: "helpdesk_channel: C0HELPDESK", new: "helpdesk_channel: it-help", wantKey: "slack.helpdesk_channel"},
		{name: "language outside the catalogue", old: "helpdesk:\n", new: "helpdesk:\n  language: pt\n", wantKey: "helpdesk.language"},
		{name: "unknown time zone", old: "helpdesk:\n", new: "helpdesk:\n  timezone: Mars/Olympus\n", wantKey: "helpdesk.timezone"},
		{name: "trusted proxy not a cidr", old: "web:\n", new: "web:\n  trusted_proxies: [10.0.0.1]\n", wantKey: "web.trusted_proxies[0]"},
		// The LDAP backend's own rules, for every LDAP flavour.
		{name: "389ds without group_base_dn", old: "flavour: memory", new: ds389Dir, wantKey: "directory.group_base_dn"},
		{name: "directory timeout above 2m", old: "flavour: memory", new: ldapDir + groupBase + "\n  timeout: 1h", wantKey: "directory.timeout"},
		{name: "directory pool above 64", old: "flavour: memory", new: ldapDir + groupBase + "\n  pool_size: 65", wantKey: "directory.pool_size"},
		{name: "password policy dn not a dn", old: "flavour: memory", new: ldapDir + groupBase + "\n  password_policy_dn: default", wantKey: "directory.password_policy_dn"},
		{name: "empty chat id attribute", old: "flavour: memory\n  chat_id_attributes: {slack: employeeNumber}", new: ldapDir + groupBase + "\n  chat_id_attributes: {slack: \"\"}", wantKey: "directory.chat_id_attributes.slack"},
		{name: "chat id attribute injection", old: "flavour: memory\n  chat_id_attributes: {slack: employeeNumber}", new: ldapDir + groupBase + "\n  chat_id_attributes: {slack: \"x)(uid=*\"}", wantKey: "directory.chat_id_attributes.slack"},
		// The file's own rules about the directory.
		{name: "chat id attribute of no platform", old: "chat_id_attributes: {slack: employeeNumber}", new: "chat_id_attributes: {slack: employeeNumber, irc: nick}", wantKey: "directory.chat_id_attributes.irc (platform)"},
		{name: "privileged group not a dn", old: "flavour: memory\n  chat_id_attributes: {slack: employeeNumber}\n  privileged_groups: [\"cn=tier0-admins,ou=Groups,dc=example,dc=test\"]",
			new: ldapDir + groupBase + "\n  chat_id_attributes: {slack: employeeNumber}\n  privileged_groups: [tier0-admins]", wantKey: "directory.privileged_groups[0]"},
		// The web app's own rules, and the file's spelling of a key.
		{name: "rp id of another site", old: "web:\n", new: "web:\n  rp_id: evil.example.net\n", wantKey: "web.rp_id"},
		{name: "totp key of 16 bytes", old: "totp_key: {value: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}", new: "totp_key: {value: AAECAwQFBgcICQoLDA0ODw==}", wantKey: "web.totp_key"},
		{name: "totp key not base64", old: "totp_key: {value: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}", new: "totp_key: {value: not-a-key}", wantKey: "web.totp_key"},
		{name: "previous totp key is the key", old: "web:\n", new: "web:\n  totp_previous_key: {value: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}\n", wantKey: "web.totp_previous_key"},
		{name: "backup key of 16 bytes", old: "web:\n", new: "web:\n  credentials_backup_key: {value: AAECAwQFBgcICQoLDA0ODw==}\n", wantKey: "web.credentials_backup_key"},
		{name: "logo file that is no image", old: "web:\n", new: "web:\n  branding: {company_name: Example Corp, logo_file: oneschema_test.go}\n", wantKey: "web.branding.logo_file"},
		{name: "logo file missing", old: "web:\n", new: "web:\n  branding: {company_name: Example Corp, logo_file: /nonexistent/logo.png}\n", wantKey: "web.branding.logo_file"},
		{name: "template that does not parse", old: "web:\n", new: "web:\n  templates_dir: " + brokenTemplates + "\n", wantKey: "web.templates_dir"},
		// The Slack package's own rules.
		{name: "xoxb- token as the app token", old: "bot_token: {value: xoxb-test}", new: "bot_token: {value: xoxb-test}\n  app_token: {value: xoxb-other}", wantKey: "slack.app_token"},
		{name: "slack workspace missing", old: "  team_id: T0FAKE\n", new: "", wantKey: "slack.team_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeTestConfig(t, dir, testConfig{Listen: freeAddr(t), PublicBaseURL: "http://localhost:8080", RedisAddr: m.Addr(), SlackAPI: "http://127.0.0.1:1/api/"})
			if tt.old != "" {
				b, _ := os.ReadFile(path)
				if !strings.Contains(string(b), tt.old) {
					t.Fatalf("test file has no %q", tt.old)
				}
				path = filepath.Join(dir, "broken.yaml")
				if err := os.WriteFile(path, []byte(strings.Replace(string(b), tt.old, tt.new, 1)), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			code, out, errOut := runCLI(t, "config", "check", "-resolve", path)
			checkOK := code == 0
			if !tt.wantOK && !strings.Contains(out, tt.wantKey+": ") {
				t.Errorf("config check does not name %s:\n%s%s", tt.wantKey, out, errOut)
			}
			serveErr := startOnce(t, path)
			if checkOK != tt.wantOK || (serveErr == nil) != tt.wantOK {
				t.Fatalf("config check ok = %v, serve start error = %v; want both ok = %v\nconfig check said:\n%s%s", checkOK, serveErr, tt.wantOK, out, errOut)
			}
			if !tt.wantOK && !strings.Contains(serveErr.Error(), tt.wantKey+": ") {
				t.Errorf("serve refused without naming %s: %v", tt.wantKey, serveErr)
			}
		})
	}
}

// startOnce does what serve does before it listens: load the file and
// build every component; it closes them again.
func startOnce(t *testing.T, path string) error {
	t.Helper()
	cfg, err := loadConfig(path)
	if err != nil {
		return err
	}
	s, err := build(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	s.close()
	return nil
}
