package bottest

import (
	"context"
	"sync"
	"time"

	"github.com/resetbot/resetbot/bot"
)

// MemOnce is bot.Once in memory, for platform tests that need no Redis. It
// behaves as the shared store does for one replica: the first call with a
// key is first, every later one is not (the ttl is not modelled).
type MemOnce struct {
	mu   sync.Mutex
	seen map[string]bool
}

var _ bot.Once = (*MemOnce)(nil)

// First implements bot.Once.
func (o *MemOnce) First(_ context.Context, key string, _ time.Duration) (bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.seen == nil {
		o.seen = map[string]bool{}
	}
	first := !o.seen[key]
	o.seen[key] = true
	return first, nil
}
