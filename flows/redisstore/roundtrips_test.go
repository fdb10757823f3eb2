package redisstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/testenv"
)

// TestStartRoundTrips counts the Redis round trips of Engine.Start on the
// real redis-server (#10 §3): the identity's rate-limit budget (before the
// directory lookup), one pipeline for the account's budget, the
// request-time risk signals' window count and the live flows of the reset
// and of the change it also replaces (Store.Admit), and the create
// script: 3. A start that replaces a live reset also reads and ends it: 2
// more. Before, the account's budget, the risk count and the live reads
// were three round trips (5 and 7), and earlier still a replacing start
// conflicted with itself once and began again.
func TestStartRoundTrips(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")})
	t.Cleanup(func() { rdb.Close() })
	trips := &testenv.RoundTrips{}
	rdb.AddHook(trips)
	r := newBenchRig(t, rdb)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		most int
	}{
		{"first request", 3},
		{"replacing the live reset", 5},
	} {
		trips.Take()
		if _, err := r.start(ctx, flows.KindReset, "U0JDOE"); err != nil {
			t.Fatalf("%s: Start: %v", tc.name, err)
		}
		n, cmds, names := trips.Take()
		t.Logf("%s: %d round trips, %d commands: %s", tc.name, n, cmds, strings.Join(names, " "))
		if n > tc.most {
			t.Errorf("%s: %d round trips, budget %d", tc.name, n, tc.most)
		}
	}
}

// TestAdmitAfterScriptFlush: a server that lost its scripts (a restart, a
// failover) answers Admit's pipelined EVALSHA with NOSCRIPT, having spent
// nothing; the store takes that budget again on its own (sending the
// script), spending it once.
func TestAdmitAfterScriptFlush(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")})
	t.Cleanup(func() { rdb.Close() })
	st := fresh(rdb)(t)
	ctx := context.Background()
	now := time.Now()
	b := flows.Budget{Key: "acct:flush", Window: time.Hour, Max: 5}
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	got, err := st.Admit(ctx, flows.Admission{Budget: b, AccountID: "flush", Kinds: []flows.Kind{flows.KindReset}}, now)
	if err != nil || !got.Allowed {
		t.Fatalf("Admit after SCRIPT FLUSH: %+v, %v", got, err)
	}
	if n, err := st.Used(ctx, b.Key, b.Window, now); err != nil || n != 1 {
		t.Fatalf("uses after one admission: %d, %v; want 1", n, err)
	}
}

// TestUpdateSpendingAfterScriptFlush: UpdateSpending's pipelined scripts
// on a server that lost them: the compare-and-swap is sent again on its
// own and the budget taken on its own, each exactly once.
func TestUpdateSpendingAfterScriptFlush(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")})
	t.Cleanup(func() { rdb.Close() })
	r := newBenchRig(t, rdb)
	ctx := context.Background()
	is, err := r.start(ctx, flows.KindReset, "U0JDOE")
	if err != nil {
		t.Fatal(err)
	}
	f, err := r.st.Get(ctx, is.Flow.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	b := flows.Budget{Key: "seen:flush", Window: time.Hour, Max: 5}
	spendErr, err := r.st.UpdateSpending(ctx, f, nil, []flows.Budget{b}, now)
	if err != nil || spendErr != nil {
		t.Fatalf("UpdateSpending after SCRIPT FLUSH: %v, %v", spendErr, err)
	}
	stored, err := r.st.Get(ctx, f.ID)
	if err != nil || stored.Version != is.Flow.Version+1 || f.Version != stored.Version {
		t.Fatalf("stored version %d (%v), flow's %d; want %d", stored.Version, err, f.Version, is.Flow.Version+1)
	}
	if n, err := r.st.Used(ctx, b.Key, b.Window, now); err != nil || n != 1 {
		t.Fatalf("uses after one spend: %d, %v; want 1", n, err)
	}
}
