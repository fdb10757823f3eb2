package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/resetbot/resetbot/directory"
)

// SetClock replaces the clock that stamps password changes, so tests of the
// flows (which move an injected clock instead of sleeping) see change times
// on the same time line as their flows.
func (d *Directory) SetClock(now func() time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.now = now
}

// PasswordChangedAt implements directory.PasswordChangeReader: the time of
// the last SetPassword, zero for a password that came with the seed.
func (d *Directory) PasswordChangedAt(ctx context.Context, u *directory.User) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, fmt.Errorf("memory: password changed at: %w: %w", directory.ErrUnavailable, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	a, err := d.lookup("password changed at", u)
	if err != nil {
		return time.Time{}, err
	}
	return a.changed, nil
}

// PasswordsExpiringBefore implements directory.ExpiryLister: a password
// set through SetPassword expires the account's (or the seed's) maximum
// age later; seeded passwords carry no change time and never expire, as
// on a freshly loaded slapd.
func (d *Directory) PasswordsExpiringBefore(ctx context.Context, before time.Time) ([]directory.PasswordExpiry, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memory: passwords expiring: %w: %w", directory.ErrUnavailable, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []directory.PasswordExpiry
	for _, a := range d.users {
		age := a.maxAge
		if age == 0 {
			age = d.maxAge
		}
		if a.user.Disabled || a.changed.IsZero() || age <= 0 {
			continue
		}
		if at := a.changed.Add(age); at.Before(before) {
			u := d.snapshot(a)
			u.Groups = nil
			out = append(out, directory.PasswordExpiry{User: u, ChangedAt: a.changed, ExpiresAt: at})
		}
	}
	return out, nil
}
