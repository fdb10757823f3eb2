package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// Streams is a backend for the audit-stream scenarios: a store with a
// length cap, and handles to break it the way production Redis breaks.
type Streams struct {
	// New returns a fresh store (own keyspace) capping its audit streams
	// at maxLen entries over all shards.
	New func(t *testing.T, maxLen int64) flows.Store
	// LoseData deletes everything of st, as a Redis restart without
	// persistence or a replaced Cluster master does.
	LoseData func(t *testing.T, st flows.Store)
	// BreakShard makes every stream call on one shard of st fail.
	BreakShard func(t *testing.T, st flows.Store, shard int)
	// NoIdleTimes says the server does not report how long a consumer has
	// been idle (miniredis), so no consumer can be known dead there.
	NoIdleTimes bool
}

// RunStreams runs the audit-stream scenarios: several consumers, reclaim,
// trimming, marks, and the faults a reader must survive.
func RunStreams(t *testing.T, b Streams) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	// emit appends n events to the shard of account.
	emit := func(t *testing.T, st flows.Store, account string, n int) {
		t.Helper()
		f := newFlow(t, account, now)
		evs := make([]flows.Event, n)
		for i := range evs {
			evs[i] = ev(f, flows.EventLinkOpened, now)
		}
		if err := st.Append(ctx(t), account, evs); err != nil {
			t.Fatal(err)
		}
	}
	maintain := func(t *testing.T, st flows.Store, u flows.StreamUpkeep) flows.StreamStats {
		t.Helper()
		m, ok := st.(flows.StreamMaintainer)
		if !ok {
			t.Fatal("store does not maintain its streams")
		}
		s, err := m.MaintainStreams(ctx(t), u)
		if err != nil {
			t.Fatalf("MaintainStreams: %v", err)
		}
		return s
	}

	t.Run("DeadConsumerEventsReclaimed", func(t *testing.T) {
		st := b.New(t, 1000)
		emit(t, st, "acct-claim", 3)
		// c1 takes the events and dies without acknowledging them.
		got, err := st.ReadEvents(ctx(t), "g", "c1", 10)
		if err != nil || len(got) != 3 {
			t.Fatalf("c1 read %d, %v", len(got), err)
		}
		// c2 reading normally sees nothing: they are c1's.
		if evs, err := st.ReadEvents(ctx(t), "g", "c2", 10); err != nil || len(evs) != 0 {
			t.Fatalf("c2 read %d, %v; want none", len(evs), err)
		}
		// Not idle long enough: nothing to claim.
		if evs, err := st.ClaimEvents(ctx(t), "g", "c2", time.Hour, 10); err != nil || len(evs) != 0 {
			t.Fatalf("claim with an hour's idle = %d, %v", len(evs), err)
		}
		claimed, err := st.ClaimEvents(ctx(t), "g", "c2", time.Nanosecond, 10)
		if err != nil || len(claimed) != 3 || claimed[0].ID != got[0].ID {
			t.Fatalf("claimed %d, %v; want c1's 3", len(claimed), err)
		}
		for _, e := range claimed {
			if err := st.AckEvents(ctx(t), "g", e.ID); err != nil {
				t.Fatal(err)
			}
		}
		s := maintain(t, st, flows.StreamUpkeep{Now: now, DeadAfter: time.Nanosecond})
		if s.Backlog["g"] != 0 {
			t.Fatalf("backlog after claim and ack = %d", s.Backlog["g"])
		}
		if s.RemovedConsumers < 1 && !b.NoIdleTimes {
			t.Fatalf("removed %d consumers; want the dead c1 gone", s.RemovedConsumers)
		}
		if evs := drain(t, st, "g"); len(evs) != 0 {
			t.Fatalf("%d events delivered again", len(evs))
		}
	})

	t.Run("ClaimLeavesOwnPendingInOrder", func(t *testing.T) {
		// A consumer's own idle entries are not claimed: ReadEvents gives
		// them back in order with what came after them, while a claim
		// would return the old ones alone (a backlog's flow, its first
		// steps read again since, its last ones not).
		st := b.New(t, 1000)
		emit(t, st, "acct-own", 3)
		got, err := st.ReadEvents(ctx(t), "g", "c1", 10)
		if err != nil || len(got) != 3 {
			t.Fatalf("c1 read %d, %v", len(got), err)
		}
		if evs, err := st.ClaimEvents(ctx(t), "g", "c1", time.Nanosecond, 10); err != nil || len(evs) != 0 {
			t.Fatalf("c1 claimed %d of its own, %v; want none", len(evs), err)
		}
		emit(t, st, "acct-own", 2)
		again, err := st.ReadEvents(ctx(t), "g", "c1", 10)
		if err != nil || len(again) != 5 || again[0].ID != got[0].ID {
			t.Fatalf("c1 read again %d, %v; want its 3 pending, then the 2 new", len(again), err)
		}
	})

	t.Run("ReaderClaimsFromDeadReplica", func(t *testing.T) {
		st := b.New(t, 1000)
		emit(t, st, "acct-rclaim", 2)
		if _, err := st.ReadEvents(ctx(t), "flaky", "dead-replica", 10); err != nil {
			t.Fatal(err)
		}
		sink := &flakySink{}
		r := flows.NewReader(st, sink, "live-replica", nil, flows.WithClaimIdle(time.Nanosecond))
		if n, err := r.Pump(ctx(t)); err != nil || n != 2 {
			t.Fatalf("pump = %d, %v; want the dead replica's 2", n, err)
		}
	})

	t.Run("TrimKeepsWhatAGroupHasNotAcknowledged", func(t *testing.T) {
		st := b.New(t, 16)
		emit(t, st, "acct-trim", 20)
		fast := drain(t, st, "fast")
		if len(fast) != 20 {
			t.Fatalf("fast group read %d", len(fast))
		}
		if err := st.Mark(ctx(t), "fast", fast[0].ID, "posted"); err != nil {
			t.Fatal(err)
		}
		// The lagging group read half and acknowledged nothing.
		if _, err := st.ReadEvents(ctx(t), "slow", "c1", 10); err != nil {
			t.Fatal(err)
		}
		later := flows.StreamUpkeep{Now: now.Add(48 * time.Hour)} // past retention too
		s := maintain(t, st, later)
		if s.Trimmed != 0 || s.Entries != 20 {
			t.Fatalf("trimmed %d, left %d; want nothing trimmed while slow lags", s.Trimmed, s.Entries)
		}
		if s.Backlog["slow"] != 20 || s.Backlog["fast"] != 0 {
			t.Fatalf("backlog = %v, want slow 20, fast 0", s.Backlog)
		}
		// The entries were appended about now; the pass looks 48 hours on.
		if lag := s.Lag["slow"]; lag < 47*time.Hour || lag > 49*time.Hour {
			t.Fatalf("slow group's lag = %v, want about 48h (its oldest unacknowledged entry's age)", lag)
		}
		if lag, ok := s.Lag["fast"]; !ok || lag != 0 {
			t.Fatalf("fast group's lag = %v (reported %v), want 0: it acknowledged everything", lag, ok)
		}
		if !s.OverMaxLen {
			t.Fatal("20 entries over a cap of 16 not reported")
		}
		slow := drain(t, st, "slow")
		if len(slow) != 20 || slow[0].ID != fast[0].ID {
			t.Fatalf("slow group got %d events after the trim; want all 20", len(slow))
		}
		s = maintain(t, st, later)
		if s.Trimmed != 20 || s.Entries != 0 || s.OverMaxLen {
			t.Fatalf("after both acknowledged: trimmed %d, left %d, over %v", s.Trimmed, s.Entries, s.OverMaxLen)
		}
		if _, ok, err := st.Marked(ctx(t), "fast", fast[0].ID); err != nil || ok {
			t.Fatalf("mark of a trimmed entry: %v, %v; want gone with it", ok, err)
		}
	})

	t.Run("MaxLenIsOverAllShards", func(t *testing.T) {
		st := b.New(t, 2*flows.Shards)
		emit(t, st, "acct-len", 5) // one shard: its share is 2
		drain(t, st, "g")
		s := maintain(t, st, flows.StreamUpkeep{Now: now})
		if s.Entries != 2 || s.Trimmed != 3 {
			t.Fatalf("left %d, trimmed %d; want the shard's share of 2 left", s.Entries, s.Trimmed)
		}
	})

	t.Run("MarksPerGroupAndEvent", func(t *testing.T) {
		st := b.New(t, 1000)
		emit(t, st, "acct-mark", 2)
		evs := drain(t, st, "g")
		if err := st.Mark(ctx(t), "alerts", evs[0].ID, "counted:3"); err != nil {
			t.Fatal(err)
		}
		if err := st.Mark(ctx(t), "alerts", evs[0].ID, "posted"); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := st.Marked(ctx(t), "alerts", evs[0].ID); err != nil || !ok || v != "posted" {
			t.Fatalf("Marked = %q, %v, %v; want the latest value", v, ok, err)
		}
		if _, ok, _ := st.Marked(ctx(t), "threads", evs[0].ID); ok {
			t.Fatal("a mark of one group seen by another")
		}
		if _, ok, _ := st.Marked(ctx(t), "alerts", evs[1].ID); ok {
			t.Fatal("a mark of one event seen on another")
		}
		if err := st.Mark(ctx(t), "alerts", "not-an-id", "x"); err == nil {
			t.Fatal("Mark accepted a malformed id")
		}
	})

	t.Run("GroupsRecreatedAfterDataLoss", func(t *testing.T) {
		st := b.New(t, 1000)
		emit(t, st, "acct-lost", 1)
		sink := &flakySink{}
		r := flows.NewReader(st, sink, "c1", nil)
		if n, err := r.Pump(ctx(t)); err != nil || n != 1 {
			t.Fatalf("pump = %d, %v", n, err)
		}
		b.LoseData(t, st)
		emit(t, st, "acct-lost", 2)
		if n, err := r.Pump(ctx(t)); err != nil || n != 2 {
			t.Fatalf("pump after data loss = %d, %v; want the 2 new events", n, err)
		}
	})

	// The regression test for an approver's confirmation steps posted after
	// the "Approved by" they led to: events of two accounts on different
	// shards come out of one read in the order they were appended, whatever
	// the shards' numbers.
	t.Run("ReadInTimeOrderAcrossShards", func(t *testing.T) {
		st := b.New(t, 1000)
		// late on a lower shard than early, so reading shard by shard
		// would return late's event first.
		late, early := "acct-order-a", ""
		for i := 1; early == ""; i++ {
			cand := fmt.Sprintf("acct-order-%d", i)
			switch {
			case flows.ShardOf(cand) > flows.ShardOf(late):
				early = cand
			case flows.ShardOf(cand) < flows.ShardOf(late):
				late, early = cand, late
			}
		}
		emit(t, st, early, 1) // on the higher shard, first
		time.Sleep(3 * time.Millisecond)
		emit(t, st, late, 1)
		time.Sleep(3 * time.Millisecond)
		emit(t, st, early, 1)
		evs, err := st.ReadEvents(ctx(t), "order", "c1", 10)
		if err != nil || len(evs) != 3 {
			t.Fatalf("read %d events, %v; want 3", len(evs), err)
		}
		want := []string{early, late, early}
		for i, ev := range evs {
			if ev.AccountID != want[i] && ev.Account != want[i] {
				t.Errorf("event %d is of %q/%q, want %q (the order of appending)", i, ev.AccountID, ev.Account, want[i])
			}
		}
	})

	t.Run("OneBrokenShardNeverStopsTheOthers", func(t *testing.T) {
		st := b.New(t, 1000)
		a, c := "acct-ok", ""
		for i := 0; c == ""; i++ {
			if cand := "acct-bad-" + string(rune('a'+i)); flows.ShardOf(cand) != flows.ShardOf(a) {
				c = cand
			}
		}
		emit(t, st, a, 1)
		b.BreakShard(t, st, flows.ShardOf(c))
		sink := &flakySink{}
		r := flows.NewReader(st, sink, "c1", nil)
		n, err := r.Pump(ctx(t))
		if n != 1 || !errors.Is(err, flows.ErrStoreUnavailable) {
			t.Fatalf("pump = %d, %v; want the healthy shard's event and the broken shard's error", n, err)
		}
	})
}
