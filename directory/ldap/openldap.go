package ldap

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/directory"
)

// adminLockTime is the pwdAccountLockedTime value with which the ppolicy
// overlay marks an account locked by an administrator: it never expires and
// is what "disabled" means on OpenLDAP.
const adminLockTime = "000001010000Z"

// Limits of the group walk: deep or huge nesting is a misconfiguration, and
// a bound keeps a cycle or a giant tree from stalling a reset.
const (
	maxGroupDepth = 16
	maxGroups     = 1000
)

// openLDAP is the dialect of OpenLDAP with the ppolicy overlay.
type openLDAP struct {
	groupBase string
	policyDN  string
	// memberOf: the memberof overlay keeps memberOf on every member of a
	// group (group_membership: member_of), so a user's direct groups come
	// with the entry and only the nesting above them is asked for; flat
	// remembers which groups were found in no group (see flatGroups).
	memberOf bool
	flat     *flatGroups
}

func (openLDAP) userFilter() string { return "(objectClass=person)" }

func (openLDAP) idFilter(id string) (string, error) {
	v, err := normalizeUUID(id)
	if err != nil {
		return "", err
	}
	// Only hex digits and dashes remain; nothing to escape.
	return "(entryUUID=" + v + ")", nil
}

func (o openLDAP) attributes() []string {
	if o.memberOf {
		return []string{"entryUUID", "pwdAccountLockedTime", "memberOf"}
	}
	return []string{"entryUUID", "pwdAccountLockedTime"}
}

func (openLDAP) readID(e *goldap.Entry) (string, error) {
	id := e.GetAttributeValue("entryUUID")
	if id == "" {
		return "", errors.New("entry has no entryUUID (is the service account allowed to read it?)")
	}
	return strings.ToLower(id), nil
}

// otherNames: on OpenLDAP every login name is a value of the account
// attribute (uid), which may hold several.
func (openLDAP) otherNames(*goldap.Entry) []string { return nil }

// status: ppolicy records both lockouts in pwdAccountLockedTime; the
// special value marks an administrative lock (disabled), any other value a
// failed-login lockout. With a pwdLockoutDuration, ppolicy leaves the value
// in place after the lockout expired until the next sign-in, so Locked may
// stay true a little longer than the lock: the cost is an unlock offered
// that was not needed.
func (openLDAP) status(e *goldap.Entry) (disabled, locked bool) {
	switch v := e.GetAttributeValue("pwdAccountLockedTime"); v {
	case "":
		return false, false
	case adminLockTime:
		return true, false
	default:
		return false, true
	}
}

// groups finds every group the user of entry e is in, transitively.
//
// By search (the default) it walks groupOfNames and groupOfUniqueNames
// membership upwards, breadth first: the groups listing the user, then the
// groups listing those, one search per level.
//
// With memberOf the user's direct groups are the entry's memberOf values
// (those under the group base, as the walk would find them), and each
// level above them is the memberOf of the groups of the level below
// (the overlay keeps memberOf on a group that is a member of a group too):
// known holds what the lookup's own search already said about some groups
// (see findWithNesting: their memberOf, or nil for a group in no group),
// and the rest of a level is asked in one search. An account in no group,
// or in groups that known covers and that are in no group, costs no search
// at all. The visited set makes cycles harmless in both ways; both stop at
// maxGroupDepth levels and maxGroups groups.
func (o openLDAP) groups(ctx context.Context, c *conn, e *goldap.Entry, known map[string][]string) ([]string, error) {
	if !o.memberOf {
		return o.walkUp(ctx, c, e.DN)
	}
	w := newGroupWalk()
	frontier := w.add(o.underGroupBase(e.GetEqualFoldAttributeValues("memberOf")))
	if w.over() {
		return nil, errTooManyGroups
	}
	for depth := 1; len(frontier) > 0 && depth < maxGroupDepth; depth++ {
		parents, err := o.parentsOf(ctx, c, frontier, known)
		if err != nil {
			return nil, err
		}
		frontier = w.add(o.underGroupBase(parents))
		if w.over() {
			return nil, errTooManyGroups
		}
	}
	return w.out, nil
}

// errTooManyGroups stops a membership walk past maxGroups.
var errTooManyGroups = fmt.Errorf("more than %d groups: membership walk stopped", maxGroups)

// groupWalk is the set of groups a membership walk found, in the order
// found, each once.
type groupWalk struct {
	visited map[string]bool
	out     []string
}

func newGroupWalk() *groupWalk { return &groupWalk{visited: map[string]bool{}} }

// add records the groups not seen before and returns them.
func (w *groupWalk) add(groups []string) []string {
	var fresh []string
	for _, g := range groups {
		if k := dnKey(g); !w.visited[k] {
			w.visited[k] = true
			w.out = append(w.out, g)
			fresh = append(fresh, g)
		}
	}
	return fresh
}

func (w *groupWalk) over() bool { return len(w.out) > maxGroups }

// underGroupBase keeps the DNs in or under the group base.
func (o openLDAP) underGroupBase(dns []string) []string {
	kept := dns[:0:0]
	for _, dn := range dns {
		if underBase(dn, o.groupBase) {
			kept = append(kept, dn)
		}
	}
	return kept
}

// parentsOf returns the memberOf values of the groups, those known from
// known and the others from one search that asks for exactly those groups
// (by entryDN, which slapd answers from its DN index) and returns only
// those in some group. What it learns goes to o.flat, so that the next
// lookup's own search can answer for these groups.
func (o openLDAP) parentsOf(ctx context.Context, c *conn, groups []string, known map[string][]string) ([]string, error) {
	var parents, ask []string
	for _, g := range groups {
		if p, ok := known[dnKey(g)]; ok {
			parents = append(parents, p...)
			o.flat.learned(g, len(p) == 0)
			continue
		}
		ask = append(ask, g)
	}
	if len(ask) == 0 {
		return parents, nil
	}
	res, err := c.searchPaged(ctx, goldap.NewSearchRequest(o.groupBase, goldap.ScopeWholeSubtree,
		goldap.NeverDerefAliases, 0, 0, false, nestedGroupsFilter(ask), []string{"memberOf"}, nil))
	if err != nil {
		return nil, err
	}
	nested := make(map[string]bool, len(res.Entries))
	for _, e := range res.Entries {
		nested[dnKey(e.DN)] = true
		parents = append(parents, e.GetEqualFoldAttributeValues("memberOf")...)
	}
	for _, g := range ask {
		o.flat.learned(g, !nested[dnKey(g)])
	}
	return parents, nil
}

// nestedGroupsFilter matches those of the groups that are themselves
// members of a group (they carry memberOf).
func nestedGroupsFilter(groups []string) string {
	var sb strings.Builder
	sb.WriteString("(&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))(memberOf=*)(|")
	for _, g := range groups {
		sb.WriteString("(entryDN=" + goldap.EscapeFilter(g) + ")")
	}
	sb.WriteString("))")
	return sb.String()
}

// walkUp returns every group above userDN: one search per nesting level
// for the groups listing the level below, until a level finds no group not
// seen before.
func (o openLDAP) walkUp(ctx context.Context, c *conn, userDN string) ([]string, error) {
	w := newGroupWalk()
	frontier := []string{userDN}
	for depth := 0; len(frontier) > 0 && depth < maxGroupDepth; depth++ {
		var sb strings.Builder
		sb.WriteString("(&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))(|")
		for _, dn := range frontier {
			e := goldap.EscapeFilter(dn)
			sb.WriteString("(member=" + e + ")(uniqueMember=" + e + ")")
		}
		sb.WriteString("))")
		res, err := c.searchPaged(ctx, goldap.NewSearchRequest(o.groupBase, goldap.ScopeWholeSubtree,
			goldap.NeverDerefAliases, 0, 0, false, sb.String(), []string{"1.1"}, nil))
		if err != nil {
			return nil, err
		}
		found := make([]string, 0, len(res.Entries))
		for _, e := range res.Entries {
			found = append(found, e.DN)
		}
		frontier = w.add(found)
		if len(w.out) >= maxGroups {
			return nil, errTooManyGroups
		}
	}
	return w.out, nil
}

// setPassword uses the Password Modify extended operation (RFC 3062), so
// the server hashes the password with its own scheme and ppolicy checks it.
func (openLDAP) setPassword(ctx context.Context, c *conn, userDN, password string) error {
	return c.do(ctx, func() error {
		_, err := c.PasswordModify(goldap.NewPasswordModifyRequest(userDN, "", password))
		return err
	})
}

// ppolicyReasons maps ppolicy's diagnostic messages to plain words.
var ppolicyReasons = []struct{ server, reason string }{
	{"fails quality checking", "The password is too short or too simple."},
	{"too short", "The password is too short."},
	{"in history", "The password was used recently; choose a different one."},
	{"too young", "The password was changed too recently; try again later."},
	{"not being changed from existing value", "The new password must be different from the current one."},
}

func (openLDAP) policyReason(err error) (string, bool) {
	if !goldap.IsErrorWithCode(err, goldap.LDAPResultConstraintViolation) {
		return "", false
	}
	diag := strings.ToLower(diagnostic(err))
	for _, r := range ppolicyReasons {
		if strings.Contains(diag, r.server) {
			return r.reason, true
		}
	}
	return "The directory's password policy refused the password.", true
}

// unlock deletes the value of pwdAccountLockedTime that was read, so that an
// administrative lock set in the meantime is never removed; it refuses to
// touch an account that is administratively locked (disabled).
func (openLDAP) unlock(ctx context.Context, c *conn, e *goldap.Entry) error {
	v := e.GetAttributeValue("pwdAccountLockedTime")
	switch v {
	case "":
		return nil
	case adminLockTime:
		return fmt.Errorf("%s is administratively locked (disabled), not locked out: %w", e.DN, directory.ErrPermission)
	}
	req := goldap.NewModifyRequest(e.DN, nil)
	req.Delete("pwdAccountLockedTime", []string{v})
	err := c.do(ctx, func() error { return c.Modify(req) })
	if goldap.IsErrorWithCode(err, goldap.LDAPResultNoSuchAttribute) {
		return nil // unlocked by someone else in the meantime
	}
	return err
}

// policy reads the configured ppolicy entry, or the only one there is.
func (o openLDAP) policy(ctx context.Context, c *conn) (directory.Policy, error) {
	dn := o.policyDN
	if dn == "" {
		found, err := findPolicyEntry(ctx, c)
		if err != nil {
			return directory.Policy{}, err
		}
		dn = found
	}
	e, err := c.readBase(ctx, dn, "pwdMinLength", "pwdCheckQuality", "pwdInHistory", "pwdLockout", "pwdMaxFailure")
	if err != nil {
		return directory.Policy{}, fmt.Errorf("read policy %s: %w", dn, err)
	}
	num := func(attr string) int {
		n, _ := strconv.Atoi(e.GetAttributeValue(attr))
		return n
	}
	p := directory.Policy{HistoryLength: num("pwdInHistory")}
	// ppolicy ignores pwdMinLength unless quality checking is on.
	if num("pwdCheckQuality") > 0 {
		p.MinLength = num("pwdMinLength")
	}
	if strings.EqualFold(e.GetAttributeValue("pwdLockout"), "TRUE") {
		p.LockoutThreshold = num("pwdMaxFailure")
	}
	return p, nil
}

// findPolicyEntry looks for the single pwdPolicy entry in the server's
// naming contexts; the default policy's DN lives in the server
// configuration, which a service account cannot read.
func findPolicyEntry(ctx context.Context, c *conn) (string, error) {
	root, err := c.readBase(ctx, "", "namingContexts")
	if err != nil {
		return "", fmt.Errorf("read rootDSE: %w", err)
	}
	var dns []string
	for _, base := range root.GetAttributeValues("namingContexts") {
		res, err := c.search(ctx, goldap.NewSearchRequest(base, goldap.ScopeWholeSubtree, goldap.NeverDerefAliases,
			2, 0, false, "(objectClass=pwdPolicy)", []string{"1.1"}, nil))
		if err != nil && !goldap.IsErrorWithCode(err, goldap.LDAPResultSizeLimitExceeded) {
			return "", fmt.Errorf("search password policies under %s: %w", base, err)
		}
		if res != nil {
			for _, e := range res.Entries {
				dns = append(dns, e.DN)
			}
		}
	}
	if len(dns) != 1 {
		return "", fmt.Errorf("found %d pwdPolicy entries; set directory.password_policy_dn in the configuration: %w", len(dns), directory.ErrNotFound)
	}
	return dns[0], nil
}

// history: ppolicy checks pwdInHistory on a Password Modify by anyone but
// the rootdn, and the service account is never the rootdn.
func (openLDAP) history(context.Context, *conn) (directory.HistoryEnforcement, error) {
	return directory.HistoryEnforcement{Enforced: true, By: "ppolicy"}, nil
}
