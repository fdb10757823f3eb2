package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/redisstore"
)

// refusingSink refuses every event, like a sink whose chat API is down.
type refusingSink struct{}

func (refusingSink) Name() string                               { return "thread" }
func (refusingSink) Deliver(context.Context, flows.Event) error { return errors.New("chat API down") }

// TestReadyzReportsAWedgedAuditReader: an audit reader that cannot read its
// stream (Redis gone under it) makes /readyz say "not ready" naming the
// reader once it has failed for longer than the threshold, not before, and
// ready again after one good read; a sink that refuses events (a chat API
// outage, which another replica could not fix) never makes it unready.
func TestReadyzReportsAWedgedAuditReader(t *testing.T) {
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr(), MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	store := redisstore.New(rdb, redisstore.Options{Prefix: "rb"})
	readers := auditReaders(store, []flows.Sink{refusingSink{}}, time.Minute, nil)
	now := time.Now()
	r := &readiness{
		redis:   func(context.Context) error { return nil }, // only the readers are under test
		timeout: time.Second, dirEvery: time.Minute, now: func() time.Time { return now },
		readers: readersStalled(readers, readerStalledAfter),
	}
	h := managementHandler(prometheus.NewRegistry(), r)
	ctx := context.Background()
	pump := func() { _, _ = readers[0].Pump(ctx) }

	pump() // reads fine; the sink refuses (nothing to refuse yet)
	now = now.Add(2 * readerStalledAfter)
	if code, body := get(t, h, "/readyz"); code != http.StatusOK {
		t.Fatalf("a reader that reads is reported: %d %q", code, body)
	}

	m.Close()
	now = time.Now()
	pump()
	if code, body := get(t, h, "/readyz"); code != http.StatusOK {
		t.Errorf("a reader failing for less than %s is reported: %d %q", readerStalledAfter, code, body)
	}
	now = now.Add(readerStalledAfter + time.Second)
	pump()
	code, body := get(t, h, "/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "audit reader thread: no successful read") {
		t.Errorf("/readyz with the reader wedged = %d %q, want 503 naming the reader", code, body)
	}

	if err := m.Restart(); err != nil {
		t.Fatal(err)
	}
	// go-redis backs off dialling a server that refused it: wait until it
	// is back in use (no timing is asserted).
	var err error
	for range 100 {
		if err = store.Append(ctx, "acct-1", []flows.Event{{Type: flows.EventLinkOpened, FlowID: "F1", Time: time.Now()}}); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("append after the restart: %v", err)
	}
	pump() // reads the event again; the sink refuses it
	if code, body := get(t, h, "/readyz"); code != http.StatusOK {
		t.Errorf("/readyz after a good read with the sink refusing = %d %q, want ready", code, body)
	}
}
