package config

import (
	"strings"
	"testing"
	"time"
)

// valid returns a configuration that passes Validate, for cases to break.
func valid(t *testing.T) *Config {
	t.Helper()
	c, err := LoadBytes([]byte(minimal), Options{Offline: true, LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *Config)
		want   string // the single expected problem; "" means none
	}{
		{"valid", func(c *Config) {}, ""},
		{"public url missing", func(c *Config) { c.Server.PublicBaseURL = "" }, "server.public_base_url: required"},
		{"public url http localhost", func(c *Config) { c.Server.PublicBaseURL = "http://localhost:8080" }, ""},
		{"public url http 127.0.0.1", func(c *Config) { c.Server.PublicBaseURL = "http://127.0.0.1:8080" }, ""},
		{"public url with a path", func(c *Config) { c.Server.PublicBaseURL = "https://x.example.com/reset" }, "server.public_base_url: \"https://x.example.com/reset\" has a path"},
		{"public url http elsewhere", func(c *Config) { c.Server.PublicBaseURL = "http://10.0.0.1" }, "server.public_base_url: http:// is allowed only"},
		{"public url relative", func(c *Config) { c.Server.PublicBaseURL = "/reset" }, "server.public_base_url: \"/reset\" is not an absolute URL"},
		{"public url query", func(c *Config) { c.Server.PublicBaseURL = "https://x.example.com/?a=1" }, "server.public_base_url: must not contain a query"},
		{"public url userinfo", func(c *Config) { c.Server.PublicBaseURL = "https://u:p@x.example.com" }, "server.public_base_url: must not contain user info"},
		{"public url scheme", func(c *Config) { c.Server.PublicBaseURL = "ftp://x.example.com" }, "server.public_base_url: scheme \"ftp\""},
		{"listen", func(c *Config) { c.Server.Listen = "8080" }, "server.listen: \"8080\" is not host:port"},
		{"tls half", func(c *Config) { c.Server.TLS.CertFile = "c.pem" }, "server.tls: set both"},
		{"redis mode", func(c *Config) { c.Redis.Mode = "replica" }, "redis.mode: \"replica\" is not one of"},
		{"redis sentinel needs master", func(c *Config) { c.Redis.Mode = RedisSentinel }, "redis.master_name: required in sentinel mode"},
		{"redis master outside sentinel", func(c *Config) { c.Redis.MasterName = "m" }, "redis.master_name: only used in sentinel mode"},
		{"redis single many addrs", func(c *Config) { c.Redis.Addrs = []string{"a:1", "b:2"} }, "redis.addrs: single mode takes one address"},
		{"redis cluster many addrs", func(c *Config) { c.Redis.Mode = RedisCluster; c.Redis.Addrs = []string{"a:1", "b:2"} }, ""},
		{"redis cluster db", func(c *Config) { c.Redis.Mode = RedisCluster; c.Redis.DB = 1 }, "redis.db: Redis Cluster has only database 0"},
		{"redis bad port", func(c *Config) { c.Redis.Addrs = []string{"a:0"} }, "redis.addrs[0]: \"a:0\" has no valid port"},
		{"redis tls not enabled", func(c *Config) { c.Redis.TLS.CAFile = "ca.pem" }, "redis.tls: ca_file or server_name is set but enabled is false"},
		{"redis prefix braces", func(c *Config) { c.Redis.KeyPrefix = "{rb}" }, "redis.key_prefix: must not contain { or }"},
		{"directory flavour", func(c *Config) { c.Directory.Flavour = "" }, "directory.flavour: required"},
		{"ldap plaintext", func(c *Config) { c.Directory.URLs = []string{"ldaps://a", "ldap://b"} }, "directory.urls[1]: \"ldap://b\" is plaintext LDAP"},
		{"ldap with start_tls", func(c *Config) { c.Directory.URLs = []string{"ldap://b"}; c.Directory.StartTLS = true }, ""},
		{"ldaps with start_tls", func(c *Config) { c.Directory.StartTLS = true }, "directory.urls[0]: ldaps:// with start_tls: true"},
		{"ldap bad scheme", func(c *Config) { c.Directory.URLs = []string{"https://dc"} }, "directory.urls[0]: scheme \"https\""},
		{"ldap no urls", func(c *Config) { c.Directory.URLs = nil }, "directory.urls: at least one server is required"},
		{"bind dn not a dn", func(c *Config) { c.Directory.BindDN = "resetbot" }, "directory.bind_dn: \"resetbot\" is not a distinguished name"},
		{"bind password missing", func(c *Config) { c.Directory.BindPassword = Secret{} }, "directory.bind_password: required"},
		{"totp previous key not a key", func(c *Config) { c.Web.TOTPPreviousKey = Secret{set: true, resolved: "short"} }, "web.totp_previous_key: must be 32 bytes"},
		{"totp previous key is the key", func(c *Config) {
			k := "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
			c.Web.TOTPKey, c.Web.TOTPPreviousKey = Secret{set: true, ok: true, resolved: k}, Secret{set: true, ok: true, resolved: k}
		}, "web.totp_previous_key: is the same key as totp_key"},
		{"backup key not a key", func(c *Config) { c.Web.CredentialsBackupKey = Secret{set: true, resolved: "short"} }, "web.credentials_backup_key: must be 32 bytes"},
		{"no privileged groups", func(c *Config) { c.Directory.PrivilegedGroups = nil }, "directory.privileged_groups: required"},
		{"memory with urls", func(c *Config) { c.Directory.Flavour = FlavourMemory }, "directory.urls: set, but flavour memory"},
		{"memory needs no bind", func(c *Config) {
			c.Directory = Directory{Flavour: FlavourMemory, Timeout: time.Second, PoolSize: 1, ChatIDAttributes: map[string]string{"slack": "x"}}
		}, ""},
		{"chat id platform", func(c *Config) { c.Directory.ChatIDAttributes["irc"] = "nick" }, "directory.chat_id_attributes.irc (platform): \"irc\" is not one of"},
		{"attribute name", func(c *Config) { c.Directory.EmailAttribute = "e mail" }, "directory.email_attribute: \"e mail\" is not an attribute name"},
		{"timeout", func(c *Config) { c.Directory.Timeout = time.Hour }, "directory.timeout: 1h0m0s is out of range"},
		{"pool size", func(c *Config) { c.Directory.PoolSize = 100 }, "directory.pool_size: 100 is out of range 1..64"},
		{"389ds takes the backend's rules", func(c *Config) { c.Directory.Flavour = Flavour389DS; c.Directory.GroupBaseDN = "" }, "directory.group_base_dn: required"},
		{"empty chat id attribute", func(c *Config) { c.Directory.ChatIDAttributes["slack"] = "" }, "directory.chat_id_attributes.slack: required"},
		{"policy dn not a dn", func(c *Config) { c.Directory.PasswordPolicyDN = "default" }, `directory.password_policy_dn: "default" is not a distinguished name`},
		{"group membership unknown", func(c *Config) { c.Directory.GroupMembership = "memberof" }, `directory.group_membership: "memberof" is not "search" or "member_of"`},
		{"group membership member_of on openldap", func(c *Config) {
			c.Directory.Flavour, c.Directory.GroupMembership = FlavourOpenLDAP, "member_of"
		}, ""},
		{"group membership member_of off openldap", func(c *Config) {
			c.Directory.Flavour, c.Directory.GroupMembership = FlavourActiveDirectory, "member_of"
		}, `directory.group_membership: "member_of" is for openldap`},
		{"totp key not base64", func(c *Config) { c.Web.TOTPKey = Secret{set: true, ok: true, resolved: "not-a-key"} }, "web.totp_key: must be 32 bytes"},
		{"totp key of 16 bytes", func(c *Config) { c.Web.TOTPKey = Secret{set: true, ok: true, resolved: "AAECAwQFBgcICQoLDA0ODw=="} }, "web.totp_key: must be 32 bytes"},
		{"totp previous key of 16 bytes", func(c *Config) {
			c.Web.TOTPPreviousKey = Secret{set: true, ok: true, resolved: "AAECAwQFBgcICQoLDA0ODw=="}
		}, "web.totp_previous_key: must be 32 bytes"},
		{"break glass duplicate", func(c *Config) { c.Directory.BreakGlassAccounts = []string{"root", "Root"} }, "directory.break_glass_accounts[1]: \"Root\" is listed twice"},
		{"no identity", func(c *Config) { c.Identity = nil }, "identity: required"},
		{"identity by name", func(c *Config) { c.Identity["slack"] = IdentityRule{By: "display_name"} }, "identity.slack.by: \"display_name\" is not one of"},
		{"identity needs attribute", func(c *Config) {
			c.Identity["discord"] = IdentityRule{By: ByChatIDAttribute}
			c.Discord = Discord{ApplicationID: "1", PublicKey: strings.Repeat("ab", 32), BotToken: Secret{set: true}, HelpdeskChannelID: "2"}
		}, "identity.discord.by: chat_id_attribute needs directory.chat_id_attributes.discord"},
		{"identity by email", func(c *Config) {
			c.Identity["teams"] = IdentityRule{By: ByEmail}
			c.Teams = Teams{AppID: "0f0f0f0f-0000-4000-8000-000000000001", AppPassword: Secret{set: true}, TenantID: teamsTenant, HelpdeskChannelID: "19:helpdesk@thread.tacv2", HelpdeskServiceURL: "https://smba.example.net/"}
		}, ""},
		{"teams tenant id required", func(c *Config) {
			c.Identity["teams"] = IdentityRule{By: ByChatIDAttribute}
			c.Directory.ChatIDAttributes["teams"] = "extensionAttribute12"
			c.Teams = Teams{AppID: "0f0f0f0f-0000-4000-8000-000000000001", AppPassword: Secret{set: true}, HelpdeskChannelID: "19:helpdesk@thread.tacv2", HelpdeskServiceURL: "https://smba.example.net/"}
		}, "teams.tenant_id: required"},
		{"teams tenant id is a GUID", func(c *Config) {
			c.Identity["teams"] = IdentityRule{By: ByEmail}
			c.Teams = Teams{AppID: "0f0f0f0f-0000-4000-8000-000000000001", AppPassword: Secret{set: true}, TenantID: "contoso.onmicrosoft.com", HelpdeskChannelID: "19:helpdesk@thread.tacv2", HelpdeskServiceURL: "https://smba.example.net/"}
		}, `teams.tenant_id: "contoso.onmicrosoft.com" is not a GUID`},
		{"teams app id required", func(c *Config) {
			c.Identity["teams"] = IdentityRule{By: ByEmail}
			c.Teams = Teams{AppPassword: Secret{set: true}, TenantID: teamsTenant, HelpdeskChannelID: "19:helpdesk@thread.tacv2", HelpdeskServiceURL: "https://smba.example.net/"}
		}, "teams.app_id: required"},
		{"discord by email refused", func(c *Config) {
			c.Identity["discord"] = IdentityRule{By: ByEmail}
			c.Discord = Discord{ApplicationID: "1", PublicKey: strings.Repeat("ab", 32), BotToken: Secret{set: true}, HelpdeskChannelID: "2"}
		}, "identity.discord.by: Discord gives bots no email"},
		{"slack channel is an id", func(c *Config) { c.Slack.HelpdeskChannel = "#helpdesk" }, `slack.helpdesk_channel: "#helpdesk" is not a channel id`},
		{"slack workspace required", func(c *Config) { c.Slack.TeamID = "" }, "slack.team_id: required"},
		{"slack app is an id", func(c *Config) { c.Slack.AppID = "resetbot" }, `slack.app_id: "resetbot" is not an app id`},
		{"web keys required", func(c *Config) { c.Web.CSRFKey = Secret{} }, "web.csrf_key: required"},
		{"bad proxy cidr", func(c *Config) { c.Web.TrustedProxies = []string{"10.0.0.1"} }, `web.trusted_proxies[0]: "10.0.0.1" is not a CIDR`},
		{"rp id unrelated", func(c *Config) { c.Web.RPID = "evil.example.net" }, `web.rp_id: "evil.example.net" is neither the host`},
		{"bad timezone", func(c *Config) { c.Helpdesk.Timezone = "Mars/Olympus" }, `helpdesk.timezone: "Mars/Olympus" is not an IANA time zone`},
		{"language outside the catalogue", func(c *Config) { c.Helpdesk.Language = "de-DE" }, `helpdesk.language: "de-DE" is not one of the catalogue's languages (en, de, fr, es)`},
		{"link ttl too long", func(c *Config) { c.Flows.LinkTTL = 11 * time.Minute }, "flows.link_ttl: 11m0s is longer than the maximum 10m0s"},
		{"link ttl too short", func(c *Config) { c.Flows.LinkTTL = time.Second }, "flows.link_ttl: 1s is too short"},
		{"flow ttl below link", func(c *Config) { c.Flows.FlowTTL = 5 * time.Minute }, "flows.flow_ttl: 5m0s is shorter than link_ttl 10m0s"},
		{"retention", func(c *Config) { c.Flows.AuditRetention = time.Minute }, "flows.audit_retention: 1m0s is shorter than 1h"},
		{"verify attempts", func(c *Config) { c.Flows.MaxVerifyAttempts = -1 }, "flows.max_verify_attempts: -1 is out of range 1..20"},
		{"limits", func(c *Config) { c.Limits.RequestsPerIdentityPerHour = -3 }, "limits.requests_per_identity_per_hour: -3 is out of range"},
		{"audit log dir", func(c *Config) { c.Audit.LogFile = "/var/log/" }, "audit.log_file: \"/var/log/\" is a directory"},
		{"audit format", func(c *Config) { c.Audit.Format = "cef" }, "audit.format"},
		{"stream max len", func(c *Config) { c.Audit.StreamMaxLen = 10 }, "audit.stream_max_len: 10 is below 1000"},
		{"chain head too often", func(c *Config) { c.Audit.PublishHeadEvery = time.Second }, "audit.publish_head_every: 1s: want 0 (off) or at least a minute"},
		{"claim idle too short", func(c *Config) { c.Audit.ClaimIdle = time.Second }, "audit.claim_idle: 1s: want 5s..24h"},
		{"chain head without a log", func(c *Config) { c.Audit.PublishHeadEvery = time.Hour; c.Audit.LogFile = "" }, "audit.publish_head_every: needs audit.log_file"},
		{"log level", func(c *Config) { c.Log.Level = "trace" }, "log.level: \"trace\" is not one of"},
		{"log format", func(c *Config) { c.Log.Format = "xml" }, "log.format: \"xml\" is not one of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid(t)
			tt.mutate(c)
			probs := c.Validate()
			if tt.want == "" {
				if len(probs) != 0 {
					t.Errorf("unexpected problems: %v", probs)
				}
				return
			}
			if len(probs) != 1 {
				t.Fatalf("got %d problems, want 1 (%q): %v", len(probs), tt.want, probs)
			}
			// Strip the "line N: " the file position adds.
			got := probs[0].Error()
			if i := strings.Index(got, ": "); strings.HasPrefix(got, "line ") && i > 0 {
				got = got[i+2:]
			}
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("problem = %q, want prefix %q", got, tt.want)
			}
		})
	}
}

func TestValidateWithoutLoad(t *testing.T) {
	// A Config built in code (tests, the demo) validates too, without
	// line information.
	var c Config
	c.ApplyDefaults()
	probs := c.Validate()
	if len(probs) == 0 {
		t.Fatal("empty config validated")
	}
	for _, p := range probs {
		if strings.HasPrefix(p.Error(), "line ") {
			t.Errorf("line number without a file: %v", p)
		}
	}
}

// teamsTenant is an example Entra tenant id.
const teamsTenant = "11111111-2222-4333-8444-555555555555"
