package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestRedisLifecycle drives the own server through what the fault tests do
// with it: a write survives a Shutdown and Start with the append-only file,
// a frozen server does not answer within a deadline and answers again once
// thawed, and a killed server refuses connections.
func TestRedisLifecycle(t *testing.T) {
	r := StartRedis(t, RedisOptions{AppendFsync: "always"})
	rdb := redis.NewClient(&redis.Options{Addr: r.Addr(), MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	ctx := context.Background()
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	r.Shutdown()
	r.Start()
	if v, err := rdb.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Fatalf("after a restart with AOF: %q, %v (want v)", v, err)
	}

	r.Freeze()
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	err := rdb.Ping(short).Err()
	cancel()
	if err == nil {
		t.Fatal("a frozen server answered PING")
	}
	r.Thaw()
	deadline := time.Now().Add(10 * time.Second)
	for rdb.Ping(ctx).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatal("no answer after Thaw")
		}
		time.Sleep(20 * time.Millisecond)
	}

	r.Kill()
	if err := rdb.Ping(ctx).Err(); err == nil {
		t.Fatal("a killed server answered PING")
	}
}

// TestRedisWithoutPersistenceLosesData: with no append-only file a restart
// starts empty, which is what the NOGROUP recovery tests rely on.
func TestRedisWithoutPersistenceLosesData(t *testing.T) {
	r := StartRedis(t, RedisOptions{})
	rdb := redis.NewClient(&redis.Options{Addr: r.Addr()})
	t.Cleanup(func() { _ = rdb.Close() })
	ctx := context.Background()
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	r.Kill()
	r.Start()
	if n, err := rdb.Exists(ctx, "k").Result(); err != nil || n != 0 {
		t.Fatalf("after a restart without persistence: exists=%d, %v (want 0)", n, err)
	}
}

// TestClockAdvances: the clock moves only when told.
func TestClockAdvances(t *testing.T) {
	c := NewClock()
	t0 := c.Now()
	if !c.Now().Equal(t0) {
		t.Fatal("the clock moved by itself")
	}
	c.Advance(time.Minute)
	if got := c.Now().Sub(t0); got != time.Minute {
		t.Fatalf("advanced by %v, want 1m", got)
	}
}

// TestRedisClusterLifecycle: the own cluster serves keys on every master;
// with one master killed the others report cluster_state:fail and a key
// on it cannot be read; started again (with its append-only file) it
// rejoins with its slots and its data, and the cluster is ok.
func TestRedisClusterLifecycle(t *testing.T) {
	c := StartRedisCluster(t, RedisOptions{AppendFsync: "always"})
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs(), MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	ctx := context.Background()
	keys := []string{"{a}", "{b}", "{c}", "{d}", "{e}", "{f}"}
	for _, k := range keys {
		if err := rdb.Set(ctx, k, "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	c.Node(1).Kill()
	c.WaitState("fail", 30*time.Second)
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	failed := 0
	for _, k := range keys {
		if rdb.Get(short, k).Err() != nil {
			failed++
		}
	}
	cancel()
	if failed == 0 {
		t.Fatal("every key readable with a master down and the cluster failed")
	}
	c.Node(1).Start()
	c.WaitState("ok", 30*time.Second)
	deadline := time.Now().Add(20 * time.Second)
	for _, k := range keys {
		for {
			v, err := rdb.Get(ctx, k).Result()
			if err == nil && v == "v" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s after the master is back: %q, %v", k, v, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}
