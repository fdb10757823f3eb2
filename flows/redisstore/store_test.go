package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/redisstore"
	"github.com/resetbot/resetbot/flows/storetest"
	"github.com/resetbot/resetbot/internal/testenv"
)

var (
	prefixes atomic.Int64
	run      = time.Now().UnixNano()
)

// fresh gives each test its own key prefix on a shared server, unique
// across runs so a reused server never leaks state into a test.
func fresh(rdb redis.UniversalClient) storetest.NewStore {
	return func(t *testing.T) flows.Store {
		return redisstore.New(rdb, redisstore.Options{Prefix: fmt.Sprintf("t%x-%d", run, prefixes.Add(1))})
	}
}

// streams is the audit-stream backend on one client: the store's prefix is
// remembered so its keys can be deleted (data loss) or one shard's stream
// replaced by a string (a broken shard).
func streams(rdb redis.UniversalClient) storetest.Streams {
	var mu sync.Mutex
	prefixOf := map[flows.Store]string{}
	return storetest.Streams{
		New: func(t *testing.T, maxLen int64) flows.Store {
			p := fmt.Sprintf("t%x-%d", run, prefixes.Add(1))
			st := redisstore.New(rdb, redisstore.Options{Prefix: p, StreamMaxLen: maxLen})
			mu.Lock()
			prefixOf[st] = p
			mu.Unlock()
			return st
		},
		LoseData: func(t *testing.T, st flows.Store) {
			mu.Lock()
			p := prefixOf[st]
			mu.Unlock()
			err := forEachNode(context.Background(), rdb, func(ctx context.Context, c *redis.Client) error {
				keys, err := c.Keys(ctx, p+":*").Result()
				if err != nil || len(keys) == 0 {
					return err
				}
				for _, k := range keys {
					if err := c.Del(ctx, k).Err(); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		},
		BreakShard: func(t *testing.T, st flows.Store, shard int) {
			mu.Lock()
			p := prefixOf[st]
			mu.Unlock()
			if err := rdb.Set(context.Background(), fmt.Sprintf("%s:{%s-%02x}:audit", p, p, shard), "not a stream", 0).Err(); err != nil {
				t.Fatal(err)
			}
		},
	}
}

// forEachNode runs fn on the server, or on every master of a cluster.
func forEachNode(ctx context.Context, rdb redis.UniversalClient, fn func(context.Context, *redis.Client) error) error {
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, fn)
	}
	return fn(ctx, rdb.(*redis.Client))
}

func TestMiniredis(t *testing.T) {
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	t.Cleanup(func() { rdb.Close() })
	storetest.Run(t, fresh(rdb))
	s := streams(rdb)
	s.NoIdleTimes = true
	storetest.RunStreams(t, s)
}

func TestRedisServer(t *testing.T) {
	addr := testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redis-server at %s: %v", addr, err)
	}
	storetest.Run(t, fresh(rdb))
	storetest.RunStreams(t, streams(rdb))
	t.Run("LeaseLapse", func(t *testing.T) { storetest.RunLeaseLapse(t, fresh(rdb)) })
}

func TestRedisCluster(t *testing.T) {
	addrs := strings.Split(testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_CLUSTER"), ",")
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redis cluster at %v: %v", addrs, err)
	}
	storetest.Run(t, fresh(rdb))
	storetest.RunStreams(t, streams(rdb))
	t.Run("LeaseLapse", func(t *testing.T) { storetest.RunLeaseLapse(t, fresh(rdb)) })
}

// TestRedisOutage: with Redis gone, every call fails with
// ErrStoreUnavailable (which the bot maps to "try again shortly") and the
// engine changes nothing it cannot record.
func TestRedisOutage(t *testing.T) {
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr(), MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	st := redisstore.New(rdb, redisstore.Options{})
	m.Close()
	ctx := context.Background()
	if _, err := st.Get(ctx, "0a-AAAAAAAAAAAAAAAAAAAAAA"); !errors.Is(err, flows.ErrStoreUnavailable) {
		t.Fatalf("Get = %v, want ErrStoreUnavailable", err)
	}
	if _, err := st.Hit(ctx, "k", time.Hour, time.Now()); !errors.Is(err, flows.ErrStoreUnavailable) {
		t.Fatalf("Hit = %v, want ErrStoreUnavailable", err)
	}
	if _, err := st.ReadEvents(ctx, "g", "c", 10); !errors.Is(err, flows.ErrStoreUnavailable) {
		t.Fatalf("ReadEvents = %v, want ErrStoreUnavailable", err)
	}
}

// TestRiskRedisServer and TestRiskRedisCluster: the risk policy's counters
// and memory on a real redis-server and a real Redis Cluster.
func TestRiskRedisServer(t *testing.T) {
	addr := testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { rdb.Close() })
	storetest.RunRisk(t, fresh(rdb))
}

func TestRiskRedisCluster(t *testing.T) {
	addrs := strings.Split(testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_CLUSTER"), ",")
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	t.Cleanup(func() { rdb.Close() })
	storetest.RunRisk(t, fresh(rdb))
}

func TestRiskMiniredis(t *testing.T) {
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	t.Cleanup(func() { rdb.Close() })
	storetest.RunRisk(t, fresh(rdb))
}
