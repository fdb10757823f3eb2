package auditlog

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/flows/redisstore"
)

// TestStalledWriterLeavesAnUncommittedRecord: replica a writes a record and
// stalls past its lease before committing it; b takes over and writes
// another event at that seq, then a's event again. The two files verify as
// one chain with a's record set aside as uncommitted; but not if a's event
// never made it into the chain, nor if the set-aside record was altered.
func TestStalledWriterLeavesAnUncommittedRecord(t *testing.T) {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()})
	t.Cleanup(func() { rdb.Close() })
	store := redisstore.New(rdb, redisstore.Options{Prefix: "st"})
	dir := t.TempDir()
	key := []byte("chain key from config")
	open := func(name string) (*Sink, *RedisChain) {
		ch := NewRedisChain(rdb, store, "st", time.Minute)
		s, err := OpenTarget(filepath.Join(dir, name+".jsonl"), Options{Key: key, Chain: ch, Owner: name})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s, ch
	}
	a, chainA := open("a")
	b, _ := open("b")
	deliver := func(s *Sink, id string) error {
		if ok, err := s.Open(ctx); err != nil || !ok {
			t.Fatalf("lease: %v %v", ok, err)
		}
		return s.Deliver(ctx, event(id))
	}
	if err := deliver(a, "st:{s00}:audit/1-0"); err != nil {
		t.Fatal(err)
	}
	// a has passed its lease check and is writing 0/2-0 when it stalls:
	// the lease ends under it, so its commit fails.
	if ok, err := a.Open(ctx); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := rdb.Del(ctx, chainA.lease).Err(); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.Open(ctx); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := a.Deliver(ctx, event("st:{s00}:audit/2-0")); err == nil {
		t.Fatal("a committed without the lease")
	}
	verify := func() Report {
		t.Helper()
		var pieces []Piece
		for _, name := range []string{"a", "b"} {
			data, err := os.ReadFile(filepath.Join(dir, name+".jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			pieces = append(pieces, Piece{Name: name, R: bytes.NewReader(data)})
		}
		rep, err := VerifyPieces(pieces, VerifyOptions{Key: key})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	// b writes a newer event at seq 2 before a's event is claimed.
	if err := deliver(b, "st:{s01}:audit/3-0"); err != nil {
		t.Fatal(err)
	}
	if rep := verify(); rep.OK() {
		t.Fatalf("a's event is in no committed record yet, but the files verify: %+v", rep)
	}
	// b claims a's event and writes it at seq 3.
	if err := deliver(b, "st:{s00}:audit/2-0"); err != nil {
		t.Fatal(err)
	}
	rep := verify()
	if !rep.OK() || rep.Records != 3 || rep.LastSeq != 3 || len(rep.Uncommitted) != 1 || !strings.HasPrefix(rep.Uncommitted[0], "a:2 ") {
		t.Fatalf("verify = %+v (%v); want 3 records and a:2 set aside", rep, rep.Broken)
	}
	// The set-aside record must still be a genuine link of the chain.
	path := filepath.Join(dir, "a.jsonl")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(data, []byte(`"outcome":"ok"`), []byte(`"outcome":"no"`), 1)
	lines := bytes.SplitAfter(data, []byte("\n"))
	forged := append(bytes.Clone(lines[0]), bytes.Replace(lines[1], []byte(`"prev":"`), []byte(`"prev":"0`), 1)...)
	for name, body := range map[string][]byte{"edited first record": edited, "orphan with another prev": forged} {
		if err := os.WriteFile(path, body, 0o600); err != nil {
			t.Fatal(err)
		}
		if rep := verify(); rep.OK() {
			t.Fatalf("%s: the files verify: %+v", name, rep)
		}
	}
}
