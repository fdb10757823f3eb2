package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/redisstore"
	"github.com/resetbot/resetbot/flows/storetest"
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

func TestMiniredis(t *testing.T) {
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	t.Cleanup(func() { rdb.Close() })
	storetest.Run(t, fresh(rdb))
}

func TestRedisServer(t *testing.T) {
	addr := storetest.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redis-server at %s: %v", addr, err)
	}
	storetest.Run(t, fresh(rdb))
}

func TestRedisCluster(t *testing.T) {
	addrs := strings.Split(storetest.RequireEnv(t, "RESETBOT_TEST_REDIS_CLUSTER"), ",")
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redis cluster at %v: %v", addrs, err)
	}
	storetest.Run(t, fresh(rdb))
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
