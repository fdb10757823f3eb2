package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// flakySink fails on chosen deliveries and records what it accepted.
type flakySink struct {
	failOn map[int]bool
	calls  int
	got    []flows.Event
}

func (s *flakySink) Name() string { return "flaky" }

func (s *flakySink) Deliver(_ context.Context, ev flows.Event) error {
	s.calls++
	if s.failOn[s.calls] {
		return errors.New("sink down")
	}
	s.got = append(s.got, ev)
	return nil
}

func runReader(t *testing.T, newStore NewStore) {
	st := newStore(t)
	now := time.Now().UTC()
	f := newFlow(t, "acct-r", now)
	evs := []flows.Event{ev(f, flows.EventRequested, now), ev(f, flows.EventLinkSent, now), ev(f, flows.EventLinkOpened, now)}
	if err := st.Create(ctx(t), f, "", evs); err != nil {
		t.Fatal(err)
	}
	sink := &flakySink{failOn: map[int]bool{2: true}}
	r := flows.NewReader(st, sink, "replica-1", nil)
	if n, err := r.Pump(ctx(t)); err == nil || n != 1 {
		t.Fatalf("first pump = %d, %v; want 1 delivered then the failure", n, err)
	}
	if n, err := r.Pump(ctx(t)); err != nil || n != 2 {
		t.Fatalf("second pump = %d, %v; want the remaining 2", n, err)
	}
	if n, _ := r.Pump(ctx(t)); n != 0 {
		t.Fatalf("third pump delivered %d again", n)
	}
	want := []flows.EventType{flows.EventRequested, flows.EventLinkSent, flows.EventLinkOpened}
	if got := types(sink.got); len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("delivered %v, want %v in order, none lost", got, want)
	}
}
