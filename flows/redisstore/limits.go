package redisstore

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Hit implements flows.Store with a fixed window: one counter per key and
// window, created with an absolute expiry just after the window ends. The
// caller passes now, so tests move time without sleeping.
func (s *Store) Hit(ctx context.Context, key string, window time.Duration, now time.Time) (int64, error) {
	start, end := windowOf(now, window)
	k := s.limitKey(key, start)
	pipe := s.rdb.TxPipeline()
	incr := pipe.Incr(ctx, k)
	pipe.PExpireAt(ctx, k, time.UnixMilli(end).Add(time.Minute))
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, unavailable("hit", err)
	}
	return incr.Val(), nil
}

// Count implements flows.Store.
func (s *Store) Count(ctx context.Context, key string, window time.Duration, now time.Time) (int64, error) {
	start, _ := windowOf(now, window)
	n, err := s.rdb.Get(ctx, s.limitKey(key, start)).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, unavailable("count", err)
	}
	return n, nil
}

// windowOf returns the start and end (ms) of the window containing now.
func windowOf(now time.Time, window time.Duration) (int64, int64) {
	w := window.Milliseconds()
	if w <= 0 {
		w = 1
	}
	start := now.UnixMilli() / w * w
	return start, start + w
}

// takeScript is a sliding-window budget: a sorted set of the times (ms) of
// the uses still inside the window. Uses that left the window are dropped,
// then the use is recorded only if fewer than max remain, all in one step.
// A refused attempt records nothing, so the set never holds more than max
// entries. The expiry is relative (the server's clock, not the caller's),
// a little longer than the window. KEYS: set. ARGV: now, window, max,
// member, ttl (all ms but max).
var takeScript = redis.NewScript(`
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`)

// Take implements flows.Store with a sliding window: a use counts for
// exactly the window's length after it happened, whatever the caller's
// clock says about window boundaries (there are none).
func (s *Store) Take(ctx context.Context, key string, window time.Duration, max int, now time.Time) (bool, error) {
	if max <= 0 {
		return false, nil
	}
	keys, args := s.takeArgs(key, window, max, now)
	ok, err := takeScript.Run(ctx, s.rdb, keys, args...).Int()
	if err != nil {
		return false, unavailable("take", err)
	}
	return ok == 1, nil
}

// takeArgs are takeScript's keys and arguments for one use of key.
func (s *Store) takeArgs(key string, window time.Duration, max int, now time.Time) ([]string, []any) {
	w := max64(window.Milliseconds(), 1)
	// Members must differ even for uses in the same millisecond, on any
	// replica: 64 random bits do.
	member := strconv.FormatInt(now.UnixMilli(), 36) + "-" + strconv.FormatUint(rand.Uint64(), 36)
	return []string{s.rateKey(key)}, []any{now.UnixMilli(), w, max, member, w + time.Minute.Milliseconds()}
}

// Used implements flows.Store.
func (s *Store) Used(ctx context.Context, key string, window time.Duration, now time.Time) (int64, error) {
	n, err := s.used(ctx, s.rdb, key, window, now).Result()
	if err != nil {
		return 0, unavailable("used", err)
	}
	return n, nil
}

// used queues (on a pipeline) or sends the count of key's uses in the
// window ending at now.
func (s *Store) used(ctx context.Context, c redis.Cmdable, key string, window time.Duration, now time.Time) *redis.IntCmd {
	from := now.UnixMilli() - max64(window.Milliseconds(), 1)
	return c.ZCount(ctx, s.rateKey(key), "("+strconv.FormatInt(from, 10), "+inf")
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}
