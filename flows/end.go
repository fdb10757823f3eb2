package flows

import (
	"context"
	"errors"
	"time"
)

// Cancel ends a live flow at the request of its subject or the helpdesk. A
// flow whose directory write is in flight cannot be cancelled.
func (e *Engine) Cancel(ctx context.Context, flowID string, by ChatIdentity, reason string) (*Flow, error) {
	return e.mutate(ctx, flowID, "", func(f *Flow, now time.Time) ([]Event, error) {
		from := f.State
		if err := move(f, "cancel", StateCancelled); err != nil {
			return nil, err
		}
		ev := e.event(f, happened{Type: EventCancelled, Actor: by.String(), From: from, Outcome: "cancelled"}, now)
		ev.Reason = reason
		return []Event{ev}, nil
	})
}

// OutcomeNoFactor is the outcome of a flow withdrawn before its link was
// sent because the account has no factor that could verify it.
const OutcomeNoFactor = "no-factor"

// OutcomeUnavailable marks a refused-request event of a request that
// failed because the directory or Redis was down, not because of who asked.
const OutcomeUnavailable = "unavailable"

// Withdraw ends a live flow whose link was never sent because it could lead
// nowhere: the account has no usable factor (reason says which). The
// cancellation event's outcome is OutcomeNoFactor, so the helpdesk thread
// can say why and offer an enrollment link.
func (e *Engine) Withdraw(ctx context.Context, flowID, reason string) (*Flow, error) {
	return e.mutate(ctx, flowID, "", func(f *Flow, now time.Time) ([]Event, error) {
		from := f.State
		if err := move(f, "withdraw", StateCancelled); err != nil {
			return nil, err
		}
		ev := e.event(f, happened{Type: EventCancelled, Actor: "system", From: from, Outcome: OutcomeNoFactor}, now)
		ev.Reason = reason
		return []Event{ev}, nil
	})
}

// ExpireDue moves every flow past its lifetime to StateExpired with an audit
// event, and records the outcome of every flow orphaned in StateApplying
// from the directory's evidence (see reconcile). It returns how many flows
// it ended. Run it at start-up and periodically (the serve command does,
// every few seconds); the clock is the engine's, so tests advance it
// instead of sleeping. Several replicas may run it at once: each flow's
// ending is one compare-and-swap step, recorded once.
func (e *Engine) ExpireDue(ctx context.Context) (int, error) {
	now := e.clock()
	ids, err := e.store.Due(ctx, now, 256)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, id := range ids {
		ended, err := e.endDue(ctx, id)
		switch {
		case errors.Is(err, ErrNotFound), errors.Is(err, ErrUnknownState):
		case err != nil:
			// One flow whose directory cannot be asked now must not keep
			// the others from expiring.
			errs = append(errs, err)
		case ended:
			n++
		}
	}
	return n, errors.Join(errs...)
}

// endDue ends one due flow: reconciles it when it is orphaned in
// StateApplying, expires it when its lifetime is over.
func (e *Engine) endDue(ctx context.Context, id string) (bool, error) {
	f, err := e.load(ctx, id, "")
	if err != nil {
		return false, err
	}
	if f.State == StateApplying {
		if e.clock().Before(f.DueAt()) {
			return false, nil
		}
		return e.reconcile(ctx, f)
	}
	expired := false
	_, err = e.mutate(WithRead(ctx, f), id, "", func(f *Flow, now time.Time) ([]Event, error) {
		expired = false
		if f.State.Terminal() || f.State == StateApplying || now.Before(f.ExpiresAt) {
			return nil, nil
		}
		from := f.State
		if err := move(f, "expire", StateExpired); err != nil {
			return nil, err
		}
		expired = true
		return []Event{e.event(f, happened{Type: EventExpired, Actor: "system", From: from, Outcome: "expired"}, now)}, nil
	})
	return expired && err == nil, err
}
