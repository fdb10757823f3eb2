package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
)

// orphanAfter is past the default write and record deadlines plus margin:
// the time after which a flow still in StateApplying counts as orphaned.
const orphanAfter = 2 * time.Minute

// haltingDir stands for a process that dies during its directory write: the
// write happens (or not), then the call never returns until the test
// releases it, long after the reconciler decided. Its late outcome must
// then record nothing a second time.
type haltingDir struct {
	*memory.Directory
	written bool
	entered chan struct{}
	release chan struct{}
}

func newHaltingDir(d *memory.Directory, written bool) *haltingDir {
	return &haltingDir{Directory: d, written: written, entered: make(chan struct{}), release: make(chan struct{})}
}

func (d *haltingDir) halt(write func() error) error {
	var err error
	if d.written {
		err = write()
	} else {
		err = fmt.Errorf("halted before the write: %w", directory.ErrUnavailable)
	}
	close(d.entered)
	<-d.release
	return err
}

func (d *haltingDir) SetPassword(ctx context.Context, u *directory.User, pw string) error {
	return d.halt(func() error { return d.Directory.SetPassword(ctx, u, pw) })
}

func (d *haltingDir) Unlock(ctx context.Context, u *directory.User) error {
	return d.halt(func() error { return d.Directory.Unlock(ctx, u) })
}

// unreadableDir fails the account's re-read before the write, as a
// directory that went away between verification and the submit; a write
// that still came through is counted, and must not happen.
type unreadableDir struct {
	*memory.Directory
	writes atomic.Int32
}

func (d *unreadableDir) Find(context.Context, directory.Lookup) (*directory.User, error) {
	return nil, fmt.Errorf("connection reset: %w", directory.ErrUnavailable)
}

func (d *unreadableDir) SetPassword(ctx context.Context, u *directory.User, pw string) error {
	d.writes.Add(1)
	return d.Directory.SetPassword(ctx, u, pw)
}

// plainDir hides every optional capability of the directory it wraps, like
// a backend that cannot report password change times.
type plainDir struct{ directory.Directory }

// afterWrite runs a hook once the directory accepted a write: the moment a
// closed browser tab or a failing Redis hurts most.
type afterWrite struct {
	*memory.Directory
	hook func()
}

func (d *afterWrite) SetPassword(ctx context.Context, u *directory.User, pw string) error {
	err := d.Directory.SetPassword(ctx, u, pw)
	d.hook()
	return err
}

// failingStore fails the next n updates as an unreachable Redis would.
type failingStore struct {
	flows.Store
	n atomic.Int32
}

func (s *failingStore) Update(ctx context.Context, f *flows.Flow, events []flows.Event) error {
	if s.n.Add(-1) >= 0 {
		return fmt.Errorf("%w: injected outage", flows.ErrStoreUnavailable)
	}
	return s.Store.Update(ctx, f, events)
}

// UpdateSpending fails as Update does: the budgets it carries are spent
// with a write, so an unreachable Redis takes them too.
func (s *failingStore) UpdateSpending(ctx context.Context, f *flows.Flow, events []flows.Event, budgets []flows.Budget, now time.Time) (error, error) {
	if s.n.Add(-1) >= 0 {
		err := fmt.Errorf("%w: injected outage", flows.ErrStoreUnavailable)
		return err, err
	}
	return s.Store.UpdateSpending(ctx, f, events, budgets, now)
}

func lockOut(t *testing.T, d directory.Directory, account string) {
	t.Helper()
	u, err := d.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: account})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		_ = d.VerifyPassword(ctx(t), u, "wrong-password")
	}
}

func runRecovery(t *testing.T, newStore NewStore) {
	t.Run("RequestCancelledAfterWriteStillRecorded", func(t *testing.T) {
		r := newRig(t, newStore)
		reqCtx, closeTab := context.WithCancel(ctx(t))
		defer closeTab()
		eng := r.engine(r.st, &afterWrite{Directory: r.dir, hook: closeTab})
		f, binding := r.verified(t, flows.KindReset, "U0PWUSER")
		got, err := eng.Complete(reqCtx, f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"})
		if err != nil {
			t.Fatalf("Complete with the tab closed after the write: %v", err)
		}
		if got.State != flows.StateCompleted {
			t.Fatalf("state = %q, want completed", got.State)
		}
		stored, _ := r.eng.Get(ctx(t), f.ID)
		if stored.State != flows.StateCompleted {
			t.Fatalf("stored state = %q, want completed", stored.State)
		}
		want := []flows.EventType{flows.EventRequested, flows.EventLinkRedeemed, flows.EventVerified,
			flows.EventApplying, flows.EventPasswordSet, flows.EventCompleted}
		if got := types(drain(t, r.st, "audit")); !reflect.DeepEqual(got, want) {
			t.Fatalf("audit trail = %v\nwant %v", got, want)
		}
	})

	t.Run("ReReadFailureIsNoWrite", func(t *testing.T) {
		// The account cannot be read again before the write: nothing is
		// written, the flow may be retried, and the record says the
		// account was not read (OutcomeNotRead), not that a write failed.
		r := newRig(t, newStore)
		dir := &unreadableDir{Directory: r.dir}
		eng := r.engine(r.st, dir)
		f, binding := r.verified(t, flows.KindReset, "U0PWUSER")
		_, err := eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"})
		if !errors.Is(err, directory.ErrUnavailable) {
			t.Fatalf("Complete with the account unreadable: %v, want ErrUnavailable", err)
		}
		if n := dir.writes.Load(); n != 0 {
			t.Fatalf("%d directory writes, want none", n)
		}
		if stored, _ := r.eng.Get(ctx(t), f.ID); stored.State != flows.StateVerified {
			t.Errorf("state = %q, want verified (to be retried)", stored.State)
		}
		evs := drain(t, r.st, "audit")
		last := evs[len(evs)-1]
		if last.Type != flows.EventApplyFailed || last.Outcome != flows.OutcomeNotRead || last.Reason != "directory unavailable" {
			t.Errorf("last event = %s %q %q, want %s %q \"directory unavailable\"", last.Type, last.Outcome, last.Reason, flows.EventApplyFailed, flows.OutcomeNotRead)
		}
	})
	t.Run("RecordRetriedWhileStoreUnavailable", func(t *testing.T) {
		r := newRig(t, newStore)
		fs := &failingStore{Store: r.st}
		eng := r.engine(fs, &afterWrite{Directory: r.dir, hook: func() { fs.n.Store(3) }})
		f, binding := r.verified(t, flows.KindReset, "U0PWUSER")
		got, err := eng.Complete(ctx(t), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"})
		if err != nil || got.State != flows.StateCompleted {
			t.Fatalf("Complete after a short store outage = %v, %v; want completed", got, err)
		}
		if got := types(drain(t, r.st, "audit")); !reflect.DeepEqual(got[len(got)-2:], []flows.EventType{flows.EventPasswordSet, flows.EventCompleted}) {
			t.Fatalf("audit trail = %v, want it to end with the recorded outcome", got)
		}
	})

	cases := []struct {
		name    string
		kind    flows.Kind
		chat    string
		written bool
		// hide the directory's password change times
		plain       bool
		wantState   flows.State
		wantEvents  []flows.EventType
		wantOutcome string
	}{
		{name: "PasswordWrittenThenProcessDied", kind: flows.KindReset, chat: "U0PWUSER", written: true,
			wantState: flows.StateCompleted, wantOutcome: "ok",
			wantEvents: []flows.EventType{flows.EventRecoveredCompleted, flows.EventCompleted}},
		{name: "ChangeWrittenThenProcessDied", kind: flows.KindChange, chat: "U0PWUSER", written: true,
			wantState: flows.StateCompleted, wantOutcome: "ok",
			wantEvents: []flows.EventType{flows.EventRecoveredCompleted, flows.EventCompleted}},
		{name: "ProcessDiedBeforePasswordWrite", kind: flows.KindReset, chat: "U0PWUSER",
			wantState: flows.StateFailed, wantOutcome: "not_applied",
			wantEvents: []flows.EventType{flows.EventRecoveredFailed}},
		{name: "DirectoryWithoutChangeTimes", kind: flows.KindReset, chat: "U0PWUSER", written: true, plain: true,
			wantState: flows.StateFailed, wantOutcome: "unknown",
			wantEvents: []flows.EventType{flows.EventRecoveredFailed}},
		{name: "UnlockWrittenThenProcessDied", kind: flows.KindUnlock, chat: "U0LOCKME", written: true,
			wantState: flows.StateCompleted, wantOutcome: "ok",
			wantEvents: []flows.EventType{flows.EventRecoveredCompleted, flows.EventCompleted}},
		{name: "ProcessDiedBeforeUnlock", kind: flows.KindUnlock, chat: "U0LOCKME",
			wantState: flows.StateFailed, wantOutcome: "not_applied",
			wantEvents: []flows.EventType{flows.EventRecoveredFailed}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, newStore)
			if tc.kind == flows.KindUnlock {
				lockOut(t, r.dir, "lockme")
			}
			// A change made before this flow must not count as its write.
			r.clock.Advance(time.Minute)
			hd := newHaltingDir(r.dir, tc.written)
			var dir directory.Directory = hd
			if tc.plain {
				dir = plainDir{hd}
			}
			eng := r.engine(r.st, dir)
			f, binding := r.verified(t, tc.kind, tc.chat)
			type result struct {
				f   *flows.Flow
				err error
			}
			done := make(chan result, 1)
			go func() {
				nf, err := eng.Complete(context.Background(), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"})
				done <- result{nf, err}
			}()
			<-hd.entered
			before := len(drain(t, r.st, "audit"))

			if n, err := eng.ExpireDue(ctx(t)); err != nil || n != 0 {
				t.Fatalf("sweep while the write may still run: %d ended, %v; want it left alone", n, err)
			}
			if cur, _ := r.eng.Get(ctx(t), f.ID); cur.State != flows.StateApplying {
				t.Fatalf("state before the reconcile time = %q, want applying", cur.State)
			}

			r.clock.Advance(orphanAfter)
			if n, err := eng.ExpireDue(ctx(t)); err != nil || n != 1 {
				t.Fatalf("sweep after the reconcile time: %d ended, %v; want 1", n, err)
			}
			cur, _ := r.eng.Get(ctx(t), f.ID)
			if cur.State != tc.wantState {
				t.Fatalf("state after reconcile = %q, want %q", cur.State, tc.wantState)
			}
			wantRecovery := ""
			if tc.wantState == flows.StateFailed {
				wantRecovery = tc.wantOutcome
			}
			if cur.Recovery != wantRecovery {
				t.Errorf("flow's recovery verdict = %q, want %q", cur.Recovery, wantRecovery)
			}
			evs := drain(t, r.st, "audit")
			if got := types(evs); !reflect.DeepEqual(got, tc.wantEvents) {
				t.Fatalf("reconciler events = %v, want %v", got, tc.wantEvents)
			}
			if evs[0].Outcome != tc.wantOutcome || evs[0].Reason == "" || evs[0].Actor != "system" {
				t.Errorf("verdict event = %+v, want outcome %q with a reason, by system", evs[0], tc.wantOutcome)
			}

			// The halted process comes back late: its outcome is not
			// recorded a second time, and nothing disagrees.
			close(hd.release)
			res := <-done
			if res.f == nil || res.f.State != tc.wantState {
				t.Fatalf("late Complete = %+v, %v; want the reconciled state %q", res.f, res.err, tc.wantState)
			}
			if late := drain(t, r.st, "audit"); len(late) != 0 {
				t.Fatalf("late outcome recorded again: %v (after %d earlier events)", types(late), before)
			}
			if n, err := eng.ExpireDue(ctx(t)); err != nil || n != 0 {
				t.Fatalf("second sweep: %d ended, %v; want nothing", n, err)
			}
		})
	}

	t.Run("ReplicasRecordOneVerdict", func(t *testing.T) {
		r := newRig(t, newStore)
		hd := newHaltingDir(r.dir, true)
		eng := r.engine(r.st, hd)
		f, binding := r.verified(t, flows.KindReset, "U0PWUSER")
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = eng.Complete(context.Background(), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"})
		}()
		<-hd.entered
		r.clock.Advance(orphanAfter)
		var wg sync.WaitGroup
		var ended atomic.Int32
		for i := 0; i < 4; i++ {
			replica := r.engine(r.st, r.dir)
			wg.Go(func() {
				n, err := replica.ExpireDue(ctx(t))
				if err != nil && !errors.Is(err, flows.ErrConflict) {
					t.Errorf("replica sweep: %v", err)
				}
				ended.Add(int32(n))
			})
		}
		wg.Wait()
		close(hd.release)
		<-done
		if ended.Load() != 1 {
			t.Errorf("%d replicas report recording the verdict, want 1", ended.Load())
		}
		verdicts := 0
		for _, ev := range drain(t, r.st, "audit") {
			if ev.Type == flows.EventRecoveredCompleted || ev.Type == flows.EventRecoveredFailed || ev.Type == flows.EventPasswordSet {
				verdicts++
			}
		}
		if verdicts != 1 {
			t.Errorf("%d outcome events, want exactly 1", verdicts)
		}
	})
}
