package platform

import (
	"container/list"
	"sync"
	"time"
)

// AckCache remembers, for a while, the body of the first response given to
// a delivery (keyed by the platform's delivery id), so a redelivery gets
// the same answer without reaching the core twice.
//
// It is per process and bounded on purpose: bot.Once decides what is a
// redelivery across replicas; this cache only holds the bodies this
// replica produced. A redelivery that finds nothing (another replica,
// expired, evicted) gets the platform's neutral acknowledgement, and the
// core still ran once. So memory stays bounded without losing correctness.
type AckCache struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	now   func() time.Time
	byKey map[string]*list.Element
	order *list.List // of *ackEntry, least recently put first
}

// ackEntry is one remembered body.
type ackEntry struct {
	key  string
	body []byte
	at   time.Time
}

// NewAckCache returns a cache holding at most size bodies (at least one),
// each for ttl after it was put. now is the clock, injectable so tests move
// time instead of sleeping; nil means time.Now.
func NewAckCache(size int, ttl time.Duration, now func() time.Time) *AckCache {
	if now == nil {
		now = time.Now
	}
	return &AckCache{max: max(size, 1), ttl: ttl, now: now, byKey: map[string]*list.Element{}, order: list.New()}
}

// Put remembers body under key (replacing what was there and restarting
// its ttl), then drops expired entries and, beyond max, the oldest ones.
func (c *AckCache) Put(key string, body []byte) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		e := el.Value.(*ackEntry)
		e.body, e.at = body, now
		c.order.MoveToBack(el)
	} else {
		c.byKey[key] = c.order.PushBack(&ackEntry{key: key, body: body, at: now})
	}
	for el := c.order.Front(); el != nil && (c.order.Len() > c.max || c.expired(el.Value.(*ackEntry), now)); el = c.order.Front() {
		c.order.Remove(el)
		delete(c.byKey, el.Value.(*ackEntry).key)
	}
}

// Get returns the body remembered under key, or nil when there is none or
// it has expired.
func (c *AckCache) Get(key string) []byte {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return nil
	}
	e := el.Value.(*ackEntry)
	if c.expired(e, now) {
		return nil
	}
	return e.body
}

// expired reports whether e is older than the ttl at now.
func (c *AckCache) expired(e *ackEntry, now time.Time) bool {
	return now.Sub(e.at) > c.ttl
}
