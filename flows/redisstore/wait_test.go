package redisstore_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/redisstore"
	"github.com/resetbot/resetbot/internal/testenv"
)

// counter counts the commands a client sends (a pipeline's each).
type counter struct{ n atomic.Int64 }

func (c *counter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *counter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { c.n.Add(1); return next(ctx, cmd) }
}
func (c *counter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { c.n.Add(int64(len(cmds))); return next(ctx, cmds) }
}

// chanSink hands delivered events to the test.
type chanSink struct{ got chan flows.Event }

func (s chanSink) Name() string { return "idle-test" }
func (s chanSink) Deliver(_ context.Context, ev flows.Event) error {
	s.got <- ev
	return nil
}

// TestIdleReaderBlocks: a reader with nothing to deliver blocks on the
// streams (XREADGROUP BLOCK over every shard) instead of polling them:
// over an idle stretch of about three seconds it sends one command a
// second, where polling sent 32 every 250 ms (#10). An event appended
// meanwhile still arrives. Counts, not times: the stretch's length only
// scales what polling would have cost.
func TestIdleReaderBlocks(t *testing.T) {
	addr := testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { rdb.Close() })
	c := &counter{}
	rdb.AddHook(c)
	st := redisstore.New(rdb, redisstore.Options{Prefix: fmt.Sprintf("w%x-%d", run, prefixes.Add(1))})
	sink := chanSink{got: make(chan flows.Event, 1)}
	r := flows.NewReader(st, sink, "c1", nil, flows.WithClaimIdle(0))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = r.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })

	time.Sleep(500 * time.Millisecond) // the first pump and the groups
	before := c.n.Load()
	time.Sleep(3 * time.Second)
	idle := c.n.Load() - before
	t.Logf("commands over an idle 3 s: %d (polling: about 384)", idle)
	if idle > 8 {
		t.Errorf("an idle reader sent %d commands in 3 s; a blocked one sends one per second", idle)
	}
	ev := flows.Event{Time: time.Now().UTC(), Type: flows.EventRefused, Kind: flows.KindReset, Actor: "slack:U1", Outcome: "refused"}
	if err := st.Append(context.Background(), "slack:U1", []flows.Event{ev}); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-sink.got:
		if got.Type != flows.EventRefused {
			t.Fatalf("delivered %+v", got)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the event appended while the reader blocked never arrived")
	}
}
