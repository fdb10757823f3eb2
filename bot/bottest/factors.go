package bottest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/directory"
)

// Enrolled is the rig's stand-in for the credential store behind
// bot.Factors: every account has one passkey unless a test says otherwise,
// so scenarios that are not about factors run the happy path.
type Enrolled struct {
	mu      sync.Mutex
	byID    map[string]bot.FactorCount
	details map[string]bot.FactorDetails
	// crash makes the next RevokeFactors fail after it removed.
	crash bool
}

// ErrCrashedAfterRevoke is what RevokeFactors returns after
// CrashAfterNextRevoke: the factors are gone, the caller never heard.
var ErrCrashedAfterRevoke = errors.New("bottest: the process died after removing the factors")

// CrashAfterNextRevoke makes the next RevokeFactors remove what matches
// and then fail, as a process dying between the removal and its record
// does; the job's retry then finds nothing left to remove.
func (e *Enrolled) CrashAfterNextRevoke() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.crash = true
}

var (
	_ bot.Factors      = (*Enrolled)(nil)
	_ bot.FactorLister = (*Enrolled)(nil)
)

// DefaultPasskey is the one passkey every account has unless a test says
// otherwise.
var DefaultPasskey = bot.PasskeyInfo{Name: "Work phone", AddedAt: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), Synced: true}

// FactorDetails implements bot.FactorLister.
func (e *Enrolled) FactorDetails(_ context.Context, accountID string) (bot.FactorDetails, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if d, ok := e.details[accountID]; ok {
		return d, nil
	}
	if c, ok := e.byID[accountID]; ok {
		d := bot.FactorDetails{TOTP: c.TOTP}
		for i := 0; i < c.Passkeys; i++ {
			d.Passkeys = append(d.Passkeys, DefaultPasskey)
		}
		return d, nil
	}
	return bot.FactorDetails{Passkeys: []bot.PasskeyInfo{DefaultPasskey}}, nil
}

// SetDetails records the example account's factors in detail (and their
// counts, so both views agree).
func (r *Rig) SetDetails(t *testing.T, account string, d bot.FactorDetails) {
	t.Helper()
	r.SetFactors(t, account, bot.FactorCount{Passkeys: len(d.Passkeys), TOTP: d.TOTP})
	u, err := r.Dir.Find(context.Background(), directory.Lookup{Kind: directory.ByAccountName, Value: account})
	if err != nil {
		t.Fatal(err)
	}
	r.Factors.mu.Lock()
	defer r.Factors.mu.Unlock()
	if r.Factors.details == nil {
		r.Factors.details = map[string]bot.FactorDetails{}
	}
	r.Factors.details[u.ID] = d
}

// Factors implements bot.Factors.
func (e *Enrolled) Factors(_ context.Context, accountID string) (bot.FactorCount, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.byID[accountID]; ok {
		return c, nil
	}
	return bot.FactorCount{Passkeys: 1}, nil
}

// SetFactors records what the example account has enrolled.
func (r *Rig) SetFactors(t *testing.T, account string, c bot.FactorCount) {
	t.Helper()
	u, err := r.Dir.Find(context.Background(), directory.Lookup{Kind: directory.ByAccountName, Value: account})
	if err != nil {
		t.Fatal(err)
	}
	r.Factors.mu.Lock()
	defer r.Factors.mu.Unlock()
	if r.Factors.byID == nil {
		r.Factors.byID = map[string]bot.FactorCount{}
	}
	r.Factors.byID[u.ID] = c
}

var _ bot.FactorRevoker = (*Enrolled)(nil)

// RevokeFactors implements bot.FactorRevoker on the recorded details, as
// the credential store adapter does: passkeys by name, or everything.
func (e *Enrolled) RevokeFactors(ctx context.Context, accountID, name string) ([]string, error) {
	d, _ := e.FactorDetails(ctx, accountID)
	e.mu.Lock()
	defer e.mu.Unlock()
	all := strings.EqualFold(name, bot.RevokeAll)
	var kept []bot.PasskeyInfo
	var removed []string
	for _, p := range d.Passkeys {
		if all || strings.EqualFold(p.Name, name) {
			removed = append(removed, p.Name)
			continue
		}
		kept = append(kept, p)
	}
	if all && d.TOTP {
		removed = append(removed, bot.RevokedApp)
		d.TOTP = false
	}
	d.Passkeys = kept
	if e.details == nil {
		e.details = map[string]bot.FactorDetails{}
		e.byID = map[string]bot.FactorCount{}
	}
	if e.byID == nil {
		e.byID = map[string]bot.FactorCount{}
	}
	e.details[accountID] = d
	e.byID[accountID] = bot.FactorCount{Passkeys: len(kept), TOTP: d.TOTP}
	if e.crash {
		e.crash = false
		return nil, ErrCrashedAfterRevoke
	}
	return removed, nil
}
