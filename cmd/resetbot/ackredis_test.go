package main

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/bot"
)

// TestAckRedeliveryCheckUsesItsOwnPool: serve (on the real Redis) gives the
// slash command's redelivery check a client of its own, with
// bot.OncePoolSize connections: one command is exactly one command on that
// pool (the flow's own work stays on the main one), and both pools are
// exported, told apart by their "pool" label.
func TestAckRedeliveryCheckUsesItsOwnPool(t *testing.T) {
	r := newSlackRig(t, false)
	ack, ok := r.s.ackRDB.(*redis.Client)
	if !ok || ack == nil {
		t.Fatalf("the acknowledgement's client is %T, want its own *redis.Client", r.s.ackRDB)
	}
	if got, want := ack.Options().PoolSize, bot.OncePoolSize(); got != want {
		t.Errorf("ack pool size %d, want %d", got, want)
	}
	if ack == r.s.rdb {
		t.Fatal("the acknowledgement shares the main client")
	}
	before := ack.PoolStats()
	r.command("U0PWUSER", "")
	after := ack.PoolStats()
	if got := (after.Hits + after.Misses) - (before.Hits + before.Misses); got != 1 {
		t.Errorf("one slash command took %d connections from the ack's pool, want 1 (its redelivery check)", got)
	}
	// The flow's start and its answer (this person has no passkey: the
	// first reply, then "no link sent") come after work on the main pool.
	r.eventually(func() bool { return len(r.fake.Responses()) >= 2 })
	if got := ack.PoolStats(); got.Hits+got.Misses != after.Hits+after.Misses {
		t.Errorf("background work used the ack's pool: %d connections taken after the ack", (got.Hits+got.Misses)-(after.Hits+after.Misses))
	}
	n, err := testutil.GatherAndCount(r.s.registry, "resetbot_redis_pool_connections")
	if err != nil || n != 2 {
		t.Fatalf("%d resetbot_redis_pool_connections series (%v), want 2 (main and ack)", n, err)
	}
	want := `
# HELP resetbot_redis_pool_timeouts_total Times waiting for a pool connection timed out.
# TYPE resetbot_redis_pool_timeouts_total counter
resetbot_redis_pool_timeouts_total{pool="ack"} 0
resetbot_redis_pool_timeouts_total{pool="main"} 0
`
	if err := testutil.GatherAndCompare(r.s.registry, strings.NewReader(want), "resetbot_redis_pool_timeouts_total"); err != nil {
		t.Error(err)
	}
}
