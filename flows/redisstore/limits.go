package redisstore

import (
	"context"
	"errors"
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
