package config

import "time"

// Config is the whole configuration. Each section is its own type so the
// wiring code can hand a component exactly the part it needs.
type Config struct {
	Server    Server     `yaml:"server"`
	Redis     Redis      `yaml:"redis"`
	Directory Directory  `yaml:"directory"`
	Identity  Identity   `yaml:"identity"`
	Flows     Flows      `yaml:"flows"`
	Limits    Limits     `yaml:"limits"`
	Audit     Audit      `yaml:"audit"`
	Log       Log        `yaml:"log"`
	Web       Web        `yaml:"web"`
	Helpdesk  Helpdesk   `yaml:"helpdesk"`
	Alerts    Alerts     `yaml:"alerts"`
	Slack     Slack      `yaml:"slack"`
	Teams     Teams      `yaml:"teams"`
	Discord   Discord    `yaml:"discord"`
	Reminders Reminders  `yaml:"reminders"`
	Report    Report     `yaml:"report"`
	Campaigns []Campaign `yaml:"campaigns"`
	Risk      Risk       `yaml:"risk"`

	// lines maps key paths ("directory.urls[1]") to their line in the
	// file, so validation problems can point at the line to fix.
	lines map[string]int
	// fromEnv maps key paths set by an environment override to the
	// variable's name, so a problem names where the bad value came from.
	fromEnv map[string]string
	// offline is set when the load did not look at the host: secrets are
	// unresolved and referenced files unread.
	offline bool
}

// Server is the HTTP side: the web app behind reset links and the chat
// platforms' webhooks.
type Server struct {
	// Listen is the public address, e.g. ":8080": the web app behind the
	// links and the chat webhooks, nothing else.
	Listen string `yaml:"listen"`
	// ManagementListen is the address of /metrics, /healthz and /readyz,
	// kept off the public listener the phones reach; loopback by default.
	ManagementListen string `yaml:"management_listen"`
	// PublicBaseURL is the only origin reset links are built from. Request
	// headers (Host, X-Forwarded-Host) are never used, so a forged header
	// cannot make the bot send a link to an attacker's site.
	PublicBaseURL string `yaml:"public_base_url"`
	// TLS, when set, makes the server terminate TLS itself; leave it empty
	// behind a TLS-terminating proxy or ingress.
	TLS ServerTLS `yaml:"tls"`
}

// ServerTLS is the server's own certificate, both files or neither.
type ServerTLS struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// Redis modes.
const (
	RedisSingle   = "single"
	RedisSentinel = "sentinel"
	RedisCluster  = "cluster"
)

// Redis is where flows, limits and the audit stream live.
type Redis struct {
	// Mode is single, sentinel or cluster.
	Mode string `yaml:"mode"`
	// Addrs are host:port pairs: the server (single), the sentinels
	// (sentinel) or seed nodes (cluster).
	Addrs []string `yaml:"addrs"`
	// MasterName is the sentinel master set name; sentinel mode only.
	MasterName string `yaml:"master_name"`
	Username   string `yaml:"username"`
	Password   Secret `yaml:"password"`
	// DB is the database number; must be 0 in cluster mode.
	DB  int      `yaml:"db"`
	TLS RedisTLS `yaml:"tls"`
	// KeyPrefix starts every key, so several deployments can share one
	// Redis. It may not contain braces: keys are hash-tagged per flow.
	KeyPrefix string `yaml:"key_prefix"`
}

// RedisTLS configures TLS to Redis.
type RedisTLS struct {
	Enabled bool `yaml:"enabled"`
	// CAFile is a PEM bundle to trust instead of the system roots.
	CAFile string `yaml:"ca_file"`
	// ServerName overrides the name checked in the server certificate.
	ServerName string `yaml:"server_name"`
}

// Directory flavours.
const (
	FlavourActiveDirectory = "activedirectory"
	FlavourOpenLDAP        = "openldap"
	FlavourMemory          = "memory"
	Flavour389DS           = "389ds"
)

// Directory describes the company directory. The lead maps it onto the
// backend's own configuration; this package does not import the backends.
type Directory struct {
	// Flavour is activedirectory, openldap or memory (demo and tests).
	Flavour string `yaml:"flavour"`
	// URLs are tried in order: ldaps://host:636 or ldap://host:389 with
	// StartTLS. Plain ldap:// without StartTLS is refused.
	URLs     []string `yaml:"urls"`
	StartTLS bool     `yaml:"start_tls"`
	// CAFile is a PEM bundle to trust instead of the system roots.
	CAFile string `yaml:"ca_file"`
	// ServerName overrides the name checked in the server certificate.
	ServerName string `yaml:"server_name"`
	// BindDN and BindPassword are the service account that looks users up
	// and sets passwords.
	BindDN       string `yaml:"bind_dn"`
	BindPassword Secret `yaml:"bind_password"`
	UserBaseDN   string `yaml:"user_base_dn"`
	GroupBaseDN  string `yaml:"group_base_dn"`
	// PasswordPolicyDN is the OpenLDAP pwdPolicy entry whose rules the
	// password form shows; needed only when the server holds more than one.
	PasswordPolicyDN string `yaml:"password_policy_dn"`
	// GroupMembership is how OpenLDAP finds a user's groups: search (the
	// default, works everywhere) or member_of (the memberof overlay's
	// values, read with the entry: fewer searches per reset).
	GroupMembership string `yaml:"group_membership"`
	// AccountAttribute holds the account name (sAMAccountName, uid).
	AccountAttribute string `yaml:"account_attribute"`
	// EmailAttribute holds the verified email address.
	EmailAttribute string `yaml:"email_attribute"`
	// ChatIDAttributes maps a chat platform (slack, teams, discord) to the
	// attribute holding the user's immutable id on that platform.
	ChatIDAttributes map[string]string `yaml:"chat_id_attributes"`
	// Timeout bounds each directory operation.
	Timeout time.Duration `yaml:"timeout"`
	// PoolSize is the number of pooled service-account connections.
	PoolSize int `yaml:"pool_size"`
	// EnforceHistory (default true) makes Active Directory apply password
	// history and minimum age to resets (the policy-hints control).
	EnforceHistory *bool `yaml:"enforce_history"`
	// PrivilegedGroups are group DNs (nested membership counts) whose
	// members need a passkey and a helpdesk approval.
	PrivilegedGroups []string `yaml:"privileged_groups"`
	// BreakGlassAccounts are accounts the bot never resets: each entry is
	// a login name (any of the account's names matches), a DN, or an
	// immutable id (objectGUID, entryUUID).
	BreakGlassAccounts []string `yaml:"break_glass_accounts"`
}

// Chat platforms known to the identity mapping.
const (
	PlatformSlack   = "slack"
	PlatformTeams   = "teams"
	PlatformDiscord = "discord"
)

// Identity maps a chat platform to how its users are found in the
// directory. Only platforms listed here can start flows.
type Identity map[string]IdentityRule

// Ways to map a chat identity to a directory account.
const (
	// ByChatIDAttribute looks the platform's immutable user id up in
	// directory.chat_id_attributes[platform].
	ByChatIDAttribute = "chat_id_attribute"
	// ByEmail looks the platform-verified email up in
	// directory.email_attribute.
	ByEmail = "email"
)

// IdentityRule is how one platform's users map to accounts. Display names
// are deliberately not an option: they are not unique and users edit them.
type IdentityRule struct {
	By string `yaml:"by"`
}

// MaxLinkTTL is the longest a reset link may live, a rule of the design.
const MaxLinkTTL = 10 * time.Minute

// Flows tunes the reset flows.
type Flows struct {
	// LinkTTL is how long a reset link stays valid; at most MaxLinkTTL.
	LinkTTL time.Duration `yaml:"link_ttl"`
	// FlowTTL is how long a flow may take end to end, including waiting
	// for a helpdesk approval; at least LinkTTL.
	FlowTTL time.Duration `yaml:"flow_ttl"`
	// AuditRetention is how long finished flows and audit stream entries
	// are kept in Redis (the JSON log keeps them for good).
	AuditRetention      time.Duration `yaml:"audit_retention"`
	MaxVerifyAttempts   int           `yaml:"max_verify_attempts"`
	MaxPasswordAttempts int           `yaml:"max_password_attempts"`
	// WriteTimeout bounds a flow's directory write, detached from the
	// browser's request; RecordTimeout how long its outcome is retried
	// while Redis is away. A flow still writing after both is reconciled
	// from the directory's evidence. Zero: 30s each.
	WriteTimeout  time.Duration `yaml:"write_timeout"`
	RecordTimeout time.Duration `yaml:"record_timeout"`
}

// Limits slow down abuse across flows.
type Limits struct {
	RequestsPerAccountPerHour           int `yaml:"requests_per_account_per_hour"`
	RequestsPerIdentityPerHour          int `yaml:"requests_per_identity_per_hour"`
	FailedVerificationsPerAccountPerDay int `yaml:"failed_verifications_per_account_per_day"`
	// InteractionsPerIdentityPerMinute budgets each chat identity's
	// commands that start no flow (status, help, cancel, report, pushes)
	// and button clicks.
	InteractionsPerIdentityPerMinute int `yaml:"interactions_per_identity_per_minute"`
}

// Audit configures where audit events go besides the chat threads.
type Audit struct {
	// LogFile is the hash-chained JSON-lines log for the SIEM: a file
	// path, "-" for standard output, "syslog" (the local socket) or
	// "syslog+udp://host:514" / "syslog+tcp://host:601" (RFC 5424); empty
	// disables it. With several replicas one writes at a time (a Redis
	// lease) and the chain continues across their files.
	LogFile string `yaml:"log_file"`
	// Format lays out each record: "resetbot" (seq, prev, event) or "ecs"
	// (Elastic Common Schema field names, for SIEMs that ingest ECS as
	// is). The chain and `audit verify` work the same for both.
	Format string `yaml:"format"`
	// ChainKey, when set, keys the chain (HMAC-SHA256): rewriting the log
	// undetected then needs the key too. `audit verify -key-file` checks
	// it. At least 16 bytes.
	ChainKey Secret `yaml:"chain_key"`
	// StreamMaxLen is how many audit events the Redis streams keep, over
	// all shards together, once every consumer group has acknowledged
	// them; events a group still needs are never trimmed, and the
	// resetbot_audit_stream_over_max_len metric and a warning say when a
	// lagging sink holds more than this.
	StreamMaxLen int64 `yaml:"stream_max_len"`
	// PublishHeadEvery posts the chain head (record count, hash, time) to
	// the helpdesk channel this often, by one replica (a Redis lease), so
	// a log cut short or rewritten shows against the channel's copies.
	// 0 turns it off; at least a minute; needs log_file.
	PublishHeadEvery time.Duration `yaml:"publish_head_every"`
	// ClaimIdle is how long an event may stay unacknowledged with one
	// replica's consumer before another replica's takes it over: the time
	// a killed replica's unwritten events wait. Longer than any one
	// delivery takes (a chat API's Retry-After included), or a live
	// replica's work is taken over and delivered twice over the sinks'
	// own idempotency marks. Default 2m, at least 5s.
	ClaimIdle time.Duration `yaml:"claim_idle"`
}

// Log configures the process log.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `yaml:"level"`
	// Format is json (for collectors) or text (for people).
	Format string `yaml:"format"`
}
