package storetest

import (
	"context"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// OnRedis runs a benchmark on miniredis and on the real redis-server named
// by RESETBOT_TEST_REDIS_ADDR (skipped when unset outside CI), so every
// benchmark that touches Redis reports both: miniredis to compare changes,
// the real server for capacity.
func OnRedis(b *testing.B, fn func(b *testing.B, rdb redis.UniversalClient)) {
	b.Run("miniredis", func(b *testing.B) {
		m := miniredis.RunT(b)
		rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
		b.Cleanup(func() { rdb.Close() })
		fn(b, rdb)
	})
	b.Run("redis", func(b *testing.B) {
		addr := RequireEnv(b, "RESETBOT_TEST_REDIS_ADDR")
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		b.Cleanup(func() { rdb.Close() })
		if err := rdb.Ping(context.Background()).Err(); err != nil {
			b.Fatalf("redis-server at %s: %v", addr, err)
		}
		fn(b, rdb)
	})
}
