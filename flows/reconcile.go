package flows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/resetbot/resetbot/directory"
)

// changeTimeSkew is how much earlier than the applying event a directory
// change time may read and still count as this flow's write: the
// directory's clock and ours differ a little, and OpenLDAP stores whole
// seconds.
const changeTimeSkew = 5 * time.Second

// The reconciler's verdicts on a change it cannot show was made: the audit
// outcome of its recovery.failed event and the flow's Recovery.
const (
	// RecoveryNotApplied: the evidence shows the change was not made.
	RecoveryNotApplied = "not_applied"
	// RecoveryUnknown: there is no evidence to read (a directory that
	// cannot say when a password changed), so the change may have been
	// made or not.
	RecoveryUnknown = "unknown"
)

// verdict is what the reconciler concluded from the directory's evidence.
type verdict struct {
	// applied is true when the evidence shows the change was made.
	applied bool
	// outcome is, for a change not shown made, RecoveryNotApplied or
	// RecoveryUnknown.
	outcome string
	reason  string
}

// reconcile decides the outcome of a flow left in StateApplying past its
// ReconcileAt (or its expiry, for flows written before ReconcileAt
// existed): its process died during or after the directory write, or could
// not reach the store to record the outcome. The directory's own evidence
// decides, and the verdict is stored in one compare-and-swap step, so
// replicas racing on the same flow record it once. It returns whether this
// call recorded the verdict. A directory it cannot ask now leaves the flow
// for the next sweep.
func (e *Engine) reconcile(ctx context.Context, f *Flow) (bool, error) {
	v, err := e.evidence(ctx, f)
	if err != nil {
		return false, err
	}
	recorded := false
	_, err = e.mutate(ctx, f.ID, "", func(f *Flow, now time.Time) ([]Event, error) {
		recorded = false
		if f.State != StateApplying || now.Before(f.DueAt()) {
			return nil, nil // recorded meanwhile by its own process or another replica
		}
		recorded = true
		if v.applied {
			_ = move(f, "reconcile", StateCompleted)
			ev := e.event(f, happened{Type: EventRecoveredCompleted, Actor: "system", From: StateApplying, Outcome: "ok"}, now)
			ev.Reason = v.reason
			done := e.event(f, happened{Type: EventCompleted, Actor: "system", From: StateApplying, Outcome: "recovered"}, now)
			return []Event{ev, done}, nil
		}
		_ = move(f, "reconcile", StateFailed)
		f.Recovery = v.outcome
		ev := e.event(f, happened{Type: EventRecoveredFailed, Actor: "system", From: StateApplying, Outcome: v.outcome}, now)
		ev.Reason = v.reason
		return []Event{ev}, nil
	})
	return recorded && err == nil, err
}

// evidence reads what the directory (or, for an approval, the decided
// flow) says about the flow's final action.
func (e *Engine) evidence(ctx context.Context, f *Flow) (verdict, error) {
	since := f.ApplyingAt
	if since.IsZero() {
		since = f.IssuedAt // a flow stored before ApplyingAt existed
	}
	switch f.Kind {
	case KindEnroll:
		// The web app stores the factor before it calls Complete, and
		// apply writes nothing: a flow that reached StateApplying has its
		// factor.
		return verdict{applied: true, reason: "the factor was stored before the step was recorded"}, nil
	case KindApprove:
		t, err := e.store.Get(ctx, f.Approve.Target)
		if errors.Is(err, ErrNotFound) {
			return verdict{outcome: RecoveryNotApplied, reason: "the request being decided no longer exists"}, nil
		}
		if err != nil {
			return verdict{}, err
		}
		if t.Approval.Decided && t.Approval.By == f.Subject.Chat {
			return verdict{applied: true, reason: "the request shows this approver's decision"}, nil
		}
		return verdict{outcome: RecoveryNotApplied, reason: "the request shows no decision by this approver"}, nil
	case KindRevoke:
		// The credential store is the bot's: its revoke job retries an
		// interrupted removal and records it (BeginRevoke, RecordRevoke)
		// long before the approval expires. A flow still removing then
		// has no evidence here, and says what it was removing.
		return verdict{outcome: RecoveryUnknown, reason: "the removal of " +
			orNothing(strings.Join(f.Revoking, ", "), f.Factor) + " was interrupted and not recorded; check the account's sign-in methods"}, nil
	}
	u, err := e.dir.Find(ctx, directoryLookupByID(f.Subject.AccountID))
	if errors.Is(err, directory.ErrNotFound) {
		return verdict{outcome: RecoveryNotApplied, reason: "the account is no longer in the directory"}, nil
	}
	if err != nil {
		return verdict{}, fmt.Errorf("flows: reconcile %s: read account: %w", f.ID, err)
	}
	switch f.Kind {
	case KindUnlock:
		if !u.Locked {
			return verdict{applied: true, reason: "the directory shows the account unlocked"}, nil
		}
		return verdict{outcome: RecoveryNotApplied, reason: "the directory shows the account still locked"}, nil
	case KindReset, KindChange:
		pc, ok := e.dir.(directory.PasswordChangeReader)
		if !ok {
			return verdict{outcome: RecoveryUnknown, reason: "the directory cannot say when a password changed"}, nil
		}
		at, err := pc.PasswordChangedAt(ctx, u)
		if err != nil {
			return verdict{}, fmt.Errorf("flows: reconcile %s: read password change time: %w", f.ID, err)
		}
		if !at.IsZero() && !at.Before(since.Add(-changeTimeSkew)) {
			return verdict{applied: true, reason: "the directory shows the password changed at " +
				at.UTC().Format(time.RFC3339) + ", after the write began"}, nil
		}
		return verdict{outcome: RecoveryNotApplied, reason: "the directory shows no password change since the write began"}, nil
	}
	return verdict{}, fmt.Errorf("flows: reconcile %s: unknown kind %q", f.ID, f.Kind)
}
