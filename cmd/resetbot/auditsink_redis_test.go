package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/auditlog"
	"github.com/resetbot/resetbot/flows/redisstore"
	"github.com/resetbot/resetbot/internal/testenv"
)

// TestTwoReplicasWriteOneVerifiableChainRedisServer is the sibling of
// TestTwoReplicasWriteOneVerifiableChain on the real redis-server: two
// audit sinks built as serve builds them, each with its own file and its
// own writer identity, pump the audit streams at the same time while
// events keep arriving, and the writer lease is taken from whoever holds
// it several times (as Redis does when a replica stops renewing). Nothing
// is faked about time or Redis, and `resetbot audit verify` must accept the
// two files as one chain holding every event exactly once.
func TestTwoReplicasWriteOneVerifiableChainRedisServer(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")})
	t.Cleanup(func() { rdb.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("redis-server: %v", err)
	}
	prefix := fmt.Sprintf("chain%x", time.Now().UnixNano())
	store := redisstore.New(rdb, redisstore.Options{Prefix: prefix})
	dir := t.TempDir()
	chainKey := []byte("a chain key of 32 bytes, or so.")
	keyFile := filepath.Join(dir, "chain.key")
	if err := os.WriteFile(keyFile, chainKey, 0o600); err != nil {
		t.Fatal(err)
	}

	// At least minBatches, and on until both replicas have written (which
	// replica takes a free lease is a race), at most maxBatches.
	const minBatches, maxBatches, perBatch = 8, 200, 5
	var written [2]atomic.Int64
	var lost atomic.Int64
	// A replica holds its mutex while it pumps, so the test can end the
	// lease between two of its writes (a replica that dies stops between
	// writes, as the sink stops writing well before its lease ends) on even
	// batches; on odd ones the lease ends whenever, possibly between a
	// record's write and its commit (a replica that stalled past its lease),
	// which leaves an uncommitted record in its file that audit verify sets
	// aside.
	var pumping [2]sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for i, name := range []string{"a", "b"} {
		sink, err := openAuditSink(filepath.Join(dir, name+".jsonl"), auditlog.FormatResetbot, chainKey, prefix, rdb, store, prometheus.NewRegistry(), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sink.Close() })
		r := flows.NewReader(store, sink, name, nil, flows.WithClaimIdle(50*time.Millisecond))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				pumping[i].Lock()
				n, err := r.Pump(ctx)
				pumping[i].Unlock()
				written[i].Add(int64(n))
				switch {
				case ctx.Err() != nil:
				case errors.Is(err, auditlog.ErrLeaseLost):
					lost.Add(1) // the other replica writes now; serve retries too
				case err != nil:
					errs <- fmt.Errorf("replica %s: %w", name, err)
					return
				}
			}
		}()
	}

	// The writer lease's and chain head's keys, as auditlog.NewRedisChain
	// lays them out.
	tag := fmt.Sprintf("%s:{%s-auditlog}", prefix, prefix)
	lease, head := tag+":lease", tag+":head"
	batches := 0
	for ; batches < maxBatches && (batches < minBatches || written[0].Load() == 0 || written[1].Load() == 0); batches++ {
		b := batches
		evs := make([]flows.Event, perBatch)
		for i := range evs {
			evs[i] = flows.Event{Time: time.Now().UTC(), Type: flows.EventLinkOpened, Actor: "test", Outcome: "ok", Reason: fmt.Sprint(b, "/", i)}
		}
		if err := store.Append(ctx, fmt.Sprintf("acct-%d", b%3), evs); err != nil {
			t.Fatal(err)
		}
		// The holder "dies": its lease ends now instead of in 15 s.
		var err error
		if b%2 == 0 {
			pumping[0].Lock()
			pumping[1].Lock()
			err = rdb.Del(ctx, lease).Err()
			pumping[1].Unlock()
			pumping[0].Unlock()
		} else {
			err = rdb.Del(ctx, lease).Err()
		}
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	want := int64(batches * perBatch)
	deadline := time.Now().Add(30 * time.Second)
	committed := func() int64 {
		n, _ := rdb.HGet(ctx, head, "s").Int64()
		return n
	}
	for committed() < want && time.Now().Before(deadline) {
		select {
		case err := <-errs:
			t.Fatal(err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	a, b := written[0].Load(), written[1].Load()
	if a == 0 || b == 0 || a+b < want {
		t.Fatalf("the replicas wrote %d + %d records, want both to write and %d in all", a, b, want)
	}
	t.Logf("replica a wrote %d records, b %d; a lease was lost mid-write %d times", a, b, lost.Load())
	code, out, errOut := runCLI(t, "audit", "verify", "-key-file", keyFile, filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl"))
	if code != 0 || !strings.Contains(out, fmt.Sprintf(": %d records, last seq %d", want, want)) || strings.Count(out, "note: ") > int(lost.Load()) {
		t.Fatalf("verify: code %d\n%s%s", code, out, errOut)
	}
	t.Logf("%d uncommitted records set aside by audit verify", strings.Count(out, "note: "))
}
