package bot

import (
	"context"
	"runtime"
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

// onceConnsPerCPU sizes the Redis pool of the acknowledgement's Once: one
// round trip per request, but under CPU contention a round trip holds its
// connection for as long as its goroutine waits for a core, so the pool
// must cover the acks in flight then (at 1,000/s on 2 contended cores, 8
// connections were waited for 4,865 times, 561 s in all). The size of
// go-redis's default pool, but of its own: the ack no longer waits for a
// connection behind the background work's commands.
const onceConnsPerCPU = 10

// OncePoolSize is the connection pool size serve gives the Redis client
// behind NewOnce, apart from the flow store's: the acknowledgement's one
// round trip must not queue for a connection behind flow starts.
func OncePoolSize() int { return onceConnsPerCPU * runtime.GOMAXPROCS(0) }
