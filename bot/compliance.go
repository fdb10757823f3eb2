package bot

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/resetbot/resetbot/directory"
)

// Enrollment is how many of a set of accounts have a passkey: the
// phishing-resistant factor campaigns ask people to add.
type Enrollment struct {
	// Name is the group's DN or the department ("" for accounts with
	// none).
	Name     string
	Enrolled int
	Total    int
}

// Compliance is enrollment with a passkey by group and by department. It
// counts the enabled accounts of the report's groups (nested membership
// resolved), each account once per group and once in its department:
// disabled accounts cannot enroll, so they are no gap to close.
type Compliance struct {
	// Groups are in the order the report asked for them.
	Groups []Enrollment
	// Departments are the departments of the groups' accounts, by name.
	Departments []Enrollment
}

// errNoMemberLister: compliance and campaigns need the directory to list
// a group's members.
var errNoMemberLister = errors.New("bot: the directory cannot list group members")

// Compliance reads the groups' members from the directory and each
// account's factors from the credential store.
func (b *Bot) Compliance(ctx context.Context, groups []string) (Compliance, error) {
	var c Compliance
	if len(groups) == 0 {
		return c, nil
	}
	gl, ok := b.deps.Directory.(directory.GroupMemberLister)
	if !ok {
		return c, errNoMemberLister
	}
	if b.deps.Factors == nil {
		return c, errors.New("bot: compliance needs the credential store")
	}
	enrolled := map[string]bool{} // account id -> has a passkey
	depts := map[string]*Enrollment{}
	for _, g := range groups {
		members, err := gl.GroupMembers(ctx, g)
		if err != nil {
			return Compliance{}, fmt.Errorf("members of %s: %w", g, err)
		}
		e := Enrollment{Name: g}
		for _, u := range members {
			if u.Disabled {
				continue
			}
			has, seen := enrolled[u.ID]
			if !seen {
				fc, err := b.deps.Factors.Factors(ctx, u.ID)
				if err != nil {
					return Compliance{}, fmt.Errorf("factors of %s: %w", u.ID, err)
				}
				has = fc.Passkeys > 0
				enrolled[u.ID] = has
				d := depts[u.Department]
				if d == nil {
					d = &Enrollment{Name: u.Department}
					depts[u.Department] = d
				}
				d.Total++
				if has {
					d.Enrolled++
				}
			}
			e.Total++
			if has {
				e.Enrolled++
			}
		}
		c.Groups = append(c.Groups, e)
	}
	for _, d := range depts {
		c.Departments = append(c.Departments, *d)
	}
	sort.Slice(c.Departments, func(i, j int) bool { return c.Departments[i].Name < c.Departments[j].Name })
	return c, nil
}
