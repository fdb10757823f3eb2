package main

import (
	"context"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"
)

// TestRedisPoolCollector checks the pool's numbers reach the registry,
// labelled with the pool's name: one
// command on a fresh client dials one connection (a miss) and leaves it
// idle; a second command reuses it (a hit).
func TestRedisPoolCollector(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr(), MinIdleConns: 0, PoolSize: 2})
	t.Cleanup(func() { rdb.Close() })
	ctx := context.Background()
	for range 2 {
		if err := rdb.Ping(ctx).Err(); err != nil {
			t.Fatal(err)
		}
	}
	reg := prometheus.NewRegistry()
	c := &redisPoolCollector{}
	c.add(redisPoolAck, rdb)
	reg.MustRegister(c)
	want := `
# HELP resetbot_redis_pool_connections Connections in the pool, idle or in use.
# TYPE resetbot_redis_pool_connections gauge
resetbot_redis_pool_connections{pool="ack"} 1
# HELP resetbot_redis_pool_hits_total Times a free connection was found in the pool.
# TYPE resetbot_redis_pool_hits_total counter
resetbot_redis_pool_hits_total{pool="ack"} 1
# HELP resetbot_redis_pool_idle_connections Idle connections in the pool.
# TYPE resetbot_redis_pool_idle_connections gauge
resetbot_redis_pool_idle_connections{pool="ack"} 1
# HELP resetbot_redis_pool_misses_total Times no free connection was in the pool and one was dialled or waited for.
# TYPE resetbot_redis_pool_misses_total counter
resetbot_redis_pool_misses_total{pool="ack"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"resetbot_redis_pool_connections", "resetbot_redis_pool_hits_total",
		"resetbot_redis_pool_idle_connections", "resetbot_redis_pool_misses_total"); err != nil {
		t.Error(err)
	}
	if n, err := testutil.GatherAndCount(reg); err != nil || n != 9 {
		t.Errorf("%d series (%v), want 9", n, err)
	}
}
