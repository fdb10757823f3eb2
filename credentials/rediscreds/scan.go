package rediscreds

import (
	"context"
	"sync"

	"github.com/redis/go-redis/v9"
)

// eachKey calls fn for every key matching pattern under the store's prefix,
// on every master of a Redis Cluster one after the other, so the fleet-wide
// operations (rotation, export) see every account. A key may be seen twice
// (SCAN's guarantee), so fn must be idempotent.
func (s *Store) eachKey(ctx context.Context, pattern string, fn func(key string) error) error {
	scan := func(ctx context.Context, c redis.Cmdable) error {
		it := c.Scan(ctx, 0, s.prefix+pattern, 500).Iterator()
		for it.Next(ctx) {
			if err := fn(it.Val()); err != nil {
				return err
			}
		}
		if err := it.Err(); err != nil {
			return unavailable("scan", err)
		}
		return nil
	}
	cc, ok := s.rdb.(*redis.ClusterClient)
	if !ok {
		return scan(ctx, s.rdb)
	}
	// ForEachMaster runs concurrently; collect and scan in turn so fn
	// needs no locking.
	var mu sync.Mutex
	var masters []*redis.Client
	err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		mu.Lock()
		defer mu.Unlock()
		masters = append(masters, c)
		return nil
	})
	if err != nil {
		return unavailable("cluster masters", err)
	}
	for _, c := range masters {
		if err := scan(ctx, c); err != nil {
			return err
		}
	}
	return nil
}
