package redisstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/redisstore"
	"github.com/resetbot/resetbot/flows/storetest"
	"github.com/resetbot/resetbot/internal/testenv"
)

// pendingFlowBudget is what one pending flow (issued, link sent, not yet
// redeemed) may cost in Redis with everything that indexes it: the flow,
// its live-index entry, its expiry-schedule entry and its audit entries
// (#10).
const pendingFlowBudget = 512

// TestPendingFlowBytes measures, with MEMORY USAGE on a real redis-server,
// what each further pending flow adds to the keys of a prefix: the marginal
// cost between 300 and 1,500 flows, so the fixed per-shard cost of a stream
// or a sorted set is not charged to the flows. It is a size bound, not a
// timing: it fails when a flow and its index entries outgrow the budget.
//
// The window is wide because the audit streams' cost comes in steps (a new
// stream node every 100 entries per shard, allocator size classes): over
// 500 flows the same code measured 498 to 515 B from run to run, over 1,200
// the steps average out. It ends below 128 flows per shard, where Redis
// keeps each shard's live hash and expiry set in their compact encodings
// (hash- and zset-max-listpack-entries); beyond that, at the 10,000 flows
// of #10, the expiry set costs about 100 B more per flow (docs/BENCHMARKS.md):
// the budget is met up to about 2,000 pending flows, not yet at scale.
func TestPendingFlowBytes(t *testing.T) {
	addr := testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")
	// The default prefix, so key names are as long as in production, in a
	// database of its own so nothing else shares it.
	rdb := redis.NewClient(&redis.Options{Addr: addr, DB: 11})
	t.Cleanup(func() { rdb.Close() })
	ctx := context.Background()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("redis-server at %s: %v", addr, err)
	}
	const prefix = "rb"
	clear := func() {
		keys, err := rdb.Keys(ctx, prefix+":*").Result()
		if err == nil && len(keys) > 0 {
			err = rdb.Del(ctx, keys...).Err()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	clear()
	t.Cleanup(clear)
	const from, to = 300, 1500
	seed := memory.Seed{BaseDN: "dc=example,dc=test", Policy: directory.Policy{MinLength: 8}}
	for i := range to {
		seed.Users = append(seed.Users, memory.SeedUser{
			AccountName: fmt.Sprintf("user%05d", i),
			DisplayName: fmt.Sprintf("Firstname Lastname%05d", i),
			Email:       fmt.Sprintf("user%05d@example.test", i),
			Department:  "Engineering",
			Password:    memory.ExamplePassword,
			ChatIDs:     map[string]string{"slack": fmt.Sprintf("U0%09d", i)},
		})
	}
	dir, err := memory.New(seed)
	if err != nil {
		t.Fatal(err)
	}
	st := redisstore.New(rdb, redisstore.Options{Prefix: prefix})
	const high = 1 << 30
	eng := flows.NewEngine(st, dir, flows.Config{
		LinkTTL: 10 * time.Minute, FlowTTL: 15 * time.Minute, ApprovalTTL: 30 * time.Minute,
		MaxVerifyAttempts: 3, MaxPasswordAttempts: 3,
		Limits: flows.Limits{RequestsPerAccountPerHour: high, RequestsPerIdentityPerHour: high, FailedVerifyPerAccountDay: high},
	}, flows.WithClock(storetest.NewClock().Now))
	var issued []*flows.Issued
	pending := func(from, to int) {
		for i := from; i < to; i++ {
			chat := flows.ChatIdentity{Platform: "slack", UserID: fmt.Sprintf("U0%09d", i)}
			is, err := eng.Start(ctx, flows.StartRequest{
				Kind: flows.KindReset, Chat: chat, RequestedBy: chat,
				Lookup: directory.Lookup{Kind: directory.ByChatID, Platform: "slack", Value: chat.UserID},
			})
			if err != nil {
				t.Fatalf("Start %d: %v", i, err)
			}
			if err := eng.LinkSent(ctx, is.Flow, "direct message"); err != nil {
				t.Fatal(err)
			}
			issued = append(issued, is)
		}
	}
	pending(0, from)
	before, parts1 := prefixBytes(t, rdb, prefix)
	pending(from, to)
	after, parts2 := prefixBytes(t, rdb, prefix)
	// The rate-limit counters are the requester's and the account's, not
	// the flow's (a refused request has them too): reported, not counted.
	per := float64((after-parts2["limits"])-(before-parts1["limits"])) / (to - from)
	t.Logf("Redis per pending flow: %.0f B", per)
	for _, k := range []string{"flow", "live", "due", "audit", "limits"} {
		t.Logf("  %s: %.0f B", k, float64(parts2[k]-parts1[k])/(to-from))
	}
	if per > pendingFlowBudget {
		t.Errorf("a pending flow costs %.0f B of Redis, budget %d B", per, pendingFlowBudget)
	}

	// For the record (docs/BENCHMARKS.md): what a completed reset keeps
	// for the retention, its flow and its audit entries, once the rest of
	// the pending flows have been carried through.
	const done = 100
	for _, is := range issued[:done] {
		f, binding, err := eng.Redeem(ctx, is.Token, flows.Client{IP: "192.0.2.1", Device: "size test"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := eng.RecordVerification(ctx, f.ID, binding, flows.Verification{Method: flows.MethodPasskey, OK: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := eng.Complete(ctx, f.ID, binding, flows.Completion{NewPassword: "Size-Horse-" + f.ID[3:13] + "!"}); err != nil {
			t.Fatal(err)
		}
	}
	final, parts3 := prefixBytes(t, rdb, prefix)
	t.Logf("a completed reset instead of a pending one: %+.0f B (flow %+.0f B, live %+.0f B, due %+.0f B, audit %+.0f B)",
		float64((final-parts3["limits"])-(after-parts2["limits"]))/done,
		float64(parts3["flow"]-parts2["flow"])/done, float64(parts3["live"]-parts2["live"])/done,
		float64(parts3["due"]-parts2["due"])/done, float64(parts3["audit"]-parts2["audit"])/done)
}

// prefixBytes is the sum of MEMORY USAGE (every element sampled) over the
// prefix's keys, and its parts by kind of key.
func prefixBytes(t *testing.T, rdb *redis.Client, prefix string) (total int64, parts map[string]int64) {
	t.Helper()
	parts = map[string]int64{}
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, prefix+":*", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		n, err := rdb.MemoryUsage(ctx, k, 0).Result()
		if err != nil {
			t.Fatalf("MEMORY USAGE %s: %v", k, err)
		}
		total += n
		kind := "limits"
		for _, c := range []string{"flow", "live", "due", "audit"} {
			if strings.Contains(k, "}:"+c) {
				kind = c
			}
		}
		parts[kind] += n
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return total, parts
}
