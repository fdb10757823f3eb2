package auditlog

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/redisstore"
	"github.com/resetbot/resetbot/internal/testenv"
)

// TestTwoReplicasOneChain runs two audit-log sinks, as two replicas with
// their own files, on one Redis: one writes at a time, the other takes over
// when the first one's lease ends, a record the first wrote but could not
// commit is written again identically, and the two files verify as one
// chain with every event once.
func TestTwoReplicasOneChain(t *testing.T) {
	backends := map[string]func(t *testing.T) redis.UniversalClient{
		"miniredis": func(t *testing.T) redis.UniversalClient {
			return redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()})
		},
		"redis": func(t *testing.T) redis.UniversalClient {
			return redis.NewClient(&redis.Options{Addr: testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")})
		},
		"cluster": func(t *testing.T) redis.UniversalClient {
			return redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_CLUSTER"), ",")})
		},
	}
	for name, newClient := range backends {
		t.Run(name, func(t *testing.T) {
			rdb := newClient(t)
			t.Cleanup(func() { rdb.Close() })
			testTwoReplicas(t, rdb)
		})
	}
}

func testTwoReplicas(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	prefix := fmt.Sprintf("al%x", time.Now().UnixNano())
	store := redisstore.New(rdb, redisstore.Options{Prefix: prefix})
	dir := t.TempDir()
	key := []byte("chain key from config")
	open := func(name string) (*Sink, *RedisChain) {
		ch := NewRedisChain(rdb, store, prefix, time.Minute)
		s, err := OpenTarget(filepath.Join(dir, name+".jsonl"), Options{Key: key, Chain: ch, Owner: name})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s, ch
	}
	a, chainA := open("a")
	b, _ := open("b")
	ra := flows.NewReader(store, a, "a", nil)
	rb := flows.NewReader(store, b, "b", nil, flows.WithClaimIdle(time.Nanosecond))
	emit := func(n int) {
		t.Helper()
		evs := make([]flows.Event, n)
		for i := range evs {
			evs[i] = flows.Event{Time: time.Now().UTC(), Type: flows.EventLinkOpened, Actor: "test", Outcome: "ok", Reason: fmt.Sprint(i)}
		}
		if err := store.Append(ctx, "acct-audit", evs); err != nil {
			t.Fatal(err)
		}
	}
	emit(3)
	if n, err := ra.Pump(ctx); err != nil || n != 3 {
		t.Fatalf("a pumped %d, %v; want 3", n, err)
	}
	if n, err := rb.Pump(ctx); err != nil || n != 0 {
		t.Fatalf("b pumped %d, %v while a holds the lease", n, err)
	}
	emit(2)
	// a reads the next event, writes it, and its lease ends before it can
	// commit (the process stalled past the lease, or died right then).
	evs, err := store.ReadEvents(ctx, "auditlog", "a", 1)
	if err != nil || len(evs) != 1 {
		t.Fatalf("read %d, %v", len(evs), err)
	}
	if err := rdb.Del(ctx, chainA.lease).Err(); err != nil {
		t.Fatal(err)
	}
	if err := a.Deliver(ctx, evs[0]); err == nil {
		t.Fatal("a committed without the lease")
	}
	// b takes over, claims a's unacknowledged event and writes the rest.
	total := 0
	for i := 0; i < 5; i++ {
		n, err := rb.Pump(ctx)
		if err != nil {
			t.Fatalf("b: %v", err)
		}
		total += n
	}
	if total != 2 {
		t.Fatalf("b delivered %d; want a's unacknowledged event and the new one", total)
	}
	if n, err := ra.Pump(ctx); err != nil || n != 0 {
		t.Fatalf("a pumped %d, %v after losing the lease", n, err)
	}
	// The lease comes back to a (b stalls in turn): a's own file now has a
	// gap where b wrote, and a continues the chain after it, as a restarted
	// a would.
	if err := rdb.Del(ctx, chainA.lease).Err(); err != nil {
		t.Fatal(err)
	}
	emit(1)
	if n, err := ra.Pump(ctx); err != nil || n != 1 {
		t.Fatalf("a pumped %d, %v after taking the lease back; want 1", n, err)
	}
	if restarted, err := OpenTarget(filepath.Join(dir, "a.jsonl"), Options{Key: key, Chain: chainA, Owner: "a2"}); err != nil {
		t.Fatalf("a restarted on its file with a gap where b wrote: %v", err)
	} else {
		restarted.Close()
	}
	var pieces []Piece
	for _, name := range []string{"a", "b"} {
		f, err := os.Open(filepath.Join(dir, name+".jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		pieces = append(pieces, Piece{Name: name, R: f})
	}
	rep, err := VerifyPieces(pieces, VerifyOptions{Key: key})
	if err != nil || !rep.OK() || rep.Records != 6 || rep.LastSeq != 6 {
		t.Fatalf("pieces: %+v %v (%v)", rep, rep.Broken, err)
	}
	if h := a.Head(); h.Seq != 6 || h.Hash != rep.LastHash {
		t.Fatalf("a's head %+v, want the chain's last record %d %s", h, rep.LastSeq, rep.LastHash)
	}
	// A replica that never wrote reads the same head from Redis (what the
	// helpdesk channel post publishes).
	if h, err := NewRedisChain(rdb, store, prefix, 0).Head(ctx); err != nil || h.Seq != 6 || h.Hash != rep.LastHash {
		t.Fatalf("shared head %+v (%v), want %d %s", h, err, rep.LastSeq, rep.LastHash)
	}
	// Without the key, the keyed chain does not verify.
	for _, p := range pieces {
		p.R.(*os.File).Seek(0, 0)
	}
	if rep, _ := VerifyPieces(pieces, VerifyOptions{}); rep.OK() {
		t.Fatal("a keyed chain verified without its key")
	}
}
