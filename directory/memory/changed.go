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
