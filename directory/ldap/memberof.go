package ldap

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	goldap "github.com/go-ldap/ldap/v3"
)

// GroupMembership selects how an OpenLDAP directory finds a user's groups
// (the directory section's group_membership): a privileged check is only
// as right as the membership it reads, so the administrator says which
// source the server keeps complete.
type GroupMembership string

// The ways to find a user's groups.
const (
	// GroupsBySearch walks the groups listing the user, then the groups
	// listing those, one search per level. It needs nothing of the server
	// beyond groupOfNames or groupOfUniqueNames, and is the default.
	GroupsBySearch GroupMembership = "search"
	// GroupsByMemberOf reads the user's memberOf values with the entry
	// (slapd's memberof overlay) and the groups' own memberOf for the
	// nesting above them: an account in no group, or in groups that are in
	// no group, costs no search beyond its own lookup (see
	// findWithNesting). Right only where the overlay maintains memberOf on
	// the members of every group that matters (config check -connect
	// probes the privileged groups).
	GroupsByMemberOf GroupMembership = "member_of"
)

// errMemberOfNotKept marks a server that does not keep memberOf the way
// group_membership: member_of relies on.
var errMemberOfNotKept = errors.New("the server does not maintain memberOf")

// memberOfType finds memberOf among a subschema's attributeTypes values,
// as its only name or one of several.
var memberOfType = regexp.MustCompile(`(?i)NAME\s*(\(\s*(?:'[^']*'\s+)*)?'memberOf'`)

// membersProbed bounds how many members of each probed group
// CheckGroupMembership reads.
const membersProbed = 3

// CheckGroupMembership reports, with group_membership: member_of, whether
// the server really keeps memberOf: its subschema must define the
// attribute type, and members of the groups given (the privileged groups;
// or, when none is given, the first group with a member under the group
// base) must carry memberOf naming each group (a few members each, users
// or nested groups). A memberof overlay added after the groups were made,
// or one configured for another group class (groupOfUniqueNames needs an
// overlay instance of its own), fails here rather than letting a
// privileged account pass as unprivileged. With group_membership: search
// there is nothing to check and it returns nil. `config check -connect`
// calls it and prints what it returns as a warning.
func (d *Directory) CheckGroupMembership(ctx context.Context, groups []string) error {
	if d.cfg.GroupMembership != GroupsByMemberOf {
		return nil
	}
	return d.withConn(ctx, "check memberOf", true, func(c *conn) error {
		if err := hasMemberOfType(ctx, c); err != nil {
			return err
		}
		if len(groups) == 0 {
			g, err := firstGroupWithMember(ctx, c, d.cfg.GroupBaseDN)
			if err != nil || g == "" {
				return err
			}
			groups = []string{g}
		}
		for _, g := range groups {
			if err := memberOfKept(ctx, c, g); err != nil {
				return err
			}
		}
		return nil
	})
}

// hasMemberOfType reads the subschema named by the rootDSE and looks for
// the memberOf attribute type.
func hasMemberOfType(ctx context.Context, c *conn) error {
	root, err := c.readBase(ctx, "", "subschemaSubentry")
	if err != nil {
		return fmt.Errorf("read rootDSE: %w", err)
	}
	dn := root.GetAttributeValue("subschemaSubentry")
	if dn == "" {
		dn = "cn=Subschema"
	}
	res, err := c.search(ctx, goldap.NewSearchRequest(dn, goldap.ScopeBaseObject, goldap.NeverDerefAliases,
		1, 0, false, "(objectClass=subschema)", []string{"attributeTypes"}, nil))
	if err != nil {
		return fmt.Errorf("read subschema %s: %w", dn, err)
	}
	for _, e := range res.Entries {
		for _, v := range e.GetEqualFoldAttributeValues("attributeTypes") {
			if memberOfType.MatchString(v) {
				return nil
			}
		}
	}
	return fmt.Errorf("%w: its schema (%s) defines no memberOf attribute type (on slapd: moduleload memberof and overlay memberof on the database), so group_membership: member_of finds no groups; use search", errMemberOfNotKept, dn)
}

// firstGroupWithMember returns a group under base that has a member, or "" when there is none (nothing to probe).
func firstGroupWithMember(ctx context.Context, c *conn, base string) (string, error) {
	res, err := c.search(ctx, goldap.NewSearchRequest(base, goldap.ScopeWholeSubtree, goldap.NeverDerefAliases,
		1, 0, false, "(|(&(objectClass=groupOfNames)(member=*))(&(objectClass=groupOfUniqueNames)(uniqueMember=*)))", []string{"1.1"}, nil))
	if err != nil && !goldap.IsErrorWithCode(err, goldap.LDAPResultSizeLimitExceeded) {
		return "", fmt.Errorf("find a group under %s: %w", base, err)
	}
	if res == nil || len(res.Entries) == 0 {
		return "", nil
	}
	return res.Entries[0].DN, nil
}

// memberOfKept reads a few of group's members (member or uniqueMember)
// and checks that each names the group in its memberOf. Members that do
// not exist (dangling values) or that the service account cannot read are
// skipped.
func memberOfKept(ctx context.Context, c *conn, group string) error {
	g, err := c.readBase(ctx, group, "member", "uniqueMember")
	if goldap.IsErrorWithCode(err, goldap.LDAPResultNoSuchObject) {
		return fmt.Errorf("group %s does not exist", group)
	}
	if err != nil {
		return fmt.Errorf("read group %s: %w", group, err)
	}
	probed := 0
	members := g.GetEqualFoldAttributeValues("member")
	for _, m := range g.GetEqualFoldAttributeValues("uniqueMember") {
		// A uniqueMember value may end in an optional #'...'B uid.
		if i := strings.LastIndex(m, "#'"); i > 0 {
			m = m[:i]
		}
		members = append(members, m)
	}
	for _, m := range members {
		if probed == membersProbed {
			break
		}
		e, err := c.readBase(ctx, m, "memberOf")
		if goldap.IsErrorAnyOf(err, goldap.LDAPResultNoSuchObject, goldap.LDAPResultInsufficientAccessRights) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read member %s of %s: %w", m, group, err)
		}
		probed++
		found := false
		for _, v := range e.GetEqualFoldAttributeValues("memberOf") {
			if dnKey(v) == dnKey(group) {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("%w: %s is a member of %s but its memberOf does not say so (an overlay or plugin enabled after the group was filled needs its fix-up task; a group class it is not configured for is not followed)", errMemberOfNotKept, m, group)
		}
	}
	return nil
}
