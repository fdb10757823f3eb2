package memory

import (
	"context"
	"fmt"
	"strings"

	"github.com/resetbot/resetbot/directory"
)

var _ directory.GroupMemberLister = (*Directory)(nil)

// GroupMembers implements directory.GroupMemberLister: it walks nested
// groups downwards from the group with the DN; the visited set makes a
// cycle of groups harmless, as in groupsOf.
func (d *Directory) GroupMembers(ctx context.Context, groupDN string) ([]*directory.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memory: group members: %w: %w", directory.ErrUnavailable, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	root := ""
	for name, g := range d.groups {
		if sameDN(g.dn, groupDN) {
			root = name
		}
	}
	if root == "" {
		return nil, fmt.Errorf("memory: group members of %q: no such group: %w", groupDN, directory.ErrNotFound)
	}
	visited := map[string]bool{}
	var names []string
	frontier := []string{root}
	for len(frontier) > 0 {
		name := frontier[0]
		frontier = frontier[1:]
		if visited[name] {
			continue
		}
		visited[name] = true
		g := d.groups[name]
		names = append(names, g.users...)
		frontier = append(frontier, g.groups...)
	}
	var out []*directory.User
	for _, a := range d.users {
		for _, n := range names {
			if a.named(n) {
				u := d.snapshot(a)
				u.Groups = nil // as the LDAP backend: a listing does not resolve groups
				out = append(out, u)
				break
			}
		}
	}
	return out, nil
}

// sameDN compares two DNs as LDAP does for the DNs this directory makes:
// case-insensitively, ignoring spaces around the commas.
func sameDN(a, b string) bool {
	norm := func(s string) string {
		parts := strings.Split(s, ",")
		for i, p := range parts {
			parts[i] = strings.TrimSpace(p)
		}
		return strings.Join(parts, ",")
	}
	return strings.EqualFold(norm(a), norm(b))
}
