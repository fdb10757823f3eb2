package config

import (
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Validate reports every problem in the configuration at once, each as a
// *FieldError with its key path. It does no I/O, so it gives the same answer
// on a laptop and in production; Load checks secrets and files separately.
// Run it after ApplyDefaults.
func (c *Config) Validate() []error {
	if c.lines == nil {
		c.lines, c.fromEnv = map[string]int{}, map[string]string{}
	}
	v := &validator{c: c}
	v.server()
	v.redis()
	v.directory()
	v.identity()
	v.flows()
	v.limits()
	v.audit()
	v.log()
	v.web()
	v.helpdesk()
	v.alerts()
	v.platforms()
	v.reminders()
	v.report()
	v.campaigns()
	v.risk()
	v.packages()
	return v.probs
}

// validator collects problems; each section has its own method.
type validator struct {
	c     *Config
	probs []error
}

func (v *validator) add(path, format string, args ...any) {
	v.probs = append(v.probs, v.c.problemf(path, format, args...))
}

// reported reports whether a problem at path is already recorded: a key the
// file spells wrong (a key that is not base64) is not judged again by the
// package it is handed to, one mistake, one line.
func (v *validator) reported(path string) bool {
	return slices.ContainsFunc(v.probs, func(e error) bool {
		fe, ok := e.(*FieldError)
		return ok && fe.Path == path
	})
}

func (v *validator) oneOf(path, got string, allowed ...string) {
	if !slices.Contains(allowed, got) {
		if got == "" {
			v.add(path, "required: one of %s", strings.Join(allowed, ", "))
			return
		}
		v.add(path, "%q is not one of %s", got, strings.Join(allowed, ", "))
	}
}

func (v *validator) between(path string, got, lo, hi int) {
	if got < lo || got > hi {
		v.add(path, "%d is out of range %d..%d", got, lo, hi)
	}
}

func (v *validator) hostPort(path, addr string) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		v.add(path, "%q is not host:port", addr)
		return
	}
	_ = host // empty host means all interfaces for listen addresses
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		v.add(path, "%q has no valid port", addr)
	}
}

// dn is a light check that catches a pasted account name or an empty
// value where a DN belongs; the directory itself is the real judge.
func (v *validator) dn(path, dn string, required bool) {
	switch {
	case dn == "" && required:
		v.add(path, "required: a distinguished name such as cn=admins,dc=example,dc=com")
	case dn != "" && !strings.Contains(dn, "="):
		v.add(path, "%q is not a distinguished name (attr=value,...)", dn)
	}
}

func (v *validator) server() {
	s := v.c.Server
	v.hostPort("server.listen", s.Listen)
	v.hostPort("server.management_listen", s.ManagementListen)
	if s.ManagementListen == s.Listen {
		v.add("server.management_listen", "%q is server.listen too: metrics and probes must not be on the public listener", s.ManagementListen)
	}
	if (s.TLS.CertFile == "") != (s.TLS.KeyFile == "") {
		v.add("server.tls", "set both cert_file and key_file, or neither")
	}
}

func (v *validator) redis() {
	r := v.c.Redis
	v.oneOf("redis.mode", r.Mode, RedisSingle, RedisSentinel, RedisCluster)
	if len(r.Addrs) == 0 {
		v.add("redis.addrs", "required: at least one host:port")
	}
	for i, a := range r.Addrs {
		v.hostPort(fmt.Sprintf("redis.addrs[%d]", i), a)
	}
	if r.Mode == RedisSingle && len(r.Addrs) > 1 {
		v.add("redis.addrs", "single mode takes one address, got %d: use sentinel or cluster mode for several", len(r.Addrs))
	}
	switch {
	case r.Mode == RedisSentinel && r.MasterName == "":
		v.add("redis.master_name", "required in sentinel mode")
	case r.Mode != RedisSentinel && r.MasterName != "":
		v.add("redis.master_name", "only used in sentinel mode")
	}
	switch {
	case r.DB < 0:
		v.add("redis.db", "%d is negative", r.DB)
	case r.Mode == RedisCluster && r.DB != 0:
		v.add("redis.db", "Redis Cluster has only database 0")
	}
	if !r.TLS.Enabled && (r.TLS.CAFile != "" || r.TLS.ServerName != "") {
		v.add("redis.tls", "ca_file or server_name is set but enabled is false")
	}
	switch {
	case strings.ContainsAny(r.KeyPrefix, "{}"):
		v.add("redis.key_prefix", "must not contain { or }: keys are hash-tagged per flow for Redis Cluster")
	case strings.ContainsFunc(r.KeyPrefix, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		v.add("redis.key_prefix", "must not contain spaces or control characters")
	}
}

func (v *validator) directory() {
	d := v.c.Directory
	v.oneOf("directory.flavour", d.Flavour, FlavourActiveDirectory, FlavourOpenLDAP, Flavour389DS, FlavourMemory)
	if d.Flavour == FlavourActiveDirectory || d.Flavour == FlavourOpenLDAP || d.Flavour == Flavour389DS {
		v.ldap()
	}
	if d.Flavour == FlavourMemory && len(d.URLs) > 0 {
		v.add("directory.urls", "set, but flavour memory does not use a server; did you mean activedirectory or openldap?")
	}
	// The platforms are this file's; each attribute, its timeout and pool
	// size are the LDAP backend's own rules (packages).
	for _, p := range sortedKeys(d.ChatIDAttributes) {
		v.oneOf("directory.chat_id_attributes."+p+" (platform)", p, PlatformSlack, PlatformTeams, PlatformDiscord)
	}
	seen := map[string]bool{}
	for i, a := range d.BreakGlassAccounts {
		path := fmt.Sprintf("directory.break_glass_accounts[%d]", i)
		switch {
		case strings.TrimSpace(a) == "":
			v.add(path, "empty account name")
		case seen[strings.ToLower(a)]:
			v.add(path, "%q is listed twice", a)
		}
		seen[strings.ToLower(a)] = true
	}
}

// ldap checks what resetbot's policy needs of a real directory; the
// connection settings are the LDAP backend's own rules (packages).
func (v *validator) ldap() {
	d := v.c.Directory
	if len(d.PrivilegedGroups) == 0 {
		v.add("directory.privileged_groups", "required: without it admins could reset admin accounts from chat with no approval; list at least your administrator groups")
	}
	for i, g := range d.PrivilegedGroups {
		v.dn(fmt.Sprintf("directory.privileged_groups[%d]", i), g, true)
	}
}

func (v *validator) identity() {
	id := v.c.Identity
	if len(id) == 0 {
		v.add("identity", "required: map at least one chat platform (slack, teams, discord) to its lookup")
	}
	for _, p := range sortedKeys(id) {
		path := "identity." + p
		v.oneOf(path+" (platform)", p, PlatformSlack, PlatformTeams, PlatformDiscord)
		v.oneOf(path+".by", id[p].By, ByChatIDAttribute, ByEmail)
		if _, ok := v.c.Directory.ChatIDAttributes[p]; id[p].By == ByChatIDAttribute && !ok {
			v.add(path+".by", "chat_id_attribute needs directory.chat_id_attributes.%s", p)
		}
	}
}

func (v *validator) flows() {
	f := v.c.Flows
	linkOK := false
	switch {
	case f.LinkTTL > MaxLinkTTL:
		v.add("flows.link_ttl", "%s is longer than the maximum %s", f.LinkTTL, MaxLinkTTL)
	case f.LinkTTL < time.Minute:
		v.add("flows.link_ttl", "%s is too short to open a link on a phone; use 1m..10m", f.LinkTTL)
	default:
		linkOK = true
	}
	// Compare with link_ttl only when it is valid: one mistake, one line.
	switch {
	case linkOK && f.FlowTTL < f.LinkTTL:
		v.add("flows.flow_ttl", "%s is shorter than link_ttl %s", f.FlowTTL, f.LinkTTL)
	case f.FlowTTL < time.Minute:
		v.add("flows.flow_ttl", "%s is shorter than 1m", f.FlowTTL)
	case f.FlowTTL > 24*time.Hour:
		v.add("flows.flow_ttl", "%s is longer than 24h", f.FlowTTL)
	}
	if f.AuditRetention < time.Hour {
		v.add("flows.audit_retention", "%s is shorter than 1h", f.AuditRetention)
	}
	v.between("flows.max_verify_attempts", f.MaxVerifyAttempts, 1, 20)
	v.between("flows.max_password_attempts", f.MaxPasswordAttempts, 1, 20)
	for key, d := range map[string]time.Duration{"flows.write_timeout": f.WriteTimeout, "flows.record_timeout": f.RecordTimeout} {
		if d != 0 && (d < time.Second || d > 5*time.Minute) {
			v.add(key, "%s is outside 1s..5m", d)
		}
	}
}

func (v *validator) limits() {
	l := v.c.Limits
	v.between("limits.requests_per_account_per_hour", l.RequestsPerAccountPerHour, 1, 1000)
	v.between("limits.requests_per_identity_per_hour", l.RequestsPerIdentityPerHour, 1, 1000)
	v.between("limits.failed_verifications_per_account_per_day", l.FailedVerificationsPerAccountPerDay, 1, 1000)
	v.between("limits.interactions_per_identity_per_minute", l.InteractionsPerIdentityPerMinute, 1, 1000)
}

func (v *validator) audit() {
	a := v.c.Audit
	if strings.HasSuffix(a.LogFile, "/") {
		v.add("audit.log_file", "%q is a directory; name a file", a.LogFile)
	}
	v.oneOf("audit.format", a.Format, "resetbot", "ecs")
	if a.StreamMaxLen < 1000 {
		v.add("audit.stream_max_len", "%d is below 1000: the streams would keep too little history for a new sink", a.StreamMaxLen)
	}
	switch {
	case a.PublishHeadEvery < 0, a.PublishHeadEvery > 0 && a.PublishHeadEvery < time.Minute:
		v.add("audit.publish_head_every", "%s: want 0 (off) or at least a minute", a.PublishHeadEvery)
	case a.PublishHeadEvery > 0 && a.LogFile == "":
		v.add("audit.publish_head_every", "needs audit.log_file: without the log there is no chain head to publish")
	}
	if a.ClaimIdle < 5*time.Second || a.ClaimIdle > 24*time.Hour {
		v.add("audit.claim_idle", "%s: want 5s..24h (how long a dead replica's events wait for another)", a.ClaimIdle)
	}
	if a.ChainKey.IsSet() && a.ChainKey.Reveal() != "" && len(a.ChainKey.Reveal()) < 16 {
		v.add("audit.chain_key", "is shorter than 16 bytes")
	}
}

func (v *validator) log() {
	v.oneOf("log.level", v.c.Log.Level, "debug", "info", "warn", "error")
	v.oneOf("log.format", v.c.Log.Format, "json", "text")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
