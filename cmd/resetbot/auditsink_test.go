package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/auditlog"
	"github.com/resetbot/resetbot/flows/redisstore"
)

// TestTwoReplicasWriteOneVerifiableChain: two audit sinks as serve builds
// them, each with its own file, on one Redis. The first writes while it
// holds the lease; when it stops renewing (a dead replica: the Redis clock
// moves past the lease) the second takes over and continues the chain, and
// `resetbot audit verify` accepts the two files, keyed, as one chain: in
// the resetbot format, in ECS, and with one replica already on ECS while
// the other is not (a rolling config change).
func TestTwoReplicasWriteOneVerifiableChain(t *testing.T) {
	for _, formats := range [][2]auditlog.Format{
		{auditlog.FormatResetbot, auditlog.FormatResetbot},
		{auditlog.FormatECS, auditlog.FormatECS},
		{auditlog.FormatResetbot, auditlog.FormatECS},
	} {
		t.Run(string(formats[0])+"+"+string(formats[1]), func(t *testing.T) { twoReplicasOneChain(t, formats) })
	}
}

func twoReplicasOneChain(t *testing.T, formats [2]auditlog.Format) {
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	t.Cleanup(func() { rdb.Close() })
	store := redisstore.New(rdb, redisstore.Options{Prefix: "rb"})
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "chain.key")
	if err := os.WriteFile(keyFile, []byte("a chain key of 32 bytes, or so.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	replica := func(name string, format auditlog.Format) *flows.Reader {
		sink, err := openAuditSink(filepath.Join(dir, name+".jsonl"), format, []byte("a chain key of 32 bytes, or so."), "rb", rdb, store, prometheus.NewRegistry(), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sink.Close() })
		return flows.NewReader(store, sink, name, nil, flows.WithClaimIdle(time.Nanosecond))
	}
	a, b := replica("a", formats[0]), replica("b", formats[1])
	ctx := context.Background()
	emit := func(n int) {
		evs := make([]flows.Event, n)
		for i := range evs {
			evs[i] = flows.Event{Time: time.Now().UTC(), Type: flows.EventLinkOpened, Actor: "test", Outcome: "ok"}
		}
		if err := store.Append(ctx, "acct", evs); err != nil {
			t.Fatal(err)
		}
	}
	pump := func(r *flows.Reader) int {
		total := 0
		for i := 0; i < 3; i++ {
			n, err := r.Pump(ctx)
			if err != nil {
				t.Fatal(err)
			}
			total += n
		}
		return total
	}
	emit(2)
	if n := pump(a); n != 2 {
		t.Fatalf("a wrote %d, want 2", n)
	}
	if n := pump(b); n != 0 {
		t.Fatalf("b wrote %d while a holds the lease", n)
	}
	m.FastForward(time.Minute) // a stopped renewing
	emit(2)
	if n := pump(b); n != 2 {
		t.Fatalf("b wrote %d after taking over, want 2", n)
	}
	if formats[1] == auditlog.FormatECS {
		b, _ := os.ReadFile(filepath.Join(dir, "b.jsonl"))
		if !strings.HasPrefix(string(b), `{"@timestamp":`) || !strings.Contains(string(b), `"action":"link.opened","outcome":"success"`) {
			t.Fatalf("b.jsonl is not ECS: %s", b)
		}
	}
	code, out, errOut := runCLI(t, "audit", "verify", "-key-file", keyFile, filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl"))
	if code != 0 || !strings.Contains(out, ": 4 records, last seq 4") {
		t.Fatalf("verify: code %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := runCLI(t, "audit", "verify", filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")); code != 1 {
		t.Fatalf("a keyed chain verified without its key: %s", out)
	}
}
