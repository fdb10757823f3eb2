package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/internal/testenv"
)

// testSigningSecret signs the fake Slack's requests to the test servers.
const testSigningSecret = "test-signing-secret"

// testTOTPKey is the web.totp_key of every test file unless one sets its own.
const testTOTPKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

// testConfig is what differs between the configuration files the binary's
// tests write; writeTestConfig renders every one of them from one
// template, so a key every file needs is added in one place. The example
// company's groups, the slack identity by employeeNumber and a Slack app
// that the fake (slackfake) speaks for are common to all.
type testConfig struct {
	Listen, ManagementListen, PublicBaseURL, RedisAddr, KeyPrefix string
	// RedisCluster are the nodes of a Redis Cluster; set, they replace
	// RedisAddr.
	RedisCluster []string
	// LDAP is the directory section against a real server; nil is the
	// memory directory (the example company).
	LDAP *testLDAP
	// ChatIDAttribute is the slack chat id attribute; default employeeNumber.
	ChatIDAttribute string
	// AuditLog is audit.log_file; default audit.jsonl in the file's directory.
	AuditLog string
	// ClaimIdle is audit.claim_idle; empty keeps the default.
	ClaimIdle string
	// ApproverPasskey is helpdesk.approver_passkey.
	ApproverPasskey bool
	// TOTPKey, TOTPPreviousKey and BackupKey are the web section's keys,
	// base64; TOTPKey defaults to testTOTPKey, the others are left out.
	TOTPKey, TOTPPreviousKey, BackupKey string
	// SlackAPI is slack.api_url; empty leaves it out.
	SlackAPI string
	// Sections are further top-level sections (flows:, reminders:), YAML
	// as written.
	Sections string
}

// testLDAP is the directory section against a real LDAP server; the
// service account and the bases are the test fixtures' unless set.
type testLDAP struct {
	// URLs are the servers, in order.
	URLs []string
	// CAFile verifies them.
	CAFile string
	// BindPassword is the service account's; default the fixtures'.
	BindPassword string
	// UserBaseDN defaults to the fixtures' people.
	UserBaseDN string
	// GroupBaseDN defaults to the fixtures' groups; NoGroupBaseDN leaves
	// the key out.
	GroupBaseDN   string
	NoGroupBaseDN bool
	// PasswordPolicyDN and Timeout are left out when empty.
	PasswordPolicyDN, Timeout string
}

// realSlapd is the directory section against the slapd scripts/test
// started.
func realSlapd(t *testing.T) *testLDAP {
	t.Helper()
	return &testLDAP{
		URLs:   []string{testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_LDAPS_URL")},
		CAFile: testenv.RequireEnv(t, "RESETBOT_TEST_SLAPD_CA"),
	}
}

// writeTestConfig writes a complete configuration file into dir.
func writeTestConfig(t *testing.T, dir string, c testConfig) string {
	t.Helper()
	return writeTestConfigAs(t, dir, "config.yaml", c)
}

// writeTestConfigAs is writeTestConfig with the file's name, for tests that
// write several files into one directory.
func writeTestConfigAs(t *testing.T, dir, name string, c testConfig) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(c.yaml(t, dir)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// yaml renders the file.
func (c testConfig) yaml(t *testing.T, dir string) string {
	t.Helper()
	or := func(s, def string) string {
		if s == "" {
			return def
		}
		return s
	}
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("server:")
	line("  listen: %q", or(c.Listen, ":8080"))
	line("  management_listen: %q", or(c.ManagementListen, freeAddr(t))) // never the shared default port
	line("  public_base_url: %q", c.PublicBaseURL)
	line("redis:")
	if len(c.RedisCluster) > 0 {
		nodes := make([]string, len(c.RedisCluster))
		for i, a := range c.RedisCluster {
			nodes[i] = fmt.Sprintf("%q", a)
		}
		line("  mode: cluster")
		line("  addrs: [%s]", strings.Join(nodes, ", "))
	} else {
		line("  addrs: [%q]", c.RedisAddr)
	}
	line("  key_prefix: %q", or(c.KeyPrefix, "rb"))
	line("directory:")
	if d := c.LDAP; d != nil {
		urls := make([]string, len(d.URLs))
		for i, u := range d.URLs {
			urls[i] = fmt.Sprintf("%q", u)
		}
		line("  flavour: openldap")
		line("  urls: [%s]", strings.Join(urls, ", "))
		line("  ca_file: %q", d.CAFile)
		line(`  bind_dn: "cn=resetbot,ou=Services,dc=example,dc=test"`)
		line("  bind_password: {value: %q}", or(d.BindPassword, "Svc-Passw0rd.1"))
		line("  user_base_dn: %q", or(d.UserBaseDN, "ou=People,dc=example,dc=test"))
		if !d.NoGroupBaseDN {
			line("  group_base_dn: %q", or(d.GroupBaseDN, "ou=Groups,dc=example,dc=test"))
		}
		if d.PasswordPolicyDN != "" {
			line("  password_policy_dn: %q", d.PasswordPolicyDN)
		}
		if d.Timeout != "" {
			line("  timeout: %s", d.Timeout)
		}
	} else {
		line("  flavour: memory")
	}
	line("  chat_id_attributes: {slack: %s}", or(c.ChatIDAttribute, "employeeNumber"))
	line(`  privileged_groups: ["cn=tier0-admins,ou=Groups,dc=example,dc=test"]`)
	line("identity:")
	line("  slack: {by: chat_id_attribute}")
	line("helpdesk:")
	line(`  group: "cn=helpdesk,ou=Groups,dc=example,dc=test"`)
	line("  approver_passkey: %t", c.ApproverPasskey)
	line("audit:")
	line("  log_file: %q", or(c.AuditLog, filepath.Join(dir, "audit.jsonl")))
	if c.ClaimIdle != "" {
		line("  claim_idle: %s", c.ClaimIdle)
	}
	line("web:")
	line("  csrf_key: {value: 0123456789abcdef0123456789abcdef}")
	line("  totp_key: {value: %s}", or(c.TOTPKey, testTOTPKey))
	if c.TOTPPreviousKey != "" {
		line("  totp_previous_key: {value: %s}", c.TOTPPreviousKey)
	}
	if c.BackupKey != "" {
		line("  credentials_backup_key: {value: %s}", c.BackupKey)
	}
	line("slack:")
	line("  signing_secret: {value: %s}", testSigningSecret)
	line("  bot_token: {value: xoxb-test}")
	if c.SlackAPI != "" {
		line("  api_url: %q", c.SlackAPI)
	}
	line("  helpdesk_channel: C0HELPDESK")
	line("  team_id: T0FAKE")
	line("  app_id: %s", slackfake.AppID)
	b.WriteString(c.Sections)
	return b.String()
}
