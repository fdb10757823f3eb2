package ldap

import (
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	goldap "github.com/go-ldap/ldap/v3"
)

// Flavour selects how the directory stores passwords, lockouts, ids and
// groups. The two differ enough (unicodePwd vs. Password Modify, objectGUID
// vs. entryUUID, the in-chain matching rule vs. walking groupOfNames) that
// guessing from the server would be fragile, so the administrator says it.
type Flavour string

// The supported flavours.
const (
	ActiveDirectory Flavour = "activedirectory"
	OpenLDAP        Flavour = "openldap"
	// DS389 is 389 Directory Server (Red Hat Directory Server, FreeIPA).
	DS389 Flavour = "389ds"
)

// Defaults applied by New for settings left empty.
const (
	DefaultTimeout  = 5 * time.Second
	DefaultPoolSize = 4
)

// Bounds of Timeout and PoolSize: a longer wait only hides a dead server
// from the failover to the next URL, and more connections only load the
// directory without making a reset faster.
const (
	MaxTimeout  = 2 * time.Minute
	MaxPoolSize = 64
)

// Config is the LDAP section of resetbot's configuration. It is meant to be
// embedded in the application's YAML file; secrets (BindPassword) are
// resolved from env or file references by the caller before New.
type Config struct {
	// Flavour is "activedirectory" or "openldap".
	Flavour Flavour
	// URLs are tried in order; the first that connects is used, so list the
	// nearest server first. Each is ldaps://host[:port], or ldap://host[:port]
	// together with StartTLS. Passwords never cross a plaintext connection.
	URLs []string
	// StartTLS upgrades ldap:// URLs to TLS before anything else is sent.
	// It is required for ldap:// URLs and refused with ldaps:// URLs.
	StartTLS bool
	// CAFile is a PEM bundle of the CAs that sign the servers' certificates;
	// empty means the system roots. Certificate checks cannot be turned off.
	CAFile string
	// ServerName overrides the name checked in the server certificate, for
	// servers reached by an address their certificate does not list.
	ServerName string
	// BindDN and BindPassword are the service account's credentials. It
	// needs only the rights to reset passwords and clear lockouts under
	// UserBaseDN; it must not be a domain or directory administrator.
	BindDN       string
	BindPassword string
	// UserBaseDN is searched (subtree) for users; GroupBaseDN for groups.
	UserBaseDN  string
	GroupBaseDN string
	// AccountAttr is the login name (default sAMAccountName or uid).
	AccountAttr string
	// EmailAttr is the mail address (default mail).
	EmailAttr string
	// DepartmentAttr feeds department-based policy (default department or
	// departmentNumber).
	DepartmentAttr string
	// ChatIDAttrs maps a chat platform ("slack", "teams", "discord") to the
	// attribute holding the user's immutable id on that platform.
	ChatIDAttrs map[string]string
	// UserFilter is an optional extra filter every user must match, for
	// example to exclude service accounts: (!(description=service*)).
	UserFilter string
	// PasswordPolicyDN is the OpenLDAP ppolicy entry to report as the
	// password policy; when empty, the single pwdPolicy entry found in the
	// server's naming contexts is used. Ignored for Active Directory.
	PasswordPolicyDN string
	// Timeout bounds every connection attempt and every operation
	// (default 5s).
	Timeout time.Duration
	// PoolSize is the number of service-account connections kept open
	// (default 4).
	PoolSize int
	// GroupMembership says how OpenLDAP finds a user's groups: "search"
	// (GroupsBySearch, the default) walks groupOfNames and
	// groupOfUniqueNames upwards with a search per nesting level, which
	// works on every server; "member_of" (GroupsByMemberOf) reads the
	// memberOf values slapd's memberof overlay keeps on the entry, which
	// saves the searches but is only right where the overlay maintains
	// memberOf for every group that matters. Active Directory and 389-ds
	// take no setting.
	GroupMembership GroupMembership
	// EnforceHistory (default true) sends Active Directory's policy-hints
	// control on every password write, so that history and minimum age
	// apply to resets as to the user's own change. Ignored for OpenLDAP,
	// whose ppolicy always applies them.
	EnforceHistory *bool
}

// enforceHistory is EnforceHistory with its default.
func (c Config) enforceHistory() bool { return c.EnforceHistory == nil || *c.EnforceHistory }

// attrName is an LDAP attribute description: a name or a numeric OID.
// Configured attributes are pasted into filters, so they are checked
// strictly, like any other input that reaches a filter.
var attrName = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9-]*|[0-9]+(\.[0-9]+)+)$`)

// Validate reports every problem in the configuration at once, so an
// administrator fixes their file in one round. Each problem starts with the
// key of the directory section of resetbot's file it is about ("urls[1]: ");
// resetbot's config loader runs this same function, so `config check` and
// `serve` refuse the same files.
func (c Config) Validate() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	switch c.Flavour {
	case ActiveDirectory, OpenLDAP, DS389:
	case "":
		add("flavour: required (%q, %q or %q)", ActiveDirectory, OpenLDAP, DS389)
	default:
		add("flavour: %q is not %q, %q or %q", c.Flavour, ActiveDirectory, OpenLDAP, DS389)
	}
	if len(c.URLs) == 0 {
		add("urls: at least one server is required")
	}
	for i, raw := range c.URLs {
		u, err := url.Parse(raw)
		if err != nil {
			add("urls[%d]: %v", i, err)
			continue
		}
		switch {
		case u.Host == "":
			add("urls[%d]: %q has no host", i, raw)
		case u.Scheme == "ldaps" && c.StartTLS:
			add("urls[%d]: ldaps:// with start_tls: true would start TLS twice; use ldap:// with start_tls, or set start_tls: false", i)
		case u.Scheme == "ldaps":
		case u.Scheme == "ldap" && c.StartTLS:
		case u.Scheme == "ldap":
			add("urls[%d]: %q is plaintext LDAP: use ldaps:// or set start_tls: true (passwords never cross an unencrypted connection)", i, raw)
		default:
			add("urls[%d]: scheme %q is not ldaps or ldap", i, u.Scheme)
		}
		if u.User != nil {
			add("urls[%d]: credentials belong in bind_dn and bind_password, not in the URL", i)
		}
	}
	if c.CAFile != "" {
		if pem, err := os.ReadFile(c.CAFile); err != nil {
			add("ca_file: %v", err)
		} else if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			add("ca_file: %s holds no PEM certificate", c.CAFile)
		}
	}
	if c.BindDN == "" {
		add("bind_dn: required (the service account)")
	} else if !isDN(c.BindDN) {
		add("bind_dn: %q is not a distinguished name (attr=value,...)", c.BindDN)
	}
	if c.BindPassword == "" {
		add("bind_password: required")
	}
	for _, dn := range []struct{ key, value string }{
		{"user_base_dn", c.UserBaseDN},
		{"group_base_dn", c.GroupBaseDN},
	} {
		if dn.value == "" {
			add("%s: required", dn.key)
		} else if !isDN(dn.value) {
			add("%s: %q is not a distinguished name (attr=value,...)", dn.key, dn.value)
		}
	}
	switch c.GroupMembership {
	case "", GroupsBySearch:
	case GroupsByMemberOf:
		if c.Flavour != OpenLDAP {
			add("group_membership: %q is for openldap (the memberof overlay); %s finds groups its own way, leave it unset", GroupsByMemberOf, c.Flavour)
		}
	default:
		add("group_membership: %q is not %q or %q", c.GroupMembership, GroupsBySearch, GroupsByMemberOf)
	}
	if c.PasswordPolicyDN != "" && !isDN(c.PasswordPolicyDN) {
		add("password_policy_dn: %q is not a distinguished name (attr=value,...)", c.PasswordPolicyDN)
	}
	for _, a := range []struct{ key, value string }{
		{"account_attribute", c.AccountAttr},
		{"email_attribute", c.EmailAttr},
		{"department_attribute", c.DepartmentAttr},
	} {
		if a.value != "" && !attrName.MatchString(a.value) {
			add("%s: %q is not an attribute name", a.key, a.value)
		}
	}
	// Which platforms exist is the caller's to judge; the attributes are
	// this package's, as they reach its filters.
	for _, platform := range slices.Sorted(maps.Keys(c.ChatIDAttrs)) {
		switch attr := c.ChatIDAttrs[platform]; {
		case attr == "":
			add("chat_id_attributes.%s: required: the attribute holding the %s user id", platform, platform)
		case !attrName.MatchString(attr):
			add("chat_id_attributes.%s: %q is not an attribute name", platform, attr)
		}
	}
	if c.UserFilter != "" {
		if _, err := goldap.CompileFilter(c.UserFilter); err != nil {
			add("user_filter: %v", err)
		}
	}
	if c.Timeout < 0 || c.Timeout > MaxTimeout {
		add("timeout: %s is out of range 0..%s (0 means %s)", c.Timeout, MaxTimeout, DefaultTimeout)
	}
	if c.PoolSize < 0 || c.PoolSize > MaxPoolSize {
		add("pool_size: %d is out of range 1..%d (0 means %d)", c.PoolSize, MaxPoolSize, DefaultPoolSize)
	}
	return errs
}

// isDN is a light check that catches a pasted account name where a DN
// belongs; the directory itself is the real judge.
func isDN(s string) bool {
	_, err := goldap.ParseDN(s)
	return err == nil && strings.Contains(s, "=")
}

// withDefaults fills empty settings with the flavour's defaults.
func (c Config) withDefaults() Config {
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.PoolSize == 0 {
		c.PoolSize = DefaultPoolSize
	}
	if c.EmailAttr == "" {
		c.EmailAttr = "mail"
	}
	switch c.Flavour {
	case ActiveDirectory:
		if c.AccountAttr == "" {
			c.AccountAttr = "sAMAccountName"
		}
		if c.DepartmentAttr == "" {
			c.DepartmentAttr = "department"
		}
	case OpenLDAP, DS389:
		if c.AccountAttr == "" {
			c.AccountAttr = "uid"
		}
		if c.GroupMembership == "" {
			c.GroupMembership = GroupsBySearch
		}
		if c.DepartmentAttr == "" {
			c.DepartmentAttr = "departmentNumber"
		}
	}
	return c
}

// LogValue implements slog.LogValuer so that logging the configuration
// (for example at start-up) never prints the service account's password.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("flavour", string(c.Flavour)),
		slog.Any("urls", c.URLs),
		slog.Bool("start_tls", c.StartTLS),
		slog.String("ca_file", c.CAFile),
		slog.String("bind_dn", c.BindDN),
		slog.String("bind_password", redacted(c.BindPassword)),
		slog.String("user_base_dn", c.UserBaseDN),
		slog.String("group_base_dn", c.GroupBaseDN),
		slog.String("group_membership", string(c.GroupMembership)),
		slog.Duration("timeout", c.Timeout),
		slog.Int("pool_size", c.PoolSize),
	)
}

// String keeps fmt's %v and %+v from printing the password too.
func (c Config) String() string {
	return fmt.Sprintf("ldap.Config{flavour=%s urls=%v start_tls=%v bind_dn=%q bind_password=%s}",
		c.Flavour, c.URLs, c.StartTLS, c.BindDN, redacted(c.BindPassword))
}

// GoString keeps %#v from printing the password.
func (c Config) GoString() string { return c.String() }

func redacted(s string) string {
	if s == "" {
		return "(empty)"
	}
	return "(redacted)"
}

// errInvalidConfig is wrapped around Validate's problems by New.
var errInvalidConfig = errors.New("ldap: invalid configuration")
