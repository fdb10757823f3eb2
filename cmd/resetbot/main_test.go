package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/cmd/resetbot/internal/config"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/auditlog"
)

// runCLI runs a command line in-process and returns exit code and outputs.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

const exampleConfig = "../../deploy/config.example.yaml"

// threeMistakes has exactly three problems: a plain-http public URL, a
// plaintext LDAP URL and a link lifetime over the maximum.
const threeMistakes = `server:
  public_base_url: http://reset.example.com
directory:
  flavour: openldap
  urls: [ldap://ldap.example.com]
  bind_dn: cn=resetbot,dc=example,dc=com
  bind_password: {env: RESETBOT_TEST_UNSET_VAR}
  user_base_dn: ou=people,dc=example,dc=com
  group_base_dn: ou=groups,dc=example,dc=com
  privileged_groups: [cn=admins,dc=example,dc=com]
identity:
  teams: {by: email}
flows:
  link_ttl: 1h
web:
  csrf_key: {value: 0123456789abcdef0123456789abcdef}
  totp_key: {value: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}
teams:
  app_id: 0f0f0f0f-0000-4000-8000-000000000001
  app_password: {value: test-only}
  tenant_id: 11111111-2222-4333-8444-555555555555
  helpdesk_channel_id: "19:helpdesk@thread.tacv2"
  helpdesk_service_url: https://smba.trafficmanager.net/emea/
`

func TestConfigCheck(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte(threeMistakes), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      []string
		wantCode  int
		wantLines []string // stdout lines, each matched as a prefix
		wantErr   string   // substring of stderr
	}{
		{
			name:     "example is ok",
			args:     []string{"config", "check", exampleConfig},
			wantCode: 0,
			wantLines: []string{
				"ok: " + exampleConfig,
				"directory activedirectory (2 urls), redis single (1 addrs), platforms discord,slack,teams",
			},
		},
		{
			name:     "three mistakes, one per line",
			args:     []string{"config", "check", bad},
			wantCode: 1,
			wantLines: []string{
				"line 2: server.public_base_url: http:// is allowed only for localhost",
				"line 5: directory.urls[0]: \"ldap://ldap.example.com\" is plaintext LDAP",
				"line 14: flows.link_ttl: 1h0m0s is longer than the maximum 10m0s",
			},
		},
		{
			name:     "resolve also reports the unset secret",
			args:     []string{"config", "check", "-resolve", bad},
			wantCode: 1,
			wantLines: []string{
				"line 2: server.public_base_url:",
				"line 5: directory.urls[0]:",
				"line 7: directory.bind_password: secret(env:RESETBOT_TEST_UNSET_VAR): environment variable RESETBOT_TEST_UNSET_VAR is not set",
				"line 14: flows.link_ttl:",
			},
		},
		{name: "missing file", args: []string{"config", "check", "nope.yaml"}, wantCode: 1, wantErr: "no such file"},
		{name: "no file", args: []string{"config", "check"}, wantCode: 2, wantErr: "want exactly one FILE"},
		{name: "unknown flag", args: []string{"config", "check", "-x", bad}, wantCode: 2, wantErr: "flag provided but not defined"},
		{name: "unknown sub-command", args: []string{"config", "lint"}, wantCode: 2, wantErr: `unknown sub-command "lint"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errOut)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if out == "" {
				lines = nil
			}
			if len(lines) != len(tt.wantLines) {
				t.Fatalf("got %d stdout lines, want %d:\n%s", len(lines), len(tt.wantLines), out)
			}
			for i, want := range tt.wantLines {
				if !strings.HasPrefix(lines[i], want) {
					t.Errorf("line %d = %q, want prefix %q", i+1, lines[i], want)
				}
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr = %q, want it to contain %q", errOut, tt.wantErr)
			}
		})
	}
}

// writeAuditLog writes n records through the real sink.
func writeAuditLog(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	s, err := auditlog.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		ev := flows.Event{ID: fmt.Sprintf("audit:{s01}/1700000000000-%d", i), Time: time.Unix(1700000000, 0).UTC(),
			Type: flows.EventCompleted, FlowID: "f1", Kind: flows.KindReset, Actor: "system", Outcome: "ok"}
		if err := s.Deliver(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAuditVerify(t *testing.T) {
	good := writeAuditLog(t, 3)
	goodBytes, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(goodBytes), "\n")
	lastHash := auditlog.LineHash([]byte(strings.TrimSuffix(lines[2], "\n")))
	edited := filepath.Join(t.TempDir(), "edited.jsonl")
	if err := os.WriteFile(edited, []byte(strings.Replace(string(goodBytes), `"actor":"system"`, `"actor":"slack:U999"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "empty.jsonl")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// A rotated log: records 1-2 in the old file, 3 in the new one; and
	// the old file without its first record.
	rdir := t.TempDir()
	rotated := []string{filepath.Join(rdir, "audit.jsonl.1"), filepath.Join(rdir, "audit.jsonl"), filepath.Join(rdir, "cut.jsonl")}
	for i, content := range []string{lines[0] + lines[1], lines[2], lines[1]} {
		if err := os.WriteFile(rotated[i], []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	secondHash := auditlog.LineHash([]byte(strings.TrimSuffix(lines[1], "\n")))
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{name: "intact", args: []string{"audit", "verify", good}, wantCode: 0,
			wantOut: "OK: " + good + ": 3 records, last seq 3, last hash " + lastHash + "\n"},
		{name: "edited", args: []string{"audit", "verify", edited}, wantCode: 1,
			wantOut: "BROKEN: " + edited + ": line 1 (seq 1): edited: "},
		{name: "empty", args: []string{"audit", "verify", empty}, wantCode: 0, wantOut: "OK: " + empty + ": empty log\n"},
		{name: "missing", args: []string{"audit", "verify", filepath.Join(t.TempDir(), "none")}, wantCode: 1, wantErr: "no such file"},
		{name: "no file", args: []string{"audit", "verify"}, wantCode: 2, wantErr: "want FILE [FILE...]"},
		{name: "rotated pair", args: []string{"audit", "verify", rotated[0], rotated[1]}, wantCode: 0,
			wantOut: "OK: " + rotated[0] + " + " + rotated[1] + ": 3 records, last seq 3, last hash " + lastHash + "\n"},
		{name: "rotated file alone", args: []string{"audit", "verify", rotated[1]}, wantCode: 1,
			wantOut: "BROKEN: " + rotated[1] + ": line 1 (seq 3): removed"},
		{name: "rotated file after its anchor", args: []string{"audit", "verify", "-after", "2:" + secondHash, rotated[1]}, wantCode: 0,
			wantOut: "OK: " + rotated[1] + ": 1 records, last seq 3"},
		{name: "rotated pair in the wrong order still one chain", args: []string{"audit", "verify", rotated[1], rotated[0]}, wantCode: 0,
			wantOut: "OK: "},
		{name: "rotated pair missing a record", args: []string{"audit", "verify", rotated[1], rotated[2]}, wantCode: 1,
			wantOut: "BROKEN: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errOut)
			}
			if !strings.HasPrefix(out, tt.wantOut) {
				t.Errorf("stdout = %q, want prefix %q", out, tt.wantOut)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr = %q, want it to contain %q", errOut, tt.wantErr)
			}
		})
	}
}

func TestDispatch(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{name: "no command", args: nil, wantCode: 2, wantErr: "missing command"},
		{name: "unknown command", args: []string{"reset"}, wantCode: 2, wantErr: `unknown command "reset"`},
		{name: "version", args: []string{"version"}, wantCode: 0, wantOut: "resetbot "},
		{name: "help", args: []string{"help"}, wantCode: 0, wantOut: "usage:"},
		{name: "audit without sub-command", args: []string{"audit"}, wantCode: 2, wantErr: `audit: unknown sub-command ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.wantCode || !strings.HasPrefix(out, tt.wantOut) || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("got code %d stdout %q stderr %q; want code %d stdout prefix %q stderr containing %q",
					code, out, errOut, tt.wantCode, tt.wantOut, tt.wantErr)
			}
		})
	}
}

func TestNewLogger(t *testing.T) {
	tests := []struct {
		name      string
		cfg       config.Log
		wantDebug bool
		wantJSON  bool
		wantErr   bool
	}{
		{name: "json info", cfg: config.Log{Level: "info", Format: "json"}, wantJSON: true},
		{name: "text debug", cfg: config.Log{Level: "debug", Format: "text"}, wantDebug: true},
		{name: "bad level", cfg: config.Log{Level: "loud", Format: "json"}, wantErr: true},
		{name: "bad format", cfg: config.Log{Level: "info", Format: "xml"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l, err := newLogger(tt.cfg, &buf)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			l.Debug("d")
			l.Info("i")
			out := buf.String()
			if got := strings.Contains(out, "msg=d") || strings.Contains(out, `"msg":"d"`); got != tt.wantDebug {
				t.Errorf("debug logged = %v, want %v: %s", got, tt.wantDebug, out)
			}
			first := strings.SplitN(out, "\n", 2)[0]
			if got := json.Valid([]byte(first)); got != tt.wantJSON {
				t.Errorf("json = %v, want %v: %s", got, tt.wantJSON, first)
			}
		})
	}
}

func TestLoadConfigResolvesSecrets(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := strings.NewReplacer(
		"http://reset.example.com", "https://reset.example.com",
		"ldap://", "ldaps://",
		"{env: RESETBOT_TEST_UNSET_VAR}", "{file: "+pw+"}",
		"1h", "5m",
	).Replace(threeMistakes)
	path := filepath.Join(t.TempDir(), "ok.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Directory.BindPassword.Reveal() != "s3cret" || c.Flows.LinkTTL != 5*time.Minute {
		t.Errorf("loaded %+v", c.Directory)
	}
}
