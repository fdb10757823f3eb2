package flows

import (
	"context"
	"time"

	"github.com/resetbot/resetbot/directory"
)

// EventFactorsViewed: a helpdesk member looked at an account's sign-in
// methods ("/reset who"). It belongs to no flow; the JSON audit log keeps
// who looked at whom and when, so a curious or hijacked helpdesk account
// leaves a trail.
const EventFactorsViewed EventType = "helpdesk.factors_viewed"

// FailedVerifications returns how many verifications of the account failed
// in the last day: the uses of the daily failure budget, so the helpdesk
// sees the very count that locks the account out of self-service at the
// limit. Failures are counted even when the limit is off.
func (e *Engine) FailedVerifications(ctx context.Context, accountID string) (int64, error) {
	return e.store.Used(ctx, "fail:"+accountID, 24*time.Hour, e.clock())
}

// maxFailuresKept bounds the failures remembered per account and day when
// the daily limit is off: enough to show an attack, a bounded set in Redis.
const maxFailuresKept = 1000

// failuresKept is the budget failed verifications are recorded on: the
// daily limit, or maxFailuresKept when it is off, so "/reset who" can count
// them either way. (The limit itself is enforced before, by under.)
func failuresKept(l Limits) int {
	if l.FailedVerifyPerAccountDay > 0 {
		return l.FailedVerifyPerAccountDay
	}
	return maxFailuresKept
}

// Privileged reports whether the engine's policy treats the account as
// privileged, so the helpdesk sees the same verdict a flow would get.
func (e *Engine) Privileged(u *directory.User) bool { return e.cfg.Policy.Privileged(u) }

// EventFactorsRevoked: a helpdesk member removed an account's passkey (or
// every factor) for a lost device ("/reset revoke"). Reason lists what was
// removed. It belongs to no flow; the helpdesk channel shows it.
const EventFactorsRevoked EventType = "helpdesk.factors_revoked"
