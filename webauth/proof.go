package webauth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// errProofBudget: the account used up today's password proofs; the
// directory is not asked again, so it never reaches its lockout threshold
// because of resetbot.
var errProofBudget = errors.New("webauth: daily budget of password proofs spent")

// proofWindow is the window of the password-proof budget.
const proofWindow = 24 * time.Hour

// defaultProofsPerDay bounds password proofs per account and day when the
// configuration says nothing.
const defaultProofsPerDay = 3

// proofBudget is how many current-password proofs one account may try per
// day: the configured maximum, but never more than half the directory's
// lockout threshold (pwdMaxFailure, lockoutThreshold) where the directory
// reports one, so the user's own mistyping elsewhere still has room before
// the account locks. A threshold of 1 leaves no room at all: the password
// is then never checked here (the helpdesk issues an enrollment link).
func proofBudget(configured, lockoutThreshold int) int {
	if configured <= 0 {
		configured = defaultProofsPerDay
	}
	if lockoutThreshold > 0 {
		return min(configured, lockoutThreshold/2)
	}
	return configured
}

// spendProof takes one password proof from the account's daily budget
// before the directory is asked (taking it first, not counting failures
// after, means concurrent submissions cannot all slip through).
func (s *Server) spendProof(ctx context.Context, f *flows.Flow) error {
	p, err := s.accountPolicy(ctx, f)
	if err != nil {
		return fmt.Errorf("webauth: read lockout threshold: %w", err)
	}
	threshold := p.LockoutThreshold
	budget := proofBudget(s.cfg.PasswordProofsPerDay, threshold)
	if budget <= 0 {
		return fmt.Errorf("%w: lockout threshold %d leaves no room", errProofBudget, threshold)
	}
	err = s.deps.Engine.Allow(ctx, "proof:"+f.Subject.AccountID, proofWindow, budget)
	if errors.Is(err, flows.ErrRateLimited) {
		return fmt.Errorf("%w: %d per day (lockout threshold %d)", errProofBudget, budget, threshold)
	}
	return err
}
