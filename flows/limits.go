package flows

import (
	"context"
	"fmt"
	"time"
)

// Limits bound how often flows may be requested and fail. They key on the
// canonical directory account (its immutable id) and on the chat identity,
// never on the alias that was typed, so "jdoe", "JDoe" and jdoe's email all
// count against one budget. Zero disables a limit.
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

// hit counts one event against a limit and reports ErrRateLimited when the
// count passes max.
func hit(ctx context.Context, st Store, key string, window time.Duration, max int, now time.Time) error {
	if max <= 0 {
		return nil
	}
	n, err := st.Hit(ctx, key, window, now)
	if err != nil {
		return err
	}
	if n > int64(max) {
		return fmt.Errorf("%w: %s", ErrRateLimited, key)
	}
	return nil
}

// under reports ErrRateLimited when key already reached max in its window.
func under(ctx context.Context, st Store, key string, window time.Duration, max int, now time.Time) error {
	if max <= 0 {
		return nil
	}
	n, err := st.Count(ctx, key, window, now)
	if err != nil {
		return err
	}
	if n >= int64(max) {
		return fmt.Errorf("%w: %s", ErrRateLimited, key)
	}
	return nil
}

// Allow counts one use of key against a budget of max per window and
// reports ErrRateLimited once it is spent. The web app uses it for
// budgets of its own (live password checks per flow), on the same
// counters and clock as the engine's limits.
func (e *Engine) Allow(ctx context.Context, key string, window time.Duration, max int) error {
	return hit(ctx, e.store, key, window, max, e.clock())
}
