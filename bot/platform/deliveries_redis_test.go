package platform_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
	"github.com/resetbot/resetbot/flows/redisstore"
	"github.com/resetbot/resetbot/internal/testenv"
)

// TestAckDeadlineOnRealRedis is the regression test for the slash-command
// acknowledgement waiting on go-redis's defaults (2.2-2.6 s with Redis
// refusing connections, 5 s and more with Redis hung; Slack gives up at
// 3 s): with Redis stopped, and with Redis frozen by SIGSTOP, First answers
// within its own deadline with the error UnavailableReply turns into the
// "try again in a moment" words. The client is built as serve builds it,
// with go-redis's default timeouts.
func TestAckDeadlineOnRealRedis(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(r *testenv.Redis)
	}{
		{"stopped", (*testenv.Redis).Kill},
		{"hung", (*testenv.Redis).Freeze},
	} {
		t.Run(tc.name, func(t *testing.T) {
			own := testenv.StartRedis(t, testenv.RedisOptions{})
			rdb := redis.NewClient(&redis.Options{Addr: own.Addr()})
			t.Cleanup(func() { rdb.Close() })
			d := platform.NewDeliveries(bot.NewOnce(redisstore.New(rdb, redisstore.Options{Prefix: "ack"})), time.Minute, 8, nil)
			ctx := context.Background()
			if first, _, err := d.First(ctx, "p:warm"); err != nil || !first {
				t.Fatalf("with Redis up: first %v, %v", first, err)
			}
			tc.fault(own)
			start := time.Now()
			first, _, err := d.First(ctx, "p:1")
			took := time.Since(start)
			if first || err == nil {
				t.Fatalf("with Redis %s: first %v, err %v; want an error", tc.name, first, err)
			}
			msg, ok := platform.UnavailableReply(err)
			if !ok || msg.Summary == "" {
				t.Fatalf("UnavailableReply(%v) = %+v, %v; want the unavailable words", err, msg, ok)
			}
			// Slack's deadline is 3 s; the bound is AckDeadline plus
			// scheduling slack on a loaded machine.
			if limit := platform.AckDeadline + time.Second; took > limit {
				t.Errorf("with Redis %s First took %s, want under %s", tc.name, took, limit)
			}
			t.Logf("with Redis %s First answered in %s: %v", tc.name, took.Round(time.Millisecond), err)
		})
	}
}
