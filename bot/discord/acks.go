package discord

import (
	"sync"
	"time"
)

// ackCache remembers the first response to an interaction for a while, so
// a redelivery of it (same interaction id) gets the same answer without
// reaching the core. bot.Once decides what is a redelivery across
// replicas; this cache only holds the bodies this replica produced, and a
// redelivery that finds none is acknowledged with a deferred response.
type ackCache struct {
	mu      sync.Mutex
	max     int
	ttl     time.Duration
	entries map[string]ackEntry
}

type ackEntry struct {
	body []byte
	at   time.Time
}

func newAckCache(max int, ttl time.Duration) *ackCache {
	return &ackCache{max: max, ttl: ttl, entries: map[string]ackEntry{}}
}

// put stores body under key, dropping expired entries (and, when still
// full, the oldest) so the cache stays bounded.
func (c *ackCache) put(key string, body []byte, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		oldest, oldestAt := "", now
		for k, e := range c.entries {
			if now.Sub(e.at) > c.ttl {
				delete(c.entries, k)
			} else if e.at.Before(oldestAt) {
				oldest, oldestAt = k, e.at
			}
		}
		if len(c.entries) >= c.max {
			delete(c.entries, oldest)
		}
	}
	c.entries[key] = ackEntry{body: body, at: now}
}

// get returns the body stored under key, if still fresh.
func (c *ackCache) get(key string, now time.Time) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || now.Sub(e.at) > c.ttl {
		return nil
	}
	return e.body
}
