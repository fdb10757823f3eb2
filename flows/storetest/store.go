package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resetbot/resetbot/flows"
)

func newFlow(t *testing.T, account string, now time.Time) *flows.Flow {
	t.Helper()
	id, err := flows.NewFlowID(account)
	if err != nil {
		t.Fatal(err)
	}
	return &flows.Flow{
		ID: id, Kind: flows.KindReset, State: flows.StateIssued,
		Subject:  flows.Subject{AccountID: account, AccountName: "user-" + account},
		IssuedAt: now, ExpiresAt: now.Add(10 * time.Minute),
	}
}

func ev(f *flows.Flow, typ flows.EventType, now time.Time) flows.Event {
	return flows.Event{Time: now, Type: typ, FlowID: f.ID, Kind: f.Kind, AccountID: f.Subject.AccountID, Actor: "test", Outcome: "ok"}
}

func runStore(t *testing.T, newStore NewStore) {
	now := time.Now().UTC().Truncate(time.Millisecond)

	t.Run("CreateAndGet", func(t *testing.T) {
		st := newStore(t)
		f := newFlow(t, "acct-1", now)
		if err := st.Create(ctx(t), f, "", nil); err != nil {
			t.Fatal(err)
		}
		if f.Version != 1 {
			t.Fatalf("version after create = %d, want 1", f.Version)
		}
		got, err := st.Get(ctx(t), f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, f) {
			t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, f)
		}
		live, err := st.LiveID(ctx(t), "acct-1", flows.KindReset)
		if err != nil || live != f.ID {
			t.Fatalf("LiveID = %q, %v; want %q", live, err, f.ID)
		}
		if live, _ := st.LiveID(ctx(t), "acct-1", flows.KindUnlock); live != "" {
			t.Fatalf("live unlock flow %q, want none", live)
		}
	})

	t.Run("GetUnknown", func(t *testing.T) {
		st := newStore(t)
		for _, id := range []string{"", "nope", "zz-AAAAAAAAAAAAAAAAAAAAAA", newFlow(t, "x", now).ID} {
			if _, err := st.Get(ctx(t), id); !errors.Is(err, flows.ErrNotFound) {
				t.Errorf("Get(%q) = %v, want ErrNotFound", id, err)
			}
		}
	})

	t.Run("CreateRequiresExpectedLiveFlow", func(t *testing.T) {
		st := newStore(t)
		a := newFlow(t, "acct-2", now)
		if err := st.Create(ctx(t), a, "", nil); err != nil {
			t.Fatal(err)
		}
		b := newFlow(t, "acct-2", now)
		if err := st.Create(ctx(t), b, "", nil); !errors.Is(err, flows.ErrConflict) {
			t.Fatalf("second create with stale prevLive = %v, want ErrConflict", err)
		}
		if _, err := st.Get(ctx(t), b.ID); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("refused create left the flow behind: %v", err)
		}
		if err := st.Create(ctx(t), b, a.ID, nil); err != nil {
			t.Fatalf("create naming the live flow: %v", err)
		}
		if live, _ := st.LiveID(ctx(t), "acct-2", flows.KindReset); live != b.ID {
			t.Fatalf("live = %q, want %q", live, b.ID)
		}
	})

	t.Run("UpdateIsCompareAndSwap", func(t *testing.T) {
		st := newStore(t)
		f := newFlow(t, "acct-3", now)
		if err := st.Create(ctx(t), f, "", nil); err != nil {
			t.Fatal(err)
		}
		stale := *f
		f.State = flows.StateRedeemed
		if err := st.Update(ctx(t), f, []flows.Event{ev(f, flows.EventLinkRedeemed, now)}); err != nil {
			t.Fatal(err)
		}
		if f.Version != 2 {
			t.Fatalf("version = %d, want 2", f.Version)
		}
		stale.State = flows.StateCancelled
		if err := st.Update(ctx(t), &stale, []flows.Event{ev(&stale, flows.EventCancelled, now)}); !errors.Is(err, flows.ErrConflict) {
			t.Fatalf("stale update = %v, want ErrConflict", err)
		}
		got, _ := st.Get(ctx(t), f.ID)
		if got.State != flows.StateRedeemed || got.Version != 2 {
			t.Fatalf("after refused update: state %q version %d", got.State, got.Version)
		}
		evs := drain(t, st, "g")
		if want := []flows.EventType{flows.EventLinkRedeemed}; !reflect.DeepEqual(types(evs), want) {
			t.Fatalf("events = %v, want %v (a refused update must append nothing)", types(evs), want)
		}
	})

	t.Run("UpdateMissing", func(t *testing.T) {
		st := newStore(t)
		f := newFlow(t, "acct-4", now)
		f.Version = 1
		if err := st.Update(ctx(t), f, nil); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("Update of a missing flow = %v, want ErrNotFound", err)
		}
	})

	t.Run("TerminalClearsLiveAndDue", func(t *testing.T) {
		st := newStore(t)
		f := newFlow(t, "acct-5", now)
		if err := st.Create(ctx(t), f, "", nil); err != nil {
			t.Fatal(err)
		}
		due, _ := st.Due(ctx(t), f.ExpiresAt, 1000)
		if !contains(due, f.ID) {
			t.Fatalf("Due at expiry %v does not list the flow", due)
		}
		if due, _ := st.Due(ctx(t), f.ExpiresAt.Add(-time.Second), 1000); contains(due, f.ID) {
			t.Fatalf("Due before expiry lists the flow")
		}
		f.State = flows.StateCompleted
		if err := st.Update(ctx(t), f, nil); err != nil {
			t.Fatal(err)
		}
		if live, _ := st.LiveID(ctx(t), "acct-5", flows.KindReset); live != "" {
			t.Fatalf("live after completion = %q, want none", live)
		}
		if due, _ := st.Due(ctx(t), f.ExpiresAt, 1000); contains(due, f.ID) {
			t.Fatalf("a completed flow is still due")
		}
	})

	t.Run("EventsAtLeastOnceInOrder", func(t *testing.T) {
		st := newStore(t)
		f := newFlow(t, "acct-6", now)
		if err := st.Create(ctx(t), f, "", []flows.Event{ev(f, flows.EventRequested, now)}); err != nil {
			t.Fatal(err)
		}
		f.State = flows.StateRedeemed
		if err := st.Update(ctx(t), f, []flows.Event{ev(f, flows.EventLinkRedeemed, now), ev(f, flows.EventVerified, now)}); err != nil {
			t.Fatal(err)
		}
		if err := st.Append(ctx(t), "acct-6", []flows.Event{ev(f, flows.EventLinkOpened, now)}); err != nil {
			t.Fatal(err)
		}
		// First read, never acknowledged: a crash.
		first, err := st.ReadEvents(ctx(t), "sink", "c1", 100)
		if err != nil {
			t.Fatal(err)
		}
		want := []flows.EventType{flows.EventRequested, flows.EventLinkRedeemed, flows.EventVerified, flows.EventLinkOpened}
		if !reflect.DeepEqual(types(first), want) {
			t.Fatalf("events = %v, want %v", types(first), want)
		}
		ids := map[string]bool{}
		for _, e := range first {
			if e.ID == "" || ids[e.ID] {
				t.Fatalf("event id %q empty or repeated", e.ID)
			}
			ids[e.ID] = true
		}
		// After the restart the same consumer gets the same events again.
		again := drain(t, st, "sink")
		if !reflect.DeepEqual(types(again), want) || again[0].ID != first[0].ID {
			t.Fatalf("redelivery = %v, want %v with the same ids", types(again), want)
		}
		if rest := drain(t, st, "sink"); len(rest) != 0 {
			t.Fatalf("acknowledged events delivered again: %v", types(rest))
		}
		// A second sink has its own cursor and sees everything.
		if other := drain(t, st, "other"); len(other) != len(want) {
			t.Fatalf("second group got %d events, want %d", len(other), len(want))
		}
		if err := st.AckEvents(ctx(t), "sink", "not-an-id"); err == nil {
			t.Fatal("AckEvents accepted a malformed id")
		}
	})

	t.Run("ConcurrentUpdateOneWinner", func(t *testing.T) {
		st := newStore(t)
		f := newFlow(t, "acct-7", now)
		if err := st.Create(ctx(t), f, "", nil); err != nil {
			t.Fatal(err)
		}
		var wins, conflicts atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 32; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				mine := *f
				mine.State = flows.StateRedeemed
				mine.Binding = fmt.Sprint(i)
				err := st.Update(ctx(t), &mine, []flows.Event{ev(&mine, flows.EventLinkRedeemed, now)})
				switch {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, flows.ErrConflict):
					conflicts.Add(1)
				default:
					t.Errorf("update: %v", err)
				}
			}(i)
		}
		wg.Wait()
		if wins.Load() != 1 || conflicts.Load() != 31 {
			t.Fatalf("wins=%d conflicts=%d, want exactly one winner", wins.Load(), conflicts.Load())
		}
		if n := len(drain(t, st, "g")); n != 1 {
			t.Fatalf("%d events stored, want only the winner's", n)
		}
	})

	t.Run("ConcurrentCreateOneLiveFlow", func(t *testing.T) {
		st := newStore(t)
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				f := newFlow(t, "acct-8", now)
				err := st.Create(ctx(t), f, "", nil)
				if err == nil {
					wins.Add(1)
				} else if !errors.Is(err, flows.ErrConflict) {
					t.Errorf("create: %v", err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d creates won, want exactly one live flow", wins.Load())
		}
	})

	t.Run("HitAndCountWindows", func(t *testing.T) {
		st := newStore(t)
		for i := 1; i <= 3; i++ {
			n, err := st.Hit(ctx(t), "k", time.Hour, now)
			if err != nil || n != int64(i) {
				t.Fatalf("hit %d = %d, %v", i, n, err)
			}
		}
		if n, _ := st.Count(ctx(t), "k", time.Hour, now); n != 3 {
			t.Fatalf("count = %d, want 3", n)
		}
		if n, _ := st.Count(ctx(t), "other", time.Hour, now); n != 0 {
			t.Fatalf("count of another key = %d", n)
		}
		if n, _ := st.Hit(ctx(t), "k", time.Hour, now.Add(time.Hour)); n != 1 {
			t.Fatalf("next window starts at %d, want 1", n)
		}
	})
}

// runClaim proves the first-delivery mark: exactly one of any number of
// concurrent claims of a key wins, and a key claimed once stays claimed.
func runClaim(t *testing.T, newStore NewStore) {
	st := newStore(t)
	first, err := st.Claim(ctx(t), "delivery-1", time.Hour)
	if err != nil || !first {
		t.Fatalf("first claim = %v, %v; want true", first, err)
	}
	again, err := st.Claim(ctx(t), "delivery-1", time.Hour)
	if err != nil || again {
		t.Fatalf("second claim = %v, %v; want false", again, err)
	}
	if other, _ := st.Claim(ctx(t), "delivery-2", time.Hour); !other {
		t.Fatal("a different key was already claimed")
	}
	if n := wins(t, 32, func() (bool, error) { return st.Claim(ctx(t), "raced", time.Hour) }); n != 1 {
		t.Fatalf("%d concurrent claims won, want exactly 1", n)
	}
}

// runLease proves the single-holder lease: one of any number of
// concurrent owners takes it, its holder renews it, and nobody else gets
// it while it lives (RunLeaseLapse: another takes it once it lapsed).
func runLease(t *testing.T, newStore NewStore) {
	st := newStore(t)
	var next atomic.Int32
	var holder atomic.Value
	n := wins(t, 32, func() (bool, error) {
		o := fmt.Sprintf("replica-%d", next.Add(1))
		held, err := st.Lease(ctx(t), "sink", o, time.Hour)
		if held {
			holder.Store(o)
		}
		return held, err
	})
	if n != 1 {
		t.Fatalf("%d of 32 concurrent owners took the lease, want exactly 1", n)
	}
	h := holder.Load().(string)
	for _, o := range []string{h, "replica-1", "replica-2", "replica-33", h} {
		held, err := st.Lease(ctx(t), "sink", o, time.Hour)
		if err != nil || held != (o == h) {
			t.Fatalf("Lease by %s = %v, %v; want held only by %s", o, held, err, h)
		}
	}
}

// RunLeaseLapse proves that a lease lapses when its holder stops renewing
// and that another owner then takes it over. It needs a store whose keys
// expire on the wall clock (a real Redis; miniredis expires only when told).
func RunLeaseLapse(t *testing.T, newStore NewStore) {
	st := newStore(t)
	const ttl = 300 * time.Millisecond
	if held, err := st.Lease(ctx(t), "short", "replica-a", ttl); err != nil || !held {
		t.Fatalf("first lease = %v, %v", held, err)
	}
	if held, _ := st.Lease(ctx(t), "short", "replica-b", ttl); held {
		t.Fatal("a live lease was taken by another owner")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		held, err := st.Lease(ctx(t), "short", "replica-b", ttl)
		if err != nil {
			t.Fatal(err)
		}
		if held {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the lapsed lease was never taken over")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if held, _ := st.Lease(ctx(t), "short", "replica-a", time.Hour); held {
		t.Fatal("the former holder still holds the lease another took over")
	}
}

// runTake proves the sliding budget: max uses in any window, wherever the
// window's edges fall, refusals recorded nowhere, one atomic step.
func runTake(t *testing.T, newStore NewStore) {
	now := time.Date(2026, 3, 2, 9, 59, 59, 999_000_000, time.UTC)
	type step struct {
		at   time.Duration // from now
		want bool
	}
	tests := []struct {
		name   string
		window time.Duration
		max    int
		steps  []step
		used   time.Duration // Used is asked at now+used
		wantN  int64
	}{
		{"within budget", time.Minute, 3, []step{{0, true}, {0, true}, {0, true}}, 0, 3},
		{"over budget", time.Minute, 2, []step{{0, true}, {0, true}, {0, false}, {0, false}}, 0, 2},
		{"burst straddling the top of the hour gets one budget", time.Hour, 3,
			[]step{{0, true}, {0, true}, {0, true}, {2 * time.Millisecond, false}, {time.Second, false}, {30 * time.Minute, false}}, 2 * time.Millisecond, 3},
		{"a use leaves exactly one window after it", time.Minute, 1,
			[]step{{0, true}, {time.Minute - time.Millisecond, false}, {time.Minute, true}}, time.Minute, 1},
		{"refused attempts do not extend the wait", time.Minute, 1,
			[]step{{0, true}, {30 * time.Second, false}, {59 * time.Second, false}, {time.Minute, true}}, time.Minute, 1},
		{"uses free up one by one", time.Minute, 2,
			[]step{{0, true}, {20 * time.Second, true}, {40 * time.Second, false}, {61 * time.Second, true}, {62 * time.Second, false}, {81 * time.Second, true}}, 81 * time.Second, 2},
		{"zero budget allows nothing", time.Minute, 0, []step{{0, false}}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newStore(t)
			for i, s := range tt.steps {
				ok, err := st.Take(ctx(t), "k", tt.window, tt.max, now.Add(s.at))
				if err != nil {
					t.Fatalf("take %d: %v", i, err)
				}
				if ok != s.want {
					t.Fatalf("take %d at +%s = %v, want %v", i, s.at, ok, s.want)
				}
			}
			n, err := st.Used(ctx(t), "k", tt.window, now.Add(tt.used))
			if err != nil || n != tt.wantN {
				t.Fatalf("used at +%s = %d, %v; want %d", tt.used, n, err, tt.wantN)
			}
			if n, _ := st.Used(ctx(t), "other", tt.window, now); n != 0 {
				t.Fatalf("another key has %d uses", n)
			}
		})
	}

	t.Run("concurrent takes never overspend", func(t *testing.T) {
		st := newStore(t)
		if n := wins(t, 32, func() (bool, error) { return st.Take(ctx(t), "shared", time.Minute, 5, now) }); n != 5 {
			t.Fatalf("%d concurrent takes won, want exactly the budget of 5", n)
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
