package bot

import (
	"context"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// storeOnce implements Once on the flow store's counters: the first Hit of a
// key in its window is the first delivery.
type storeOnce struct{ st flows.Store }

// NewOnce returns a Once backed by the flow store (Redis), shared by every
// replica, so a redelivery to another replica is recognised too.
func NewOnce(st flows.Store) Once { return storeOnce{st} }

// First implements Once. Counters live in fixed windows, so a key first
// seen just before a window ends is also looked up in the previous window.
func (o storeOnce) First(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	now := time.Now()
	n, err := o.st.Hit(ctx, "once:"+key, ttl, now)
	if err != nil || n != 1 {
		return false, err
	}
	prev, err := o.st.Count(ctx, "once:"+key, ttl, now.Add(-ttl))
	return prev == 0, err
}
