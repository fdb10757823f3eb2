package redisstore

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows"
)

var _ flows.RecentKeeper = (*Store)(nil)

// recentKey is a sorted set of values by the time (ms) they were added,
// one hash slot per key.
func (s *Store) recentKey(key string) string { return s.opt.Prefix + ":recent:{" + digest(key) + "}" }

// Remember implements flows.RecentKeeper: the value is added (or moved to
// now), the values that left the window are dropped, and the set expires
// a little after the window, in one transaction.
func (s *Store) Remember(ctx context.Context, key, value string, window time.Duration, now time.Time) error {
	k := s.recentKey(key)
	pipe := s.rdb.TxPipeline()
	pipe.ZAdd(ctx, k, redis.Z{Score: float64(now.UnixMilli()), Member: value})
	pipe.ZRemRangeByScore(ctx, k, "-inf", "("+strconv.FormatInt(now.Add(-window).UnixMilli(), 10))
	pipe.PExpire(ctx, k, window+time.Minute)
	if _, err := pipe.Exec(ctx); err != nil {
		return unavailable("remember", err)
	}
	return nil
}

// Recent implements flows.RecentKeeper: everything from the window's
// start on, later times too.
func (s *Store) Recent(ctx context.Context, key string, window time.Duration, now time.Time, max int) ([]string, error) {
	got, err := s.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{
		Key: s.recentKey(key), ByScore: true, Count: int64(max),
		Start: strconv.FormatInt(now.Add(-window).UnixMilli(), 10), Stop: "+inf",
	}).Result()
	if err != nil {
		return nil, unavailable("recent", err)
	}
	return got, nil
}
