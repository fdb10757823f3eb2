package bot

import (
	"context"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// storeOnce implements Once on the flow store's Claim: the first claim of a
// key is the first delivery. One Redis round trip on the acknowledgement
// path, and no window boundary a late retry could slip across.
type storeOnce struct{ st flows.Store }

// NewOnce returns a Once backed by the flow store (Redis), shared by every
// replica, so a redelivery to another replica is recognised too.
func NewOnce(st flows.Store) Once { return storeOnce{st} }

// First implements Once.
func (o storeOnce) First(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	return o.st.Claim(ctx, "once:"+key, ttl)
}
