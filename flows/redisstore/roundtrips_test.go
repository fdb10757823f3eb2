package redisstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/testenv"
)

// TestStartRoundTrips counts the Redis round trips of Engine.Start on the
// real redis-server (#10 §3): the two rate-limit budgets (per chat
// identity before the directory lookup, per account after it), the
// request-time risk signals' window count, the live flows of the reset and
// of the change it also replaces in one pipeline, and the create script:
// 5. A start that replaces a live reset also reads and ends it: 2 more.
// Before, the two live reads were two round trips, and a replacing start
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
		{"first request", 5},
		{"replacing the live reset", 7},
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
