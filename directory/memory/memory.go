// Package memory is an in-memory directory for the demo and for fast unit
// tests of the flows. It behaves like the LDAP backends where the flows can
// tell the difference (password policy, lockout after failed sign-ins,
// nested groups, disabled accounts, immutable ids) but keeps everything in
// one process, so it needs no server and starts instantly. Passwords are kept
// only as salted hashes.
package memory

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/resetbot/resetbot/directory"
)

var (
	_ directory.Directory    = (*Directory)(nil)
	_ directory.PolicyReader = (*Directory)(nil)

	_ directory.PasswordChangeReader = (*Directory)(nil)
	_ directory.ExpiryLister         = (*Directory)(nil)
)

// Directory is an in-memory directory.Directory. It is safe for concurrent
// use; every method returns copies, never its own records.
type Directory struct {
	policy directory.Policy
	maxAge time.Duration

	mu     sync.Mutex
	now    func() time.Time
	users  []*account          // in seed order
	byID   map[string]*account // immutable id (lower case) -> account
	groups map[string]*group   // group name -> group
}

// account is one user record. history holds the current password's hash
// first, then older ones, capped at the policy's history length.
type account struct {
	user     directory.User // Groups left empty; resolved on read
	chatIDs  map[string]string
	password passwordHash
	history  []passwordHash
	failures int
	// changed is when the password was last set through SetPassword; zero
	// for a seeded password, as a directory holds no time for it either.
	changed time.Time
	// maxAge is the account's own maximum password age, or zero for the
	// directory's.
	maxAge time.Duration
	// policy is the account's own password policy, or nil for the
	// directory's.
	policy *directory.Policy
}

// policyOf is the policy that applies to a: its own, else the directory's.
func (d *Directory) policyOf(a *account) directory.Policy {
	if a.policy != nil {
		return *a.policy
	}
	return d.policy
}

type group struct {
	dn     string
	users  []string // account names
	groups []string // group names
}

// New builds a directory from seed. It returns an error when the seed is
// inconsistent (duplicate names or ids, members that do not exist), so a
// typo in the demo's users fails at start-up instead of silently dropping
// a membership.
func New(seed Seed) (*Directory, error) {
	base := seed.BaseDN
	if base == "" {
		base = "dc=example,dc=test"
	}
	d := &Directory{
		policy: seed.Policy,
		maxAge: seed.MaxPasswordAge,
		now:    time.Now,
		byID:   make(map[string]*account),
		groups: make(map[string]*group),
	}
	var errs []error
	names := make(map[string]bool)
	for _, su := range seed.Users {
		if su.AccountName == "" {
			errs = append(errs, errors.New("memory: seed user without account name"))
			continue
		}
		all := append([]string{su.AccountName}, su.Aliases...)
		dup := false
		for _, n := range all {
			if names[strings.ToLower(n)] {
				errs = append(errs, fmt.Errorf("memory: duplicate account name %q", n))
				dup = true
			}
		}
		if dup {
			continue
		}
		for _, n := range all {
			names[strings.ToLower(n)] = true
		}
		id := su.ID
		if id == "" {
			id = newUUID()
		}
		if d.byID[strings.ToLower(id)] != nil {
			errs = append(errs, fmt.Errorf("memory: duplicate id %q", id))
			continue
		}
		chat := make(map[string]string, len(su.ChatIDs))
		for p, v := range su.ChatIDs {
			chat[p] = v
		}
		h := hashPassword(su.Password)
		a := &account{
			user: directory.User{
				DN:          "uid=" + su.AccountName + ",ou=People," + base,
				ID:          id,
				AccountName: su.AccountName,
				Names:       all,
				Email:       su.Email,
				DisplayName: su.DisplayName,
				Department:  su.Department,
				Disabled:    su.Disabled,
				Locked:      su.Locked,
			},
			chatIDs:  chat,
			maxAge:   su.MaxPasswordAge,
			policy:   clonePolicy(su.Policy),
			password: h,
			history:  []passwordHash{h},
		}
		d.users = append(d.users, a)
		d.byID[strings.ToLower(id)] = a
	}
	for _, sg := range seed.Groups {
		if sg.Name == "" || d.groups[sg.Name] != nil {
			errs = append(errs, fmt.Errorf("memory: missing or duplicate group name %q", sg.Name))
			continue
		}
		d.groups[sg.Name] = &group{
			dn:     "cn=" + sg.Name + ",ou=Groups," + base,
			users:  append([]string(nil), sg.Users...),
			groups: append([]string(nil), sg.Groups...),
		}
	}
	for _, sg := range seed.Groups {
		for _, u := range sg.Users {
			if !names[strings.ToLower(u)] {
				errs = append(errs, fmt.Errorf("memory: group %q: unknown user %q", sg.Name, u))
			}
		}
		for _, g := range sg.Groups {
			if d.groups[g] == nil {
				errs = append(errs, fmt.Errorf("memory: group %q: unknown group %q", sg.Name, g))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return d, nil
}

// Find implements directory.Directory. Account names and emails compare
// case-insensitively, as LDAP matching rules do for those attributes.
func (d *Directory) Find(ctx context.Context, l directory.Lookup) (*directory.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memory: find: %w: %w", directory.ErrUnavailable, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var found []*account
	for _, a := range d.users {
		if l.Value != "" && a.matches(l) {
			found = append(found, a)
		}
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("memory: find by %s: %d matches: %w", l.Kind, len(found), directory.ErrNotFound)
	}
	return d.snapshot(found[0]), nil
}

func (a *account) matches(l directory.Lookup) bool {
	switch l.Kind {
	case directory.ByAccountName:
		return a.named(l.Value)
	case directory.ByEmail:
		return strings.EqualFold(a.user.Email, l.Value)
	case directory.ByID:
		return strings.EqualFold(a.user.ID, l.Value)
	case directory.ByChatID:
		v, ok := a.chatIDs[l.Platform]
		return ok && v == l.Value
	}
	return false
}

// snapshot copies the account and resolves its nested groups. Caller holds mu.
func (d *Directory) snapshot(a *account) *directory.User {
	u := a.user
	u.Names = append([]string(nil), a.user.Names...)
	u.Groups = d.groupsOf(a.user.Names)
	u.ChatIDs = make(map[string]string, len(a.chatIDs))
	for p, v := range a.chatIDs {
		if v != "" {
			u.ChatIDs[p] = v
		}
	}
	return &u
}

// groupsOf walks membership upwards from the user (a member listed by
// any of the user's names); the visited set makes a
// cycle of groups harmless.
func (d *Directory) groupsOf(names []string) []string {
	visited := make(map[string]bool)
	var frontier []string
	for name, g := range d.groups {
		for _, m := range g.users {
			for _, n := range names {
				if strings.EqualFold(m, n) {
					frontier = append(frontier, name)
				}
			}
		}
	}
	var dns []string
	for len(frontier) > 0 {
		name := frontier[0]
		frontier = frontier[1:]
		if visited[name] {
			continue
		}
		visited[name] = true
		dns = append(dns, d.groups[name].dn)
		for parent, g := range d.groups {
			for _, m := range g.groups {
				if m == name && !visited[parent] {
					frontier = append(frontier, parent)
				}
			}
		}
	}
	return dns
}

// lookup finds the account behind u by its immutable id. Caller holds mu.
func (d *Directory) lookup(op string, u *directory.User) (*account, error) {
	if u == nil {
		return nil, fmt.Errorf("memory: %s: nil user: %w", op, directory.ErrNotFound)
	}
	a := d.byID[strings.ToLower(u.ID)]
	if a == nil {
		return nil, fmt.Errorf("memory: %s: no account with id %q: %w", op, u.ID, directory.ErrNotFound)
	}
	return a, nil
}

// SetPassword implements directory.Directory. Like an administrator's reset
// in AD, it leaves a lockout in place; flows call Unlock when they mean it.
func (d *Directory) SetPassword(ctx context.Context, u *directory.User, newPassword string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory: set password: %w: %w", directory.ErrUnavailable, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	a, err := d.lookup("set password", u)
	if err != nil {
		return err
	}
	pol := d.policyOf(a)
	history := a.history
	if len(history) > pol.HistoryLength {
		history = history[:pol.HistoryLength]
	}
	if err := checkPolicy(pol, a.user.AccountName, newPassword, history); err != nil {
		return fmt.Errorf("memory: set password for %s: %w", a.user.AccountName, err)
	}
	h := hashPassword(newPassword)
	a.password = h
	a.history = append([]passwordHash{h}, history...)
	a.changed = d.now().UTC()
	return nil
}

// VerifyPassword implements directory.Directory. A wrong password counts
// towards the lockout threshold; a right one resets the count. Disabled and
// locked accounts never verify, as a real bind would refuse them.
func (d *Directory) VerifyPassword(ctx context.Context, u *directory.User, password string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory: verify password: %w: %w", directory.ErrUnavailable, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	a, err := d.lookup("verify password", u)
	if err != nil {
		return err
	}
	switch {
	case a.user.Disabled:
		return fmt.Errorf("memory: verify password for %s: account disabled: %w", a.user.AccountName, directory.ErrInvalidCredentials)
	case a.user.Locked:
		return fmt.Errorf("memory: verify password for %s: account locked: %w", a.user.AccountName, directory.ErrInvalidCredentials)
	case password == "" || !a.password.matches(password):
		a.failures++
		if t := d.policyOf(a).LockoutThreshold; t > 0 && a.failures >= t {
			a.user.Locked = true
		}
		return fmt.Errorf("memory: verify password for %s: wrong password: %w", a.user.AccountName, directory.ErrInvalidCredentials)
	}
	a.failures = 0
	return nil
}

// Unlock implements directory.Directory. It clears the failed-login lockout
// only; a disabled account stays disabled.
func (d *Directory) Unlock(ctx context.Context, u *directory.User) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory: unlock: %w: %w", directory.ErrUnavailable, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	a, err := d.lookup("unlock", u)
	if err != nil {
		return err
	}
	a.user.Locked = false
	a.failures = 0
	return nil
}

// PasswordPolicy implements directory.PolicyReader with the seed policy.
func (d *Directory) PasswordPolicy(ctx context.Context) (directory.Policy, error) {
	if err := ctx.Err(); err != nil {
		return directory.Policy{}, fmt.Errorf("memory: password policy: %w: %w", directory.ErrUnavailable, err)
	}
	return d.policy, nil
}

// AccountPasswordPolicy implements directory.AccountPolicyReader: the
// account's own policy when its seed gave one, else the seed policy.
func (d *Directory) AccountPasswordPolicy(ctx context.Context, u *directory.User) (directory.Policy, error) {
	if err := ctx.Err(); err != nil {
		return directory.Policy{}, fmt.Errorf("memory: account password policy: %w: %w", directory.ErrUnavailable, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	a, err := d.lookup("account password policy", u)
	if err != nil {
		return directory.Policy{}, err
	}
	return d.policyOf(a), nil
}

// clonePolicy copies p so the seed's value can change without changing
// the directory.
func clonePolicy(p *directory.Policy) *directory.Policy {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

// newUUID returns a random (version 4) UUID in canonical form, the shape of
// OpenLDAP's entryUUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
