package slack

import (
	"sync"
	"time"
)

// ackCache keeps the immediate answers recently given, so a redelivered
// slash command gets the same 200 body as the first delivery without the
// core running twice. It is per process and bounded: a redelivery that
// lands on another replica, or after eviction, gets an empty 200, which
// Slack shows as nothing, and the core still runs once (bot.Once is shared).
type ackCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	entries map[string]ackEntry
	order   []string
	now     func() time.Time
}

type ackEntry struct {
	body    []byte
	expires time.Time
}

func newAckCache(max int, ttl time.Duration) *ackCache {
	return &ackCache{ttl: ttl, max: max, entries: map[string]ackEntry{}, now: time.Now}
}

// put remembers body under key, evicting the oldest entries beyond max.
func (c *ackCache) put(key string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; !ok {
		c.order = append(c.order, key)
	}
	c.entries[key] = ackEntry{body: body, expires: c.now().Add(c.ttl)}
	for len(c.order) > c.max {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
}

// get returns the body remembered under key, if it has not expired.
func (c *ackCache) get(key string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || c.now().After(e.expires) {
		return nil
	}
	return e.body
}
