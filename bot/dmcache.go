package bot

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// DMCache remembers, per chat user, the id of the bot's private
// conversation with them (a Discord DM channel, a Teams personal
// conversation), for platforms whose API wants that id found or created
// by a call of its own before a private message can be posted (Discord's
// "create DM", Teams' createConversation). With it that call is made once
// per user, not once per message: that call counts against the bot's
// limits like any other, and made every private message two calls where
// one does (#10 §3; on Slack the same limit refused most links of a
// burst). Platform packages use one each; the rule "open once,
// reuse, open again once when the platform says the conversation is
// gone" (Do) is written here, once, for all of them.
//
// It lives in the process, not in Redis, on purpose. A miss costs one
// open, which is what every message cost before; the ids are stable per
// user and bot (both platforms answer an open with the existing
// conversation), so replicas that each remember their own never disagree
// about anything but who pays that one call; and an id that went stale
// costs one failed post and one open, after which Do has the new one. A
// shared cache would spend a round trip per message to save one call per
// user and replica. The size bound keeps a company-wide campaign from
// growing it without end, and the TTL lets an entry nobody used for a day
// go.
//
// A DMCache is safe for concurrent use. Two messages to a user not yet
// remembered may both open (the platform answers both with the same
// conversation); nothing is lost by that.
type DMCache struct {
	size int
	ttl  time.Duration
	now  func() time.Time

	mu      sync.Mutex
	entries map[string]*list.Element
	lru     *list.List // front: most recently used
}

// dmEntry is one remembered conversation.
type dmEntry struct {
	user, id string
	expires  time.Time
}

// Defaults of NewDMCache: ten thousand users, more than most companies'
// people who get a private message within a day, at a few hundred bytes
// each at most; and a day, after which a user's conversation is opened
// again at their next message.
const (
	DefaultDMCacheSize = 10_000
	DefaultDMCacheTTL  = 24 * time.Hour
)

// NewDMCache remembers up to size users (the least recently used is
// forgotten first; <= 0 means DefaultDMCacheSize) for ttl after their
// conversation was opened (<= 0 means DefaultDMCacheTTL). now is the
// clock (nil means time.Now), so a test of the TTL does not sleep.
func NewDMCache(size int, ttl time.Duration, now func() time.Time) *DMCache {
	if size <= 0 {
		size = DefaultDMCacheSize
	}
	if ttl <= 0 {
		ttl = DefaultDMCacheTTL
	}
	if now == nil {
		now = time.Now
	}
	return &DMCache{size: size, ttl: ttl, now: now, entries: map[string]*list.Element{}, lru: list.New()}
}

// Do runs use with the id of the private conversation with user: the
// remembered one, or the one open returns (then remembered). When use
// fails with an error gone says means "that conversation does not exist"
// (the platform's not-found), the id is forgotten; if it was a remembered
// one, open is called again, once, and use retried with the new id. Any
// other error of use or open is returned as it is, and the remembered id
// kept: a rate limit or a refused message says nothing about the
// conversation.
func (c *DMCache) Do(ctx context.Context, user string, open func(context.Context) (string, error), use func(ctx context.Context, id string) error, gone func(error) bool) error {
	id, remembered := c.get(user)
	if !remembered {
		var err error
		if id, err = c.open(ctx, user, open); err != nil {
			return err
		}
	}
	err := use(ctx, id)
	if err == nil || !gone(err) {
		return err
	}
	c.forget(user, id)
	if !remembered {
		return err // just opened, and gone already: another open would not help
	}
	if id, err = c.open(ctx, user, open); err != nil {
		return err
	}
	if err = use(ctx, id); err != nil && gone(err) {
		c.forget(user, id)
	}
	return err
}

// open calls open and remembers what it gave.
func (c *DMCache) open(ctx context.Context, user string, open func(context.Context) (string, error)) (string, error) {
	id, err := open(ctx)
	if err != nil {
		return "", err
	}
	c.put(user, id)
	return id, nil
}

// Len returns how many users are remembered (expired ones included until
// they are looked up or pushed out), for tests and metrics.
func (c *DMCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// get returns the unexpired id remembered for user.
func (c *DMCache) get(user string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[user]
	if !ok {
		return "", false
	}
	e := el.Value.(*dmEntry)
	if !c.now().Before(e.expires) {
		c.lru.Remove(el)
		delete(c.entries, user)
		return "", false
	}
	c.lru.MoveToFront(el)
	return e.id, true
}

// put remembers id for user, forgetting the least recently used user when
// the cache is full.
func (c *DMCache) put(user, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	expires := c.now().Add(c.ttl)
	if el, ok := c.entries[user]; ok {
		e := el.Value.(*dmEntry)
		e.id, e.expires = id, expires
		c.lru.MoveToFront(el)
		return
	}
	for c.lru.Len() >= c.size {
		oldest := c.lru.Back()
		c.lru.Remove(oldest)
		delete(c.entries, oldest.Value.(*dmEntry).user)
	}
	c.entries[user] = c.lru.PushFront(&dmEntry{user: user, id: id, expires: expires})
}

// forget drops user's entry if it still holds id (a concurrent open may
// have put a newer one, which stays).
func (c *DMCache) forget(user, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[user]; ok && el.Value.(*dmEntry).id == id {
		c.lru.Remove(el)
		delete(c.entries, user)
	}
}
