package flows

import (
	"context"
	"fmt"
	"time"
)

// Limits bound how often flows may be requested and fail. They key on the
// canonical directory account (its immutable id) and on the chat identity,
// never on the alias that was typed, so "jdoe", "JDoe" and jdoe's email all
// count against one budget. Every limit is a sliding window (Store.Take):
// five per hour means five in any sixty minutes, not five before and five
// after the top of the hour. Zero disables a limit.
type Limits struct {
	RequestsPerAccountPerHour  int
	RequestsPerIdentityPerHour int
	FailedVerifyPerAccountDay  int
}

// DefaultLimits are conservative values for a company directory.
var DefaultLimits = Limits{
	RequestsPerAccountPerHour:  5,
	RequestsPerIdentityPerHour: 10,
	FailedVerifyPerAccountDay:  10,
}

// hit spends one use of key's budget and reports ErrRateLimited when the
// budget of max per window is already spent.
func hit(ctx context.Context, st Store, key string, window time.Duration, max int, now time.Time) error {
	if max <= 0 {
		return nil
	}
	ok, err := st.Take(ctx, key, window, max, now)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: %s", ErrRateLimited, key)
	}
	return nil
}

// Allow counts one use of key against a budget of max per window and
// reports ErrRateLimited once it is spent. The web app uses it for
// budgets of its own (live password checks per flow), and the bot core for
// commands and clicks per chat identity, on the same sliding windows and
// clock as the engine's limits.
func (e *Engine) Allow(ctx context.Context, key string, window time.Duration, max int) error {
	return hit(ctx, e.store, key, window, max, e.clock())
}
