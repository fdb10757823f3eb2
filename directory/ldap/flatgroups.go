package ldap

import (
	"context"
	"strings"
	"sync"

	goldap "github.com/go-ldap/ldap/v3"
)

// flatMax bounds the groups a lookup asks about beside the user: each is
// one more entryDN term in its filter (a DN-index lookup on slapd).
const flatMax = 32

// flatGroups remembers, with group_membership: member_of, the groups most
// recently found to be in no group themselves (no memberOf on the group's
// own entry). It is only a hint of which groups to ask about: the lookup's
// own search (findWithNesting) asks the server, in the same operation that
// reads the user, which of these groups carry memberOf now, so what a
// lookup decides about membership is always what the server said at that
// moment, never what was remembered. A group found nested is forgotten at
// once, so the hint does not make a lookup return group entries for
// nothing. The point is the common case: most accounts are in a few groups
// that are in no group, and then the user's search alone settles the whole
// membership.
type flatGroups struct {
	mu sync.Mutex
	// dns in the order last learned, the oldest first, with their dnKey
	// (order) and indexed by it (keys).
	dns   []string
	order []string
	keys  map[string]bool
}

func newFlatGroups() *flatGroups { return &flatGroups{keys: map[string]bool{}} }

// learned records what a walk found out about group: flat (in no group)
// or not.
func (f *flatGroups) learned(group string, flat bool) {
	if f == nil {
		return
	}
	k := dnKey(group)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.keys[k] {
		// Forgotten, or moved to the newest end.
		for i, ok := range f.order {
			if ok == k {
				f.dns = append(f.dns[:i], f.dns[i+1:]...)
				f.order = append(f.order[:i], f.order[i+1:]...)
				break
			}
		}
		delete(f.keys, k)
	}
	if !flat {
		return
	}
	if len(f.dns) >= flatMax {
		delete(f.keys, f.order[0])
		f.dns, f.order = f.dns[1:], f.order[1:]
	}
	f.dns, f.order = append(f.dns, group), append(f.order, k)
	f.keys[k] = true
}

// list returns the groups to ask about, at most flatMax, and their
// dnKeys.
func (f *flatGroups) list() (dns, keys []string) {
	if f == nil {
		return nil, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.dns...), append([]string(nil), f.order...)
}

// findWithNesting is findEntry for a directory with group_membership:
// member_of whose user and group bases share an ancestor: one subtree
// search from that ancestor for the user (filter) or any of the groups
// flatGroups names that is in a group now. It returns the user's entry
// and, for each of those groups (by dnKey), its memberOf values now: nil
// for a group the search did not return, which is in no group (or gone).
// groups then needs no search for them. The user's entry must still lie
// under the user base (an entry elsewhere that matches the filter is
// dropped, as the user-base search would not see it); when more entries
// come back than the search allows, it falls back to findEntry and
// reports nothing known, so an ambiguity is judged exactly as without the
// hint.
func (d *Directory) findWithNesting(ctx context.Context, c *conn, filter string) (*goldap.Entry, map[string][]string, error) {
	hints, keys := d.flat.list()
	if d.nestingBase == "" || len(hints) == 0 {
		e, err := d.findEntry(ctx, c, filter)
		return e, nil, err
	}
	hinted := make(map[string]bool, len(keys))
	for _, k := range keys {
		hinted[k] = true
	}
	res, err := c.search(ctx, goldap.NewSearchRequest(d.nestingBase, goldap.ScopeWholeSubtree,
		goldap.NeverDerefAliases, 2+len(hints), 0, false, "(|"+filter+nestedGroupsFilter(hints)+")", d.attributes(), nil))
	switch {
	case goldap.IsErrorWithCode(err, goldap.LDAPResultSizeLimitExceeded):
		e, err := d.findEntry(ctx, c, filter)
		return e, nil, err
	case goldap.IsErrorWithCode(err, goldap.LDAPResultNoSuchObject):
		return nil, nil, notFound("base %s does not exist", d.nestingBase)
	case err != nil:
		return nil, nil, err
	}
	known := make(map[string][]string, len(hints))
	for k := range hinted {
		known[k] = nil
	}
	var users []*goldap.Entry
	for _, e := range res.Entries {
		if k := dnKey(e.DN); hinted[k] {
			known[k] = e.GetEqualFoldAttributeValues("memberOf")
			d.flat.learned(e.DN, false) // in a group now: ask no more
			continue
		}
		if underBase(e.DN, d.cfg.UserBaseDN) {
			users = append(users, e)
		}
	}
	if len(users) != 1 {
		return nil, nil, notFound("%d entries match", len(users))
	}
	return users[0], known, nil
}

// commonBase is the nearest entry both DNs are in or under, "" when they
// share none (two naming contexts) or one does not parse.
func commonBase(a, b string) string {
	da, err := goldap.ParseDN(a)
	if err != nil {
		return ""
	}
	db, err := goldap.ParseDN(b)
	if err != nil {
		return ""
	}
	n := 0
	for n < len(da.RDNs) && n < len(db.RDNs) &&
		da.RDNs[len(da.RDNs)-1-n].EqualFold(db.RDNs[len(db.RDNs)-1-n]) {
		n++
	}
	if n == 0 {
		return ""
	}
	common := &goldap.DN{RDNs: da.RDNs[len(da.RDNs)-n:]}
	return strings.TrimSpace(common.String())
}
