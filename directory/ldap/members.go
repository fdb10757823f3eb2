package ldap

import (
	"context"
	"errors"
	"fmt"
	"strings"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/directory"
)

var _ directory.GroupMemberLister = (*Directory)(nil)

// memberReadLimit is how many member entries the OpenLDAP walk reads one
// by one; a group with more members is matched against one paged search
// of the user base instead, which costs the same whatever the group's size.
const memberReadLimit = 64

// groupClasses selects the group entries the OpenLDAP and 389-ds walk
// follows.
const groupClasses = "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))"

// GroupMembers implements directory.GroupMemberLister. On Active
// Directory the server resolves nesting: one paged search of the user base
// with the matching rule in chain (memberOf omits the primary group, so
// "Domain Users" by primaryGroupID is not listed). On OpenLDAP and 389-ds,
// whose servers may run without a memberOf overlay, the groups under the
// group base are read with one paged search and walked downwards from the
// group, breadth first, with the visited set as a cycle guard and at most
// maxGroupDepth levels; the accounts found are then read under the user
// base (one by one for a small group, else one paged search).
func (d *Directory) GroupMembers(ctx context.Context, groupDN string) ([]*directory.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, classify("list group members", err)
	}
	if _, err := goldap.ParseDN(groupDN); err != nil || strings.TrimSpace(groupDN) == "" ||
		strings.ContainsRune(groupDN, 0) {
		return nil, fmt.Errorf("ldap: group members: %q is not a DN: %w", groupDN, directory.ErrNotFound)
	}
	var out []*directory.User
	err := d.withConn(ctx, "list group members", true, func(c *conn) error {
		var err error
		switch d.cfg.Flavour {
		case ActiveDirectory:
			out, err = d.adMembers(ctx, c, groupDN)
		case OpenLDAP, DS389:
			out, err = d.walkMembers(ctx, c, groupDN)
		default:
			err = fmt.Errorf("listing group members on %s: %w", d.cfg.Flavour, errors.ErrUnsupported)
		}
		if goldap.IsErrorWithCode(err, goldap.LDAPResultSizeLimitExceeded) {
			err = fmt.Errorf("%w (the server caps how many entries the service account may read: allow it unlimited paged results, on slapd limits dn.exact=\"<bind dn>\" size.prtotal=unlimited)", err)
		}
		return err
	})
	return out, err
}

// adMembers asks the server for every user in the group's chain.
func (d *Directory) adMembers(ctx context.Context, c *conn, groupDN string) ([]*directory.User, error) {
	if _, err := d.searchGroup(ctx, c, groupDN, "(objectClass=group)"); err != nil {
		return nil, err
	}
	filter := "(&" + d.dialect.userFilter() + d.cfg.UserFilter +
		"(memberOf:" + matchingRuleInChain + ":=" + goldap.EscapeFilter(groupDN) + "))"
	res, err := c.searchPaged(ctx, goldap.NewSearchRequest(d.cfg.UserBaseDN, goldap.ScopeWholeSubtree,
		goldap.NeverDerefAliases, 0, 0, false, filter, d.listAttributes(), nil))
	if err != nil {
		return nil, err
	}
	return d.users(res.Entries, nil)
}

// searchGroup reads the group entry itself, so a DN that names nothing (or
// names no group) is ErrNotFound rather than an empty list.
func (d *Directory) searchGroup(ctx context.Context, c *conn, groupDN, classFilter string) (*goldap.Entry, error) {
	res, err := c.search(ctx, goldap.NewSearchRequest(groupDN, goldap.ScopeBaseObject, goldap.NeverDerefAliases,
		1, 0, false, classFilter, []string{"member", "uniqueMember"}, nil))
	switch {
	case goldap.IsErrorWithCode(err, goldap.LDAPResultNoSuchObject):
		return nil, notFound("group %s does not exist", groupDN)
	case err != nil:
		return nil, err
	case len(res.Entries) != 1:
		return nil, notFound("%s is not a group", groupDN)
	}
	return res.Entries[0], nil
}

// walkMembers resolves nesting on the client side.
func (d *Directory) walkMembers(ctx context.Context, c *conn, groupDN string) ([]*directory.User, error) {
	root, err := d.searchGroup(ctx, c, groupDN, groupClasses)
	if err != nil {
		return nil, err
	}
	res, err := c.searchPaged(ctx, goldap.NewSearchRequest(d.cfg.GroupBaseDN, goldap.ScopeWholeSubtree,
		goldap.NeverDerefAliases, 0, 0, false, groupClasses, []string{"member", "uniqueMember"}, nil))
	if err != nil {
		return nil, fmt.Errorf("groups under %s: %w", d.cfg.GroupBaseDN, err)
	}
	groups := map[string]*goldap.Entry{dnKey(root.DN): root}
	for _, e := range res.Entries {
		groups[dnKey(e.DN)] = e
	}
	visited := map[string]bool{dnKey(root.DN): true}
	accounts := map[string]string{} // dnKey -> DN as listed
	frontier := []*goldap.Entry{root}
	for depth := 0; len(frontier) > 0; depth++ {
		if depth == maxGroupDepth {
			return nil, fmt.Errorf("groups nested deeper than %d levels under %s: walk stopped", maxGroupDepth, groupDN)
		}
		var next []*goldap.Entry
		for _, g := range frontier {
			for _, m := range memberDNs(g) {
				k := dnKey(m)
				if sub, ok := groups[k]; ok {
					if !visited[k] {
						visited[k] = true
						next = append(next, sub)
					}
					continue
				}
				accounts[k] = m
			}
		}
		frontier = next
	}
	return d.readAccounts(ctx, c, accounts)
}

// readAccounts reads the member DNs that are users under the user base;
// other members (service accounts outside it, dangling DNs) are left out,
// as Find would not return them either.
func (d *Directory) readAccounts(ctx context.Context, c *conn, accounts map[string]string) ([]*directory.User, error) {
	filter := "(&" + d.dialect.userFilter() + d.cfg.UserFilter + ")"
	if len(accounts) > memberReadLimit {
		res, err := c.searchPaged(ctx, goldap.NewSearchRequest(d.cfg.UserBaseDN, goldap.ScopeWholeSubtree,
			goldap.NeverDerefAliases, 0, 0, false, filter, d.listAttributes(), nil))
		if err != nil {
			return nil, err
		}
		return d.users(res.Entries, accounts)
	}
	var entries []*goldap.Entry
	for _, dn := range accounts {
		if !underBase(dn, d.cfg.UserBaseDN) {
			continue
		}
		e, err := d.searchOne(ctx, c, dn, goldap.ScopeBaseObject, filter)
		if errors.Is(err, directory.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("member %s: %w", dn, err)
		}
		entries = append(entries, e)
	}
	return d.users(entries, nil)
}

// users converts entries to users, keeping only those whose DN is in keep
// when keep is not nil.
func (d *Directory) users(entries []*goldap.Entry, keep map[string]string) ([]*directory.User, error) {
	out := make([]*directory.User, 0, len(entries))
	for _, e := range entries {
		if keep != nil {
			if _, ok := keep[dnKey(e.DN)]; !ok {
				continue
			}
		}
		u, err := d.userWithoutGroups(e)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// memberDNs lists a group entry's members: member values, and
// uniqueMember values without their optional "#'...'B" unique id.
func memberDNs(e *goldap.Entry) []string {
	out := e.GetEqualFoldAttributeValues("member")
	for _, v := range e.GetEqualFoldAttributeValues("uniqueMember") {
		if i := strings.LastIndex(v, "#'"); i > 0 && strings.HasSuffix(v, "'B") {
			v = v[:i]
		}
		out = append(out, v)
	}
	return out
}

// dnKey is a DN's comparison key: parsed and printed again, lower-cased,
// so spacing and case do not make one entry two.
func dnKey(dn string) string {
	p, err := goldap.ParseDN(dn)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(dn))
	}
	return strings.ToLower(p.String())
}
