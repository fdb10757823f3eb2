package platform_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
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
// 3 s): with Redis stopped, and with Redis frozen by SIGSTOP, First gives
// the shared memory a context with its own deadline, AckDeadline from the
// call, answers with the error UnavailableReply turns into the "try again
// in a moment" words, and with Redis hung it is that deadline, not one of
// the client's own timeouts (longer than AckDeadline), that ends the wait.
// The client is built as serve builds it, with go-redis's default
// timeouts. Nothing here measures how long a call took: the deadline is
// checked against the clock read before and after the call, which holds
// on any machine however loaded; BenchmarkAckDeadlineOnRealRedis measures.
func TestAckDeadlineOnRealRedis(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(r *testenv.Redis)
		// ownDeadline: the answer must come from First's deadline (a hung
		// server never answers; go-redis's read timeout is 3 s).
		ownDeadline bool
	}{
		{"stopped", (*testenv.Redis).Kill, false},
		{"hung", (*testenv.Redis).Freeze, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			own := testenv.StartRedis(t, testenv.RedisOptions{})
			rdb := redis.NewClient(&redis.Options{Addr: own.Addr()})
			t.Cleanup(func() { rdb.Close() })
			once := &deadlineOnce{Once: bot.NewOnce(redisstore.New(rdb, redisstore.Options{Prefix: "ack"}))}
			d := platform.NewDeliveries(once, time.Minute, 8, nil)
			ctx := context.Background()
			if first, _, err := d.First(ctx, "p:warm"); err != nil || !first {
				t.Fatalf("with Redis up: first %v, %v", first, err)
			}
			tc.fault(own)
			before := time.Now()
			first, _, err := d.First(ctx, "p:1")
			after := time.Now()
			if first || err == nil {
				t.Fatalf("with Redis %s: first %v, err %v; want an error", tc.name, first, err)
			}
			msg, ok := platform.UnavailableReply(err)
			if !ok || msg.Summary == "" {
				t.Fatalf("UnavailableReply(%v) = %+v, %v; want the unavailable words", err, msg, ok)
			}
			deadline, ok := once.last()
			if !ok {
				t.Fatal("the shared memory was asked without a deadline")
			}
			if deadline.Before(before.Add(platform.AckDeadline)) || deadline.After(after.Add(platform.AckDeadline)) {
				t.Errorf("deadline %s after the call began, want AckDeadline (%s) from the call",
					deadline.Sub(before), platform.AckDeadline)
			}
			if tc.ownDeadline && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("with Redis %s: %v; want the acknowledgement's own deadline to end the wait", tc.name, err)
			}
		})
	}
}

// deadlineOnce is a bot.Once that remembers the deadline of the context
// of its last call.
type deadlineOnce struct {
	bot.Once
	mu       sync.Mutex
	deadline time.Time
	has      bool
}

func (o *deadlineOnce) First(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	o.mu.Lock()
	o.deadline, o.has = ctx.Deadline()
	o.mu.Unlock()
	return o.Once.First(ctx, key, ttl)
}

func (o *deadlineOnce) last() (time.Time, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.deadline, o.has
}

// BenchmarkAckDeadlineOnRealRedis measures how long the acknowledgement's
// check takes to answer with Redis stopped and with Redis hung: about
// AckDeadline, against go-redis's 2.2 s and more without it.
func BenchmarkAckDeadlineOnRealRedis(b *testing.B) {
	for _, tc := range []struct {
		name  string
		fault func(r *testenv.Redis)
	}{
		{"stopped", (*testenv.Redis).Kill},
		{"hung", (*testenv.Redis).Freeze},
	} {
		b.Run(tc.name, func(b *testing.B) {
			own := testenv.StartRedis(b, testenv.RedisOptions{})
			rdb := redis.NewClient(&redis.Options{Addr: own.Addr()})
			b.Cleanup(func() { rdb.Close() })
			d := platform.NewDeliveries(bot.NewOnce(redisstore.New(rdb, redisstore.Options{Prefix: "ack"})), time.Minute, 8, nil)
			if _, _, err := d.First(context.Background(), "p:warm"); err != nil {
				b.Fatal(err)
			}
			tc.fault(own)
			i := 0
			for b.Loop() {
				i++
				if _, _, err := d.First(context.Background(), fmt.Sprint("p:", i)); err == nil {
					b.Fatal("First answered with Redis down")
				}
			}
		})
	}
}

// TestAckRoundTrips: the acknowledgement's redelivery check is one Redis
// round trip (a SET NX), for a first delivery and for a redelivery alike
// (#10 §3), counted by a go-redis hook on the real redis-server.
func TestAckRoundTrips(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")})
	t.Cleanup(func() { rdb.Close() })
	trips := &testenv.RoundTrips{}
	rdb.AddHook(trips)
	d := platform.NewDeliveries(bot.NewOnce(redisstore.New(rdb, redisstore.Options{Prefix: "ackrt" + strconv.FormatInt(time.Now().UnixNano(), 36)})), time.Minute, 8, nil)
	ctx := context.Background()
	for _, want := range []bool{true, false} {
		first, _, err := d.First(ctx, "slack:T1:trigger-1")
		if err != nil || first != want {
			t.Fatalf("First = %v, %v; want %v", first, err, want)
		}
		if n, _, names := trips.Take(); n != 1 {
			t.Errorf("first=%v: %d round trips (%v), want 1", want, n, names)
		}
	}
}
