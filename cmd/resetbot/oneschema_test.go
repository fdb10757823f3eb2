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
// directory.group_base_dn, which serve then refused.
func TestConfigCheckAndServeAgree(t *testing.T) {
	m := miniredis.RunT(t)
	ldapDir := `flavour: openldap
  urls: ["ldaps://127.0.0.1:1"]
  bind_dn: "cn=resetbot,ou=Services,dc=example,dc=test"
  bind_password: {value: pw}
  user_base_dn: "ou=People,dc=example,dc=test"`
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
