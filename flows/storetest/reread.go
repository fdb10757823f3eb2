package storetest

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/resetbot/resetbot/flows"
)

// countingGets counts the flow reads that reach the store under test.
type countingGets struct {
	flows.Store
	gets atomic.Int32
}

func (s *countingGets) Get(ctx context.Context, id string) (*flows.Flow, error) {
	s.gets.Add(1)
	return s.Store.Get(ctx, id)
}

// runReread checks flows.WithRead: a step starts from the flow its request
// already read, and the compare-and-swap still catches every change made
// since that read.
func runReread(t *testing.T, newStore NewStore) {
	t.Run("StepReadsNoMore", func(t *testing.T) {
		r := newRig(t, newStore)
		counted := &countingGets{Store: r.st}
		eng := r.engine(counted, r.dir)
		f, binding := r.verified(t, flows.KindReset, "U0PWUSER")
		read, err := eng.Authorize(ctx(t), f.ID, binding)
		if err != nil {
			t.Fatal(err)
		}
		counted.gets.Store(0)
		done, err := eng.Complete(flows.WithRead(ctx(t), read), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"})
		if err != nil || done.State != flows.StateCompleted {
			t.Fatalf("Complete from the request's read: %v, %v", done, err)
		}
		// The applying step starts from the request's read, the outcome's
		// step from what the applying step stored.
		if n := counted.gets.Load(); n != 0 {
			t.Errorf("Complete read the flow %d times after the request's own read, want 0", n)
		}
		if read.State != flows.StateVerified {
			t.Errorf("the request's own copy changed to %q: a step must work on a copy", read.State)
		}
	})

	t.Run("ChangeSinceTheReadConflicts", func(t *testing.T) {
		r := newRig(t, newStore)
		f, binding := r.verified(t, flows.KindReset, "U0PWUSER")
		read, err := r.eng.Authorize(ctx(t), f.ID, binding)
		if err != nil {
			t.Fatal(err)
		}
		// The bot records the thread after the page's read: the stale
		// read must not write over it.
		if err := r.eng.SetThread(ctx(t), f.ID, "C1/171.1"); err != nil {
			t.Fatal(err)
		}
		done, err := r.eng.Complete(flows.WithRead(ctx(t), read), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"})
		if err != nil || done.State != flows.StateCompleted {
			t.Fatalf("Complete after a change since the read: %v, %v", done, err)
		}
		stored, err := r.eng.Get(ctx(t), f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Thread != "C1/171.1" || stored.State != flows.StateCompleted {
			t.Fatalf("stored flow: thread %q, state %q; want the thread kept and the flow completed", stored.Thread, stored.State)
		}
	})

	t.Run("TwoTabsOneSubmit", func(t *testing.T) {
		r := newRig(t, newStore)
		f, binding := r.verified(t, flows.KindReset, "U0PWUSER")
		read, err := r.eng.Authorize(ctx(t), f.ID, binding)
		if err != nil {
			t.Fatal(err)
		}
		var refused atomic.Int32
		won := wins(t, 8, func() (bool, error) {
			_, err := r.eng.Complete(flows.WithRead(ctx(t), read), f.ID, binding, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"})
			var te *flows.TransitionError
			if errors.As(err, &te) {
				refused.Add(1)
				return false, nil
			}
			return err == nil, err
		})
		if won != 1 || refused.Load() != 7 {
			t.Fatalf("%d submits from the same read won and %d were refused, want 1 and 7", won, refused.Load())
		}
	})

	t.Run("LinkSentFromTheStartedFlow", func(t *testing.T) {
		r := newRig(t, newStore)
		counted := &countingGets{Store: r.st}
		eng := r.engine(counted, r.dir)
		is := r.mustStart(t, flows.KindReset, "U0PWUSER")
		if err := eng.LinkSent(ctx(t), is.Flow, "dm"); err != nil {
			t.Fatal(err)
		}
		if n := counted.gets.Load(); n != 0 {
			t.Errorf("LinkSent read the flow %d times after Start returned it, want 0", n)
		}
		// A second delivery from the same, now stale, flow conflicts,
		// reads again and records nothing more; a thread set in between
		// is kept.
		if err := r.eng.SetThread(ctx(t), is.Flow.ID, "C1/171.2"); err != nil {
			t.Fatal(err)
		}
		if err := eng.LinkSent(ctx(t), is.Flow, "dm"); err != nil {
			t.Fatal(err)
		}
		stored, err := r.eng.Get(ctx(t), is.Flow.ID)
		if err != nil || stored.LinkSentAt.IsZero() || stored.Thread != "C1/171.2" {
			t.Fatalf("stored flow %+v, %v: want the link sent and the thread kept", stored, err)
		}
		var sent int
		for _, ev := range drain(t, r.st, "audit") {
			if ev.Type == flows.EventLinkSent {
				sent++
			}
		}
		if sent != 1 {
			t.Fatalf("%d link.sent events, want 1", sent)
		}
	})

	t.Run("ReadOfAnotherFlowIgnored", func(t *testing.T) {
		r := newRig(t, newStore)
		a, ab := r.verified(t, flows.KindReset, "U0PWUSER")
		b, _ := r.verified(t, flows.KindReset, "U0JDOE")
		other, err := r.eng.Get(ctx(t), b.ID)
		if err != nil {
			t.Fatal(err)
		}
		done, err := r.eng.Complete(flows.WithRead(ctx(t), other), a.ID, ab, flows.Completion{NewPassword: "Fresh-Horse-Battery-42"})
		if err != nil || done.ID != a.ID || done.State != flows.StateCompleted {
			t.Fatalf("Complete of one flow carrying another's read: %v, %v", done, err)
		}
	})
}
