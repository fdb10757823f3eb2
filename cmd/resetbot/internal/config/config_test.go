package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// env builds a LookupEnv from a map, so tests never touch the process
// environment.
func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// minimal is a small valid OpenLDAP configuration the tests start from.
const minimal = `
server:
  public_base_url: https://reset.example.com
directory:
  flavour: openldap
  urls: [ldaps://ldap.example.com:636]
  bind_dn: cn=resetbot,dc=example,dc=com
  bind_password: {env: BIND_PW}
  user_base_dn: ou=people,dc=example,dc=com
  group_base_dn: ou=groups,dc=example,dc=com
  privileged_groups: [cn=admins,ou=groups,dc=example,dc=com]
  chat_id_attributes: {slack: slackId}
identity:
  slack: {by: chat_id_attribute}
web:
  csrf_key: {env: CSRF_KEY}
  totp_key: {env: TOTP_KEY}
slack:
  signing_secret: {env: SLACK_SIGNING_SECRET}
  bot_token: {env: SLACK_BOT_TOKEN}
  helpdesk_channel: C0HELPDESK
  team_id: T0WORKSPACE
`

// testEnv holds every secret minimal refers to, plus extra.
func testEnv(extra map[string]string) func(string) (string, bool) {
	m := map[string]string{
		"BIND_PW":              "s3cret",
		"CSRF_KEY":             "0123456789abcdef0123456789abcdef",
		"TOTP_KEY":             "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"SLACK_SIGNING_SECRET": "signing",
		"SLACK_BOT_TOKEN":      "xoxb-test",
	}
	for k, v := range extra {
		m[k] = v
	}
	return env(m)
}

// problemsOf returns the messages of a Load error, one per problem.
func problemsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var p Problems
	if !errors.As(err, &p) {
		t.Fatalf("error is not Problems: %v", err)
	}
	msgs := make([]string, len(p))
	for i, e := range p {
		msgs[i] = e.Error()
	}
	return msgs
}

func TestDeployConfigsHaveNoProblems(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		flavour string
	}{
		{"example documents every key", "config.example.yaml", FlavourActiveDirectory},
		{"compose trial", "config.compose.yaml", FlavourOpenLDAP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join("..", "..", "..", "..", "deploy", tt.file)
			c, err := Load(path, Options{Offline: true, LookupEnv: env(nil)})
			if msgs := problemsOf(t, err); len(msgs) > 0 {
				t.Fatalf("%s has problems:\n%s", tt.file, strings.Join(msgs, "\n"))
			}
			if c.Directory.Flavour != tt.flavour {
				t.Errorf("flavour = %q, want %q", c.Directory.Flavour, tt.flavour)
			}
		})
	}
}

func TestMinimalConfigDefaults(t *testing.T) {
	c, err := LoadBytes([]byte(minimal), Options{LookupEnv: testEnv(nil)})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"listen", c.Server.Listen, DefaultListen},
		{"redis mode", c.Redis.Mode, RedisSingle},
		{"redis addrs", strings.Join(c.Redis.Addrs, ","), DefaultRedisAddr},
		{"key prefix", c.Redis.KeyPrefix, "rb"},
		{"account attribute", c.Directory.AccountAttribute, "uid"},
		{"email attribute", c.Directory.EmailAttribute, "mail"},
		{"timeout", c.Directory.Timeout, DefaultDirectoryTimeout},
		{"link ttl", c.Flows.LinkTTL, 10 * time.Minute},
		{"flow ttl", c.Flows.FlowTTL, DefaultFlowTTL},
		{"stream max len", c.Audit.StreamMaxLen, int64(DefaultStreamMaxLen)},
		{"claim idle", c.Audit.ClaimIdle, DefaultClaimIdle},
		{"log format", c.Log.Format, "json"},
		{"bind password", c.Directory.BindPassword.Reveal(), "s3cret"},
	}
	for _, tt := range checks {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestThreeMistakesAreAllReported(t *testing.T) {
	bad := strings.NewReplacer(
		"https://reset.example.com", "http://reset.example.com",
		"ldaps://ldap.example.com:636", "ldap://ldap.example.com:389",
	).Replace(minimal) + "flows:\n  link_ttl: 15m\n"
	_, err := LoadBytes([]byte(bad), Options{LookupEnv: testEnv(nil)})
	msgs := problemsOf(t, err)
	want := []string{
		"line 3: server.public_base_url: http:// is allowed only for localhost",
		"line 6: directory.urls[0]: \"ldap://ldap.example.com:389\" is plaintext LDAP",
		"line 24: flows.link_ttl: 15m0s is longer than the maximum 10m0s",
	}
	if len(msgs) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(msgs), len(want), strings.Join(msgs, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(msgs[i], want[i]) {
			t.Errorf("problem %d = %q, want prefix %q", i, msgs[i], want[i])
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"unknown key", minimal + "log:\n  levle: debug\n", []string{"line 24: log.levle: unknown key"}},
		{"two unknown keys", minimal + "log:\n  lisen: x\nfoo: 1\n", []string{"line 24: log.lisen: unknown key", "line 25: foo: unknown key"}},
		{"unknown key in flow mapping", minimal + "log: {level: info, tsl: {}}\n", []string{"line 23: log.tsl: unknown key"}},
		{"wrong type", minimal + "limits:\n  requests_per_identity_per_hour: many\n", []string{"line 24: limits.requests_per_identity_per_hour: cannot unmarshal !!str `many` into int"}},
		{"duration as number", minimal + "flows:\n  link_ttl: 600\n", []string{"line 24: flows.link_ttl: cannot unmarshal !!int `600` into time.Duration (write a duration such as 10m)"}},
		{"inline secret", minimal + "redis:\n  password: hunter2\n", []string{"line 24: redis.password: a secret must be a reference"}},
		{"secret with two sources", minimal + "redis:\n  password: {env: A, file: /b}\n", []string{"line 24: redis.password: a secret takes exactly one of env, file or value"}},
		{"secret in a block with two sources", minimal + "redis:\n  password:\n    env: A\n    file: /b\n", []string{"line 25: redis.password: a secret takes exactly one of env, file or value"}},
		{"secret with unknown key", minimal + "redis:\n  password: {hunter2: x}\n", []string{"line 24: redis.password: unknown key in a secret reference"}},
		{"wrong type in a flow mapping", minimal + "limits: {requests_per_identity_per_hour: 5, requests_per_account_per_hour: lots}\n", []string{"line 23: limits.requests_per_account_per_hour: cannot unmarshal !!str `lots`"}},
		{"empty file", "", []string{"config: the file is empty"}},
		{"two documents", minimal + "---\nserver: {}\n", []string{"config: more than one YAML document"}},
		{"not yaml", "server: [\n", []string{"config: yaml: line"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadBytes([]byte(tt.yaml), Options{Offline: true, LookupEnv: env(nil)})
			msgs := problemsOf(t, err)
			if len(msgs) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(msgs), len(tt.want), strings.Join(msgs, "\n"))
			}
			for i := range tt.want {
				if !strings.HasPrefix(msgs[i], tt.want[i]) {
					t.Errorf("problem %d = %q, want prefix %q", i, msgs[i], tt.want[i])
				}
				if strings.Contains(msgs[i], "hunter2") {
					t.Errorf("problem %d echoes the secret: %q", i, msgs[i])
				}
			}
		})
	}
}

func TestEnvOverrides(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		wantURL   string
		wantAddrs string
		wantProb  string
	}{
		{name: "none", env: map[string]string{}, wantURL: "https://reset.example.com", wantAddrs: DefaultRedisAddr},
		{name: "public base url", env: map[string]string{EnvPublicBaseURL: "https://staging.example.com"}, wantURL: "https://staging.example.com", wantAddrs: DefaultRedisAddr},
		{name: "redis addrs", env: map[string]string{EnvRedisAddrs: "a:1, b:2"}, wantURL: "https://reset.example.com", wantAddrs: "a:1,b:2",
			wantProb: "redis.addrs (from $RESETBOT_REDIS_ADDRS): single mode takes one address"},
		{name: "bad url names the variable", env: map[string]string{EnvPublicBaseURL: "http://evil.example.com"}, wantURL: "http://evil.example.com", wantAddrs: DefaultRedisAddr,
			wantProb: "server.public_base_url (from $RESETBOT_SERVER_PUBLIC_BASE_URL): http:// is allowed only"},
		{name: "bad addr names the variable", env: map[string]string{EnvRedisAddrs: "nope"}, wantURL: "https://reset.example.com", wantAddrs: "nope",
			wantProb: "redis.addrs[0] (from $RESETBOT_REDIS_ADDRS): \"nope\" is not host:port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadBytes([]byte(minimal), Options{LookupEnv: testEnv(tt.env)})
			msgs := problemsOf(t, err)
			if c.Server.PublicBaseURL != tt.wantURL || strings.Join(c.Redis.Addrs, ",") != tt.wantAddrs {
				t.Errorf("url %q addrs %q", c.Server.PublicBaseURL, c.Redis.Addrs)
			}
			switch {
			case tt.wantProb == "" && len(msgs) > 0:
				t.Errorf("unexpected problems: %q", msgs)
			case tt.wantProb != "" && (len(msgs) != 1 || msgs[0] != tt.wantProb && !strings.HasPrefix(msgs[0], tt.wantProb)):
				t.Errorf("problems = %q, want one starting %q", msgs, tt.wantProb)
			}
		})
	}
}

func TestFilesAreCheckedUnlessOffline(t *testing.T) {
	yaml := strings.Replace(minimal, "  bind_dn:", "  ca_file: /nonexistent/ca.pem\n  bind_dn:", 1)
	_, err := LoadBytes([]byte(yaml), Options{Offline: true, LookupEnv: env(nil)})
	if err != nil {
		t.Fatalf("offline: %v", err)
	}
	_, err = LoadBytes([]byte(yaml), Options{LookupEnv: testEnv(map[string]string{"BIND_PW": ""})})
	msgs := problemsOf(t, err)
	if len(msgs) != 2 || !strings.HasPrefix(msgs[1], "line 9: directory.bind_password: secret(env:BIND_PW): environment variable BIND_PW is not set") ||
		!strings.HasPrefix(msgs[0], "line 7: directory.ca_file: open /nonexistent/ca.pem: no such file") {
		t.Errorf("problems = %q", msgs)
	}
}

// TestWebFilesAreCheckedUnlessOffline: the logo and the templates
// directory are files of the server's host, so an offline check leaves
// them alone and a resolving one (config check -resolve, serve) refuses an
// unreadable or wrong-type logo and a broken template, each naming its line
// and key.
func TestWebFilesAreCheckedUnlessOffline(t *testing.T) {
	dir := t.TempDir()
	notImage := filepath.Join(dir, "logo.png")
	if err := os.WriteFile(notImage, []byte("GIF89a not a logo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "done.html"), []byte(`{{define "content"}}{{if}}{{end}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	yaml := strings.Replace(minimal, "  csrf_key:", "  branding:\n    company_name: Example Corp\n    logo_file: "+notImage+"\n  templates_dir: "+dir+"\n  csrf_key:", 1)
	if _, err := LoadBytes([]byte(yaml), Options{Offline: true, LookupEnv: env(nil)}); err != nil {
		t.Fatalf("offline: %v", err)
	}
	_, err := LoadBytes([]byte(yaml), Options{LookupEnv: testEnv(nil)})
	msgs := problemsOf(t, err)
	if len(msgs) != 2 || msgs[0] != "line 18: web.branding.logo_file: "+notImage+" is not a PNG, JPEG or SVG image" ||
		!strings.HasPrefix(msgs[1], "line 19: web.templates_dir: "+filepath.Join(dir, "done.html")+": template: done.html:1: missing value for if") {
		t.Errorf("problems = %q", msgs)
	}
	missing := strings.Replace(yaml, notImage, filepath.Join(dir, "nope.svg"), 1)
	missing = strings.Replace(missing, "  templates_dir: "+dir+"\n", "", 1)
	_, err = LoadBytes([]byte(missing), Options{LookupEnv: testEnv(nil)})
	if msgs := problemsOf(t, err); len(msgs) != 1 || !strings.HasPrefix(msgs[0], "line 18: web.branding.logo_file: open "+filepath.Join(dir, "nope.svg")+": no such file") {
		t.Errorf("missing logo: %q", msgs)
	}
}

func TestSecretFromFile(t *testing.T) {
	tests := []struct {
		name     string
		contents string
		want     string
		wantErr  string
	}{
		{name: "trailing newline dropped", contents: "pa55word\n", want: "pa55word"},
		{name: "inner spaces kept", contents: "a b \n", want: "a b "},
		{name: "empty file", contents: "\n", wantErr: "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pw")
			if err := os.WriteFile(path, []byte(tt.contents), 0o600); err != nil {
				t.Fatal(err)
			}
			yaml := strings.Replace(minimal, "{env: BIND_PW}", "{file: "+path+"}", 1)
			c, err := LoadBytes([]byte(yaml), Options{LookupEnv: testEnv(map[string]string{"BIND_PW": ""})})
			msgs := problemsOf(t, err)
			if tt.wantErr != "" {
				if len(msgs) != 1 || !strings.Contains(msgs[0], tt.wantErr) {
					t.Errorf("problems = %q, want one containing %q", msgs, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Directory.BindPassword.Reveal(); got != tt.want {
				t.Errorf("Reveal = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestDecodeAndSemanticProblemsInOneRun is the regression test for a type
// error hiding every other problem: a file with an unknown key, a wrong type
// and two semantic mistakes reports all four in one run, top to bottom, and
// says nothing more about the key whose value could not be decoded.
func TestDecodeAndSemanticProblemsInOneRun(t *testing.T) {
	bad := strings.NewReplacer(
		"https://reset.example.com", "http://reset.example.com",
	).Replace(minimal) + "flows:\n  link_ttl: 15m\n  flow_ttl: soon\n  colour: blue\nlimits:\n  requests_per_identity_per_hour: -3\n"
	_, err := LoadBytes([]byte(bad), Options{LookupEnv: testEnv(nil)})
	msgs := problemsOf(t, err)
	want := []string{
		"line 3: server.public_base_url: http:// is allowed only for localhost",
		"line 24: flows.link_ttl: 15m0s is longer than the maximum",
		"line 25: flows.flow_ttl: cannot unmarshal !!str `soon` into time.Duration",
		"line 26: flows.colour: unknown key",
		"line 28: limits.requests_per_identity_per_hour: -3 is out of range",
	}
	if len(msgs) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(msgs), len(want), strings.Join(msgs, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(msgs[i], want[i]) {
			t.Errorf("problem %d = %q, want prefix %q", i, msgs[i], want[i])
		}
	}
}

// TestRPNameDefaultsToCompanyName: the name a phone shows for the passkey
// (web.rp_name), and with it the authenticator apps' issuer, is the
// company's when web.branding.company_name is set, "resetbot" only when
// nothing names the company, and rp_name itself when it is set (#11: no
// page or prompt says resetbot unless configured so).
func TestRPNameDefaultsToCompanyName(t *testing.T) {
	brand := "\n  branding:\n    company_name: Acme Widgets\n"
	tests := []struct {
		name, web, want string
	}{
		{"no company name", "", DefaultRPName},
		{"company name", brand, "Acme Widgets"},
		{"rp_name set", brand + "  rp_name: Acme password reset\n", "Acme password reset"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			yml := strings.Replace(minimal, "web:\n", "web:"+strings.TrimSuffix(tc.web, "\n")+"\n", 1)
			c, err := LoadBytes([]byte(yml), Options{LookupEnv: testEnv(nil)})
			if err != nil {
				t.Fatal(err)
			}
			if c.Web.RPName != tc.want {
				t.Errorf("rp_name = %q, want %q", c.Web.RPName, tc.want)
			}
			if got := c.WebApp().RPName; got != tc.want {
				t.Errorf("the web app's RPName = %q, want %q", got, tc.want)
			}
		})
	}
}
