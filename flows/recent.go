package flows

import (
	"context"
	"time"
)

// RecentKeeper is a store's optional capability to keep the values added
// to a key within a sliding window, newest last: what an alert names (the
// flows of a department's spike), kept by every replica in one place.
type RecentKeeper interface {
	// Remember adds value to key at now; values older than window leave.
	Remember(ctx context.Context, key, value string, window time.Duration, now time.Time) error
	// Recent returns up to max of key's values added within window before
	// now, oldest first.
	Recent(ctx context.Context, key string, window time.Duration, now time.Time, max int) ([]string, error)
}
