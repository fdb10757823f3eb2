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
	// Recent returns up to max of key's values added since window before
	// now, oldest first, including any added at a later time than now:
	// callers pass the time of the event they handle, and events of
	// different shards arrive out of their time order, so a value
	// remembered for an event handled earlier may carry a later time.
	Recent(ctx context.Context, key string, window time.Duration, now time.Time, max int) ([]string, error)
}
