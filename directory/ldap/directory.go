// Package ldap is resetbot's directory backend for Active Directory (and
// Samba AD) and for OpenLDAP with the ppolicy overlay. One implementation
// serves both: connections, failover, escaping and error classes are
// shared, and a small dialect supplies what the two flavours do differently
// (how a password is written, where lockout and disabled live, what the
// immutable id is, how nested groups are resolved).
//
// Security properties the package keeps on its own, whatever the caller
// does: connections are always TLS (LDAPS or StartTLS) with certificate
// checks; every user-supplied value is escaped before it reaches a filter;
// writes re-resolve the account by its immutable id, so a renamed or
// re-created account is never changed by mistake; passwords never appear in
// errors.
package ldap

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/directory"
)

var (
	_ directory.Directory       = (*Directory)(nil)
	_ directory.PolicyReader    = (*Directory)(nil)
	_ directory.HistoryReporter = (*Directory)(nil)
)

// Directory is a directory.Directory backed by an LDAP server. It is safe
// for concurrent use. Create it with New and release it with Close.
type Directory struct {
	cfg     Config
	dialect dialect
	dialer  *dialer
	pool    *pool
	// policies keeps the password policy for a short while: a reset reads
	// it on every page and check, and it rarely changes.
	policies *policyCache
	// psos keeps the fine-grained policies (AD PSOs) read, by DN.
	psos *psoCache
	// rereads lets a password write use the DN its caller's re-read by id
	// found a moment before, instead of reading the same entry again.
	rereads *rereads
	// flat and nestingBase, with group_membership: member_of on OpenLDAP:
	// the groups a lookup asks about beside the user, and the entry its
	// search starts from (the user and group bases' nearest common
	// entry; "" when they have none, and then a lookup asks only for the
	// user). See findWithNesting.
	flat        *flatGroups
	nestingBase string
}

// New checks cfg and returns a Directory. It does not connect: the first
// operation does, so that resetbot can start while the directory is briefly
// unreachable; call Ping for a start-up or readiness check.
func New(cfg Config) (*Directory, error) {
	if errs := cfg.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", errInvalidConfig, errors.Join(errs...))
	}
	cfg = cfg.withDefaults()
	dl, err := newDialer(cfg)
	if err != nil {
		return nil, err
	}
	d := &Directory{cfg: cfg, dialer: dl, rereads: newRereads()}
	switch cfg.Flavour {
	case ActiveDirectory:
		d.dialect = activeDirectory{groupBase: cfg.GroupBaseDN, hints: &policyHints{enforce: cfg.enforceHistory()}}
	case OpenLDAP:
		o := openLDAP{groupBase: cfg.GroupBaseDN, policyDN: cfg.PasswordPolicyDN}
		if cfg.GroupMembership == GroupsByMemberOf {
			o.memberOf, o.flat = true, newFlatGroups()
			d.flat, d.nestingBase = o.flat, commonBase(cfg.UserBaseDN, cfg.GroupBaseDN)
		}
		d.dialect = o
	case DS389:
		d.dialect = ds389{openLDAP{groupBase: cfg.GroupBaseDN}}
	}
	d.pool = newPool(cfg.PoolSize, cfg.Timeout, d.dialService)
	d.policies = newPolicyCache(d.readPolicy)
	d.psos = newPSOCache(d.readPSO)
	return d, nil
}

// dialService opens a pooled connection bound as the service account. A
// refused service-account bind is a configuration problem, not a user's
// wrong password, so it is reported as unavailability.
func (d *Directory) dialService(ctx context.Context) (*conn, error) {
	c, err := d.dialer.dial(ctx, d.cfg.BindDN, d.cfg.BindPassword)
	if goldap.IsErrorWithCode(err, goldap.LDAPResultInvalidCredentials) {
		if diag := diagnostic(err); diag != "" {
			return nil, fmt.Errorf("LDAP bind as %s: %w (%s): %w", d.cfg.BindDN, errServiceBind, diag, directory.ErrUnavailable)
		}
		return nil, fmt.Errorf("LDAP bind as %s: %w: %w", d.cfg.BindDN, errServiceBind, directory.ErrUnavailable)
	}
	return c, err
}

// Close closes the pooled connections.
func (d *Directory) Close() error {
	d.pool.close()
	return nil
}

// Concurrency implements directory.Concurrent: the pool's connections
// times the requests each carries at once (requestsPerConn), 128 with the
// default pool of 4.
func (d *Directory) Concurrency() int { return d.pool.size * d.pool.perConn }

// Ping connects and binds as the service account, for start-up and
// readiness checks.
func (d *Directory) Ping(ctx context.Context) error {
	return d.withConn(ctx, "ping", false, func(*conn) error { return nil })
}

// withConn runs fn on a pooled connection and classifies its error. Reads
// (retry=true) are tried once more on a fresh connection when the pooled
// one turned out to be dead, for example after a server restart.
func (d *Directory) withConn(ctx context.Context, op string, retry bool, fn func(c *conn) error) error {
	for attempt := 0; ; attempt++ {
		c, err := d.pool.get(ctx)
		if err != nil {
			return classify(op, err)
		}
		err = fn(c)
		if err != nil && isNetworkError(err) {
			c.markBroken() // never hand a dead connection out again
		}
		d.pool.put(c)
		if err != nil && retry && attempt == 0 && isNetworkError(err) && ctx.Err() == nil {
			continue
		}
		return classify(op, err)
	}
}

// notFound is the error for a lookup that matches no single user.
func notFound(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, directory.ErrNotFound)...)
}

// filter builds the search filter of a lookup. Values are escaped; an id
// that cannot be an id, an unknown platform or an empty value find nobody.
func (d *Directory) filter(l directory.Lookup) (string, error) {
	if l.Value == "" {
		return "", notFound("empty %s", l.Kind)
	}
	// Samba compares values as C strings: "jdoe\x00x" would match jdoe even
	// though the NUL arrives escaped. No key legitimately holds a NUL or
	// broken UTF-8, so such values find nobody on every server.
	if strings.ContainsRune(l.Value, 0) || !utf8.ValidString(l.Value) {
		return "", notFound("%s contains NUL or invalid UTF-8", l.Kind)
	}
	var cond string
	switch l.Kind {
	case directory.ByAccountName:
		cond = "(" + d.cfg.AccountAttr + "=" + goldap.EscapeFilter(l.Value) + ")"
	case directory.ByEmail:
		cond = "(" + d.cfg.EmailAttr + "=" + goldap.EscapeFilter(l.Value) + ")"
	case directory.ByChatID:
		attr, ok := d.cfg.ChatIDAttrs[l.Platform]
		if !ok {
			return "", notFound("no chat id attribute configured for platform %q", l.Platform)
		}
		cond = "(" + attr + "=" + goldap.EscapeFilter(l.Value) + ")"
	case directory.ByID:
		f, err := d.dialect.idFilter(l.Value)
		if err != nil {
			return "", notFound("id %q: %v", l.Value, err)
		}
		cond = f
	default:
		return "", notFound("unknown lookup kind %d", l.Kind)
	}
	return "(&" + d.dialect.userFilter() + d.cfg.UserFilter + cond + ")", nil
}

// attributes are read for every user.
func (d *Directory) attributes() []string {
	attrs := []string{d.cfg.AccountAttr, d.cfg.EmailAttr, d.cfg.DepartmentAttr, "displayName", "cn"}
	for _, a := range d.cfg.ChatIDAttrs {
		attrs = append(attrs, a)
	}
	return append(attrs, d.dialect.attributes()...)
}

// listAttributes are attributes() without memberOf, for listings: they
// resolve no groups (userWithoutGroups), and an account's memberOf may
// hold many values.
func (d *Directory) listAttributes() []string {
	attrs := d.attributes()
	kept := attrs[:0]
	for _, a := range attrs {
		if !strings.EqualFold(a, "memberOf") {
			kept = append(kept, a)
		}
	}
	return kept
}

// findEntry returns the single entry matching filter under the user base.
// Two or more matches are as good as none: an ambiguous key must never
// pick an account.
func (d *Directory) findEntry(ctx context.Context, c *conn, filter string) (*goldap.Entry, error) {
	return d.searchOne(ctx, c, d.cfg.UserBaseDN, goldap.ScopeWholeSubtree, filter)
}

// searchOne returns the single entry matching filter in base and scope.
func (d *Directory) searchOne(ctx context.Context, c *conn, base string, scope int, filter string) (*goldap.Entry, error) {
	res, err := c.search(ctx, goldap.NewSearchRequest(base, scope,
		goldap.NeverDerefAliases, 2, 0, false, filter, d.attributes(), nil))
	switch {
	case goldap.IsErrorWithCode(err, goldap.LDAPResultSizeLimitExceeded):
		return nil, notFound("more than one entry matches")
	case goldap.IsErrorWithCode(err, goldap.LDAPResultNoSuchObject):
		return nil, notFound("base %s does not exist", base)
	case err != nil:
		return nil, err
	case len(res.Entries) != 1:
		return nil, notFound("%d entries match", len(res.Entries))
	}
	return res.Entries[0], nil
}

// Find implements directory.Directory.
func (d *Directory) Find(ctx context.Context, l directory.Lookup) (*directory.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, classify("find", err)
	}
	filter, err := d.filter(l)
	if err != nil {
		return nil, fmt.Errorf("ldap: find by %s: %w", l.Kind, err)
	}
	var u *directory.User
	err = d.withConn(ctx, "find by "+l.Kind.String(), true, func(c *conn) error {
		e, known, err := d.findWithNesting(ctx, c, filter)
		if err != nil {
			return err
		}
		if u, err = d.user(ctx, c, e, known); err == nil && l.Kind == directory.ByID {
			// The caller's re-read before a write: the write need not
			// read the entry again (see rereads).
			d.rereads.note(u.ID, e.DN, c.url)
		}
		return err
	})
	return u, err
}

// user turns an entry into a directory.User, resolving its groups; known
// is what the entry's own search said about some groups' nesting (see
// findWithNesting), nil when nothing.
func (d *Directory) user(ctx context.Context, c *conn, e *goldap.Entry, known map[string][]string) (*directory.User, error) {
	u, err := d.userWithoutGroups(e)
	if err != nil {
		return nil, err
	}
	if u.Groups, err = d.dialect.groups(ctx, c, e, known); err != nil {
		return nil, fmt.Errorf("groups of %s: %w", e.DN, err)
	}
	return u, nil
}

// userWithoutGroups turns an entry into a directory.User, Groups left
// empty, for listings that must not cost a search per account.
func (d *Directory) userWithoutGroups(e *goldap.Entry) (*directory.User, error) {
	id, err := d.dialect.readID(e)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.DN, err)
	}
	display := e.GetAttributeValue("displayName")
	if display == "" {
		display = e.GetAttributeValue("cn")
	}
	disabled, locked := d.dialect.status(e)
	names := append(e.GetEqualFoldAttributeValues(d.cfg.AccountAttr), d.dialect.otherNames(e)...)
	return &directory.User{
		DN:          e.DN,
		ID:          id,
		AccountName: e.GetEqualFoldAttributeValue(d.cfg.AccountAttr),
		Names:       names,
		Email:       e.GetEqualFoldAttributeValue(d.cfg.EmailAttr),
		DisplayName: display,
		Department:  e.GetEqualFoldAttributeValue(d.cfg.DepartmentAttr),
		Disabled:    disabled,
		Locked:      locked,
		ChatIDs:     d.chatIDs(e),
	}, nil
}

// chatIDs reads the configured chat-id attributes of e. A platform whose
// attribute holds several values is left out: which one is the person's
// cannot be told, and a message must never go to a guess.
func (d *Directory) chatIDs(e *goldap.Entry) map[string]string {
	ids := make(map[string]string, len(d.cfg.ChatIDAttrs))
	for platform, attr := range d.cfg.ChatIDAttrs {
		if v := e.GetEqualFoldAttributeValues(attr); len(v) == 1 && v[0] != "" {
			ids[platform] = v[0]
		}
	}
	return ids
}

// resolve finds u's entry again by its immutable id. Writes go to the DN
// found now, not to the DN read earlier, so an account renamed, deleted or
// replaced since Find is never the one changed.
//
// When u carries a DN (it came from Find, usually the caller's re-read by
// id a moment before the write), the entry at that DN is read with the id
// in the filter: a base-scope read the server answers from its DN index,
// whatever the id attribute's indexing, and which finds nothing unless the
// entry at that DN still is the account with that id (and still a user the
// configured filter admits). Only when it is not (renamed, deleted,
// replaced) is the whole user base searched by id. A password write right
// after the caller's re-read by id needs neither (writeDN).
func (d *Directory) resolve(ctx context.Context, c *conn, u *directory.User) (*goldap.Entry, error) {
	if u == nil || u.ID == "" {
		return nil, notFound("user without immutable id")
	}
	filter, err := d.dialect.idFilter(u.ID)
	if err != nil {
		return nil, notFound("id %q: %v", u.ID, err)
	}
	filter = "(&" + d.dialect.userFilter() + d.cfg.UserFilter + filter + ")"
	if u.DN != "" && underBase(u.DN, d.cfg.UserBaseDN) {
		e, err := d.searchOne(ctx, c, u.DN, goldap.ScopeBaseObject, filter)
		if err == nil {
			return e, nil
		}
		if !errors.Is(err, directory.ErrNotFound) {
			return nil, fmt.Errorf("id %s at %s: %w", u.ID, u.DN, err)
		}
		// The DN no longer names this account: look for it by id.
	}
	e, err := d.findEntry(ctx, c, filter)
	if err != nil {
		return nil, fmt.Errorf("id %s: %w", u.ID, err)
	}
	return e, nil
}

// underBase reports whether dn lies in or under base (DNs compared as
// parsed, attribute types and values case-insensitively). A DN outside the
// user base is never read directly: Find would not have returned it.
func underBase(dn, base string) bool {
	child, err := goldap.ParseDN(dn)
	if err != nil {
		return false
	}
	parent, err := goldap.ParseDN(base)
	if err != nil {
		return false
	}
	return child.EqualFold(parent) || parent.AncestorOfFold(child)
}

// SetPassword implements directory.Directory.
func (d *Directory) SetPassword(ctx context.Context, u *directory.User, newPassword string) error {
	if err := ctx.Err(); err != nil {
		return classify("set password", err)
	}
	if newPassword == "" {
		return fmt.Errorf("ldap: set password: %w", &directory.PolicyError{Reason: "The password must not be empty."})
	}
	return d.withConn(ctx, "set password", false, func(c *conn) error {
		dn, err := d.writeDN(ctx, c, u)
		if err != nil {
			return err
		}
		err = d.dialect.setPassword(ctx, c, dn, newPassword)
		if reason, ok := d.dialect.policyReason(err); ok {
			// The checklist let this password through and the directory
			// did not: the policy may have changed since it was read.
			d.policies.invalidate()
			d.psos.invalidate()
			return fmt.Errorf("%s: server said %q: %w", dn, diagnostic(err), &directory.PolicyError{Reason: reason})
		}
		if err != nil {
			return fmt.Errorf("%s: %w", dn, err)
		}
		return nil
	})
}

// writeDN is the DN a write to u goes to: the DN a search by u's id on
// this server found a moment ago (the caller's re-read, see rereads), or
// else the DN resolve finds now. Never u.DN unchecked.
func (d *Directory) writeDN(ctx context.Context, c *conn, u *directory.User) (string, error) {
	if u != nil && u.ID != "" && u.DN != "" && d.rereads.take(u.ID, u.DN, c.url) {
		return u.DN, nil
	}
	e, err := d.resolve(ctx, c, u)
	if err != nil {
		return "", err
	}
	return e.DN, nil
}

// VerifyPassword implements directory.Directory. It binds as the user on a
// connection of its own, never a pooled one, so the pool always stays bound
// as the service account.
func (d *Directory) VerifyPassword(ctx context.Context, u *directory.User, password string) error {
	if err := ctx.Err(); err != nil {
		return classify("verify password", err)
	}
	if password == "" {
		// An empty password would make a simple bind anonymous.
		return fmt.Errorf("ldap: verify password: empty password: %w", directory.ErrInvalidCredentials)
	}
	var dn string
	err := d.withConn(ctx, "verify password", true, func(c *conn) error {
		e, err := d.resolve(ctx, c, u)
		if err == nil {
			dn = e.DN
		}
		return err
	})
	if err != nil {
		return err
	}
	c, err := d.dialer.dial(ctx, dn, password)
	if r, ok := d.dialect.(bindRefuser); ok && err != nil && r.bindRefused(err) {
		return fmt.Errorf("ldap: verify password for %s: %w: %w", dn, directory.ErrInvalidCredentials, err)
	}
	if err != nil {
		return classify("verify password for "+dn, err)
	}
	c.Close()
	return nil
}

// Unlock implements directory.Directory.
func (d *Directory) Unlock(ctx context.Context, u *directory.User) error {
	if err := ctx.Err(); err != nil {
		return classify("unlock", err)
	}
	return d.withConn(ctx, "unlock", false, func(c *conn) error {
		e, err := d.resolve(ctx, c, u)
		if err != nil {
			return err
		}
		if err := d.dialect.unlock(ctx, c, e); err != nil {
			return fmt.Errorf("%s: %w", e.DN, err)
		}
		return nil
	})
}

// PasswordPolicy implements directory.PolicyReader. The policy read is
// reused for up to a minute (policyTTL) and read again at once after the
// directory refused a password.
func (d *Directory) PasswordPolicy(ctx context.Context) (directory.Policy, error) {
	return d.policies.get(ctx)
}

// readPolicy asks the directory for the policy that applies to resetbot's
// writes.
func (d *Directory) readPolicy(ctx context.Context) (directory.Policy, error) {
	var p directory.Policy
	err := d.withConn(ctx, "read password policy", true, func(c *conn) error {
		var err error
		if p, err = d.dialect.policy(ctx, c); err != nil {
			return err
		}
		// The policy is what applies to resetbot's writes: a history the
		// server keeps but skips for resets (AD without policy hints) is
		// not promised to the user.
		h, err := d.dialect.history(ctx, c)
		if err != nil {
			return err
		}
		if !h.Enforced {
			p.HistoryLength = 0
		}
		return nil
	})
	return p, err
}

// HistoryEnforcement implements directory.HistoryReporter: whether the
// passwords resetbot writes are checked against the directory's history.
// On Active Directory it asks the server's rootDSE (and remembers the
// answer); call it at start-up to log the outcome.
func (d *Directory) HistoryEnforcement(ctx context.Context) (directory.HistoryEnforcement, error) {
	var h directory.HistoryEnforcement
	err := d.withConn(ctx, "read history enforcement", true, func(c *conn) error {
		var err error
		h, err = d.dialect.history(ctx, c)
		return err
	})
	return h, err
}

// String names the directory for logs without its credentials.
func (d *Directory) String() string {
	return fmt.Sprintf("ldap %s %s", d.cfg.Flavour, strings.Join(d.cfg.URLs, ","))
}
