package auditlog

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows"
)

// RedisChain implements Chain on the Redis the flows already use: the
// lease and the head share one hash tag, so both scripts run on Redis
// Cluster; the per-event marks are the flow store's (they live as long as
// the stream entries).
type RedisChain struct {
	rdb   redis.UniversalClient
	store flows.Store
	lease string
	head  string
	ttl   time.Duration
	now   func() time.Time
}

var _ Chain = (*RedisChain)(nil)

// NewRedisChain makes the chain coordination under prefix (the store's key
// prefix). ttl is how long a writer that stopped renewing keeps the lease
// (default 15s): the longest the audit log waits after a replica dies.
func NewRedisChain(rdb redis.UniversalClient, store flows.Store, prefix string, ttl time.Duration) *RedisChain {
	if ttl <= 0 {
		ttl = 15 * time.Second
	}
	tag := fmt.Sprintf("%s:{%s-auditlog}", prefix, prefix)
	return &RedisChain{rdb: rdb, store: store, lease: tag + ":lease", head: tag + ":head", ttl: ttl, now: time.Now}
}

var acquireScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return {0, '', '', ''} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local h = redis.call('HMGET', KEYS[2], 's', 'h', 'e')
return {1, h[1] or '', h[2] or '', h[3] or ''}
`)

// Acquire implements Chain.
func (c *RedisChain) Acquire(ctx context.Context, owner string) (bool, time.Time, Head, error) {
	start := c.now()
	res, err := acquireScript.Run(ctx, c.rdb, []string{c.lease, c.head}, owner, c.ttl.Milliseconds()).Slice()
	if err != nil {
		return false, time.Time{}, Head{}, fmt.Errorf("auditlog: writer lease: %w: %w", flows.ErrStoreUnavailable, err)
	}
	if len(res) != 4 || res[0] != int64(1) {
		return false, time.Time{}, Head{}, nil
	}
	var h Head
	if s, _ := res[1].(string); s != "" {
		if h.Seq, err = strconv.ParseUint(s, 10, 64); err != nil {
			return false, time.Time{}, Head{}, fmt.Errorf("auditlog: chain head seq %q", s)
		}
	}
	h.Hash, _ = res[2].(string)
	h.Event, _ = res[3].(string)
	return true, start.Add(c.ttl), h, nil
}

var commitScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'lost' end
local s = redis.call('HGET', KEYS[2], 's')
if (s or '0') ~= ARGV[2] then return 'moved' end
redis.call('HSET', KEYS[2], 's', ARGV[3], 'h', ARGV[4], 'e', ARGV[5])
return 'ok'
`)

// Commit implements Chain.
func (c *RedisChain) Commit(ctx context.Context, owner string, prev, next Head) error {
	res, err := commitScript.Run(ctx, c.rdb, []string{c.lease, c.head}, owner,
		strconv.FormatUint(prev.Seq, 10), strconv.FormatUint(next.Seq, 10), next.Hash, next.Event).Text()
	if err != nil {
		return fmt.Errorf("auditlog: commit chain head: %w: %w", flows.ErrStoreUnavailable, err)
	}
	if res != "ok" {
		return fmt.Errorf("%w (%s)", ErrLeaseLost, res)
	}
	return nil
}

// markGroup is the marks' consumer group: the sink's own.
const markGroup = "auditlog"

// Written implements Chain.
func (c *RedisChain) Written(ctx context.Context, eventID string) (bool, error) {
	_, ok, err := c.store.Marked(ctx, markGroup, eventID)
	return ok, err
}

// MarkWritten implements Chain.
func (c *RedisChain) MarkWritten(ctx context.Context, eventID string) error {
	return c.store.Mark(ctx, markGroup, eventID, "written")
}

// Head reads the chain head every replica shares (the last record the
// writer committed), for publishing: a replica that does not write knows
// it only from here.
func (c *RedisChain) Head(ctx context.Context) (Head, error) {
	res, err := c.rdb.HMGet(ctx, c.head, "s", "h", "e").Result()
	if err != nil {
		return Head{}, fmt.Errorf("auditlog: chain head: %w: %w", flows.ErrStoreUnavailable, err)
	}
	var h Head
	if s, _ := res[0].(string); s != "" {
		if h.Seq, err = strconv.ParseUint(s, 10, 64); err != nil {
			return Head{}, fmt.Errorf("auditlog: chain head seq %q", s)
		}
	}
	h.Hash, _ = res[1].(string)
	h.Event, _ = res[2].(string)
	return h, nil
}
