package bottest

import (
	"context"
	"sync"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/directory"
)

// Enrolled is the rig's stand-in for the credential store behind
// bot.Factors: every account has one passkey unless a test says otherwise,
// so scenarios that are not about factors run the happy path.
type Enrolled struct {
	mu   sync.Mutex
	byID map[string]bot.FactorCount
}

var _ bot.Factors = (*Enrolled)(nil)

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
