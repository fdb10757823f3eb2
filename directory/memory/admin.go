package memory

import (
	"fmt"
	"strings"

	"github.com/resetbot/resetbot/directory"
)

// The methods in this file are what an administrator does to accounts
// between two requests: disable one, lock it, move it in or out of a group.
// Tests use them to change the directory while a flow is open, which is
// exactly where policy must be evaluated again rather than remembered.

// SetDisabled disables or re-enables the account with the login name.
func (d *Directory) SetDisabled(accountName string, disabled bool) error {
	return d.edit(accountName, func(a *account) { a.user.Disabled = disabled })
}

// SetLocked sets or clears the failed-login lockout of the account.
func (d *Directory) SetLocked(accountName string, locked bool) error {
	return d.edit(accountName, func(a *account) {
		a.user.Locked = locked
		a.failures = 0
	})
}

// AddMember adds the account to the group as a direct member.
func (d *Directory) AddMember(group, accountName string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	g, a, err := d.groupAndAccount(group, accountName)
	if err != nil {
		return err
	}
	g.users = append(g.users, a.user.AccountName)
	return nil
}

// RemoveMember removes the account (by any of its names) from the group's
// direct members.
func (d *Directory) RemoveMember(group, accountName string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	g, a, err := d.groupAndAccount(group, accountName)
	if err != nil {
		return err
	}
	kept := g.users[:0]
	for _, m := range g.users {
		if !a.named(m) {
			kept = append(kept, m)
		}
	}
	g.users = kept
	return nil
}

func (d *Directory) edit(accountName string, fn func(a *account)) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	a := d.byName(accountName)
	if a == nil {
		return fmt.Errorf("memory: no account %q: %w", accountName, directory.ErrNotFound)
	}
	fn(a)
	return nil
}

// groupAndAccount resolves both names. Caller holds mu.
func (d *Directory) groupAndAccount(group, accountName string) (*group, *account, error) {
	g := d.groups[group]
	if g == nil {
		return nil, nil, fmt.Errorf("memory: no group %q: %w", group, directory.ErrNotFound)
	}
	a := d.byName(accountName)
	if a == nil {
		return nil, nil, fmt.Errorf("memory: no account %q: %w", accountName, directory.ErrNotFound)
	}
	return g, a, nil
}

// byName finds an account by any login name. Caller holds mu.
func (d *Directory) byName(name string) *account {
	for _, a := range d.users {
		if a.named(name) {
			return a
		}
	}
	return nil
}

func (a *account) named(name string) bool {
	for _, n := range a.user.Names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}
