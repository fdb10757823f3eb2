package flows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resetbot/resetbot/directory"
)

// Completion is the final action of a flow.
type Completion struct {
	// NewPassword is the password to set (reset and change flows only). It goes to
	// the directory and nowhere else.
	NewPassword string
	// Enrolled names the factor the web app stored (enroll flows only).
	Enrolled string
	Client   Client
}

// Complete runs the flow's final action. It is reachable only from
// StateVerified, so nothing is written to the directory before verification
// (and approval, where required) finished in this very flow.
//
// The steps follow the outbox rule: first the flow moves to StateApplying
// with an audit event, then the directory is written, then the outcome is
// stored. A directory refusal of the password returns the flow to
// StateVerified so the user can try another password, until the attempt
// limit. Before writing, the account is read again by its immutable id and
// the whole policy is evaluated again: an account disabled or made
// break-glass since the start is refused; one made privileged since the
// start is never written without an approval. If it was verified with a
// passkey, the flow goes back to waiting for a helpdesk approval
// (ErrApprovalRequired, with the flow); otherwise it fails with
// ErrFactorNotAllowed, since a privileged account needs its own passkey.
//
// Only the first step runs on ctx. Once the flow is in StateApplying the
// directory may change, so the write and the recording of its outcome run
// detached from ctx (a closed tab, a client timeout) under their own
// deadlines, WriteTimeout and RecordTimeout; the recording is retried while
// the store is unavailable. Should the process die or the store stay away
// longer, the reconciler records the outcome from the directory's evidence.
func (e *Engine) Complete(ctx context.Context, flowID, binding string, c Completion) (*Flow, error) {
	if binding == "" {
		return nil, ErrBinding
	}
	f, err := e.mutate(ctx, flowID, binding, func(f *Flow, now time.Time) ([]Event, error) {
		if f.State != StateVerified || f.Kind == KindVerify { // a caller verification ends by ConfirmVerify only
			return nil, &TransitionError{Op: "complete", From: f.State, To: StateApplying}
		}
		if f.Kind.SetsPassword() && c.NewPassword == "" {
			return nil, errors.New("flows: complete: empty password")
		}
		if !now.Before(f.ExpiresAt) {
			return nil, ErrExpired
		}
		_ = move(f, "complete", StateApplying)
		f.ApplyingAt = now
		f.ReconcileAt = now.Add(e.cfg.WriteTimeout + e.cfg.RecordTimeout + min(reconcileMargin, e.cfg.WriteTimeout/2))
		ev := e.event(f, happened{Type: EventApplying, Actor: f.Subject.Chat.String(), From: StateVerified, Outcome: "ok"}, now)
		ev.SourceIP, ev.Device = c.Client.IP, c.Client.Device
		return []Event{ev}, nil
	})
	if err != nil {
		return f, err
	}
	// The outcome's step starts from the flow just stored: no read
	// between the write and its record (a change since still conflicts).
	detached := context.WithoutCancel(WithRead(ctx, f))
	wctx, cancel := context.WithTimeout(detached, e.cfg.WriteTimeout)
	outcome, applyErr := e.apply(wctx, f, c)
	cancel()
	return e.record(detached, flowID, outcome, applyErr, c)
}

// reconcileMargin (at most, or half the write timeout when that is
// shorter) is added to the write and record deadlines before a flow in
// StateApplying counts as orphaned: a directory may finish a write a little
// after the client stopped waiting for it, and replicas' clocks differ by a
// little.
const reconcileMargin = 15 * time.Second

// record stores the outcome of apply, retrying with backoff while the store
// is unavailable, for at most RecordTimeout. ctx carries values only; it is
// never cancelled by the caller.
func (e *Engine) record(ctx context.Context, flowID string, success EventType, applyErr error, c Completion) (*Flow, error) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.RecordTimeout)
	defer cancel()
	wait := 50 * time.Millisecond
	for attempt := 1; ; attempt++ {
		f, err := e.finish(ctx, flowID, success, applyErr, c)
		// finish returns no flow exactly when the store failed: a flow with
		// an error is a stored outcome that carries the write's own error.
		if f != nil || err == nil || errors.Is(err, ErrNotFound) {
			return f, err
		}
		e.log.Warn("flows: recording the outcome of a directory write failed; retrying",
			"flow", flowID, "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			e.log.Error("flows: outcome of a directory write not recorded; the reconciler will record it from the directory",
				"flow", flowID, "attempts", attempt, "err", err)
			return nil, fmt.Errorf("%w: %w", ErrOutcomePending, err)
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// apply performs the directory side effect and returns the event type that
// describes success.
func (e *Engine) apply(ctx context.Context, f *Flow, c Completion) (EventType, error) {
	switch f.Kind {
	case KindEnroll:
		return EventEnrolled, nil
	case KindApprove:
		if err := e.approverStillAllowed(ctx, f); err != nil {
			return "", err
		}
		_, err := e.Decide(ctx, f.Approve.Target, Decision{
			Approver: f.Subject.Chat, ApproverAccountID: f.Subject.AccountID, Grant: f.Approve.Grant,
			Reason: "confirmed with the approver's passkey",
		})
		return EventCompleted, err
	}
	u, err := e.dir.Find(ctx, directoryLookupByID(f.Subject.AccountID))
	if err != nil {
		return "", fmt.Errorf("flows: %w: %w", errNotRead, err)
	}
	if why := e.cfg.Policy.refusal(u); why != "" {
		return "", &RefusalError{Reason: why}
	}
	if e.cfg.Policy.Privileged(u) && !f.Approval.Granted {
		return "", errNewlyPrivileged
	}
	switch f.Kind {
	case KindReset, KindChange:
		return EventPasswordSet, e.dir.SetPassword(ctx, u, c.NewPassword)
	case KindUnlock:
		return EventUnlocked, e.dir.Unlock(ctx, u)
	}
	return "", fmt.Errorf("flows: unknown kind %q", f.Kind)
}

// finish stores the outcome of apply. If the flow left StateApplying
// meanwhile, the reconciler already recorded the outcome from the
// directory's evidence, and nothing is recorded twice.
//
// A completed flow's record also remembers the browser and country it was
// verified from (seenBudgets), in the same round trip.
func (e *Engine) finish(ctx context.Context, flowID string, success EventType, applyErr error, c Completion) (*Flow, error) {
	return e.mutateSpending(ctx, flowID, "", func(f *Flow, now time.Time) ([]Event, error) {
		if f.State != StateApplying {
			e.log.Info("flows: outcome of a directory write arrived after the reconciler recorded one",
				"flow", f.ID, "state", f.State, "success", applyErr == nil)
			return nil, applyErr
		}
		actor := f.Subject.Chat.String()
		var evs []Event
		result := applyErr
		switch {
		case applyErr == nil:
			_ = move(f, "complete", StateCompleted)
			ev := e.event(f, happened{Type: success, Actor: actor, From: StateApplying, Outcome: "ok"}, now)
			ev.Method, ev.SourceIP, ev.Device = c.Enrolled, c.Client.IP, c.Client.Device
			evs = []Event{ev}
			if success != EventCompleted {
				evs = append(evs, e.event(f, happened{Type: EventCompleted, Actor: "system", From: StateApplying, Outcome: "ok"}, now))
			}
		case errors.Is(applyErr, directory.ErrPasswordPolicy):
			f.Attempts.Password++
			next := StateVerified
			if f.Attempts.Password >= e.cfg.MaxPasswordAttempts {
				next = StateFailed
			}
			_ = move(f, "complete", next)
			ev := e.event(f, happened{Type: EventPasswordRefused, Actor: actor, From: StateApplying, Outcome: "policy"}, now)
			ev.Reason = policyReason(applyErr)
			evs = []Event{ev}
			if f.State == StateFailed {
				evs = append(evs, e.event(f, happened{Type: EventFailed, Actor: "system", From: StateApplying, Outcome: "attempts"}, now))
				result = fmt.Errorf("%w: %w", ErrTooManyAttempts, applyErr)
			}
		case errors.Is(applyErr, errNewlyPrivileged):
			evs, result = e.nowPrivileged(f, now)
		default:
			outcome, next := "error", StateVerified
			var ref *RefusalError
			if errors.As(applyErr, &ref) || f.Kind == KindApprove && !errors.Is(applyErr, ErrStoreUnavailable) {
				outcome, next = OutcomeRefused, StateFailed
			}
			if errors.Is(applyErr, errNotRead) {
				outcome = OutcomeNotRead
			}
			_ = move(f, "complete", next)
			ev := e.event(f, happened{Type: EventApplyFailed, Actor: "system", From: StateApplying, Outcome: outcome}, now)
			ev.Reason = applyReason(applyErr)
			evs = []Event{ev}
		}
		return evs, result
	}, func(f *Flow) []Budget {
		if f.State != StateCompleted {
			return nil
		}
		return e.seenBudgets(f)
	})
}

// errNotRead: the account could not be read again before the write (the
// directory unreachable, the account gone), so nothing was written.
var errNotRead = errors.New("re-read of the account before the write failed; nothing written")

// OutcomeNotRead is the outcome of a "change failed" event whose failure
// came before the write: the account could not be read again, nothing was
// written. The helpdesk thread words it so, not as a failed write.
const OutcomeNotRead = "not-read"

// OutcomeRefused is the outcome of a "change failed" event whose account
// the re-read found no longer eligible (disabled, newly privileged without
// what a privileged flow needs), or whose approval could not be recorded:
// nothing was written, and the thread says so.
const OutcomeRefused = "refused"

// errNewlyPrivileged: the re-read found the account privileged, and the
// flow has no approval.
var errNewlyPrivileged = errors.New("flows: account became privileged since the request")

// nowPrivileged records that the account became privileged while its flow
// was open. Nothing was written; the flow now needs what a privileged flow
// needs from the start: a passkey and a helpdesk approval.
func (e *Engine) nowPrivileged(f *Flow, now time.Time) ([]Event, error) {
	f.Subject.Privileged, f.Approval.Required = true, true
	if f.State != StateApplying { // the sweeper ended it meanwhile
		ev := e.event(f, happened{Type: EventApplyFailed, Actor: "system", From: StateApplying, Outcome: OutcomeRefused}, now)
		ev.Reason = "account became privileged since the request: nothing written"
		return []Event{ev}, fmt.Errorf("%w: %w", ErrExpired, errNewlyPrivileged)
	}
	if !f.HasVerified(MethodPasskey) {
		_ = move(f, "complete", StateFailed)
		ev := e.event(f, happened{Type: EventApplyFailed, Actor: "system", From: StateApplying, Outcome: OutcomeRefused}, now)
		ev.Reason = "account became privileged since the request and was not verified with a passkey: nothing written; the user must start again"
		return []Event{ev}, fmt.Errorf("%w: %w", ErrFactorNotAllowed, errNewlyPrivileged)
	}
	_ = move(f, "complete", StateAwaitingApproval)
	f.ExpiresAt = now.Add(e.cfg.ApprovalTTL)
	ev := e.event(f, happened{Type: EventApprovalRequired, Actor: "system", From: StateApplying, Outcome: "pending"}, now)
	ev.Reason = "account became privileged since the request: nothing written until a helpdesk member approves"
	return []Event{ev}, ErrApprovalRequired
}

// policyReason extracts the directory's words for a refused password.
func policyReason(err error) string {
	var pe *directory.PolicyError
	if errors.As(err, &pe) {
		return pe.Reason
	}
	return "the directory refused the password"
}

// applyReason describes a failed directory write for the audit trail
// without leaking internals into chat: the sentinel's meaning, not the text.
func applyReason(err error) string {
	var ref *RefusalError
	switch {
	case errors.As(err, &ref):
		return "account is no longer eligible: " + ref.Reason
	case errors.Is(err, directory.ErrUnavailable):
		return "directory unavailable"
	case errors.Is(err, directory.ErrPermission):
		return "service account lacks permission"
	case errors.Is(err, directory.ErrNotFound):
		return "account no longer found"
	case errors.Is(err, ErrAlreadyDecided), errors.Is(err, ErrExpired):
		return "the request was already decided or has expired"
	case errors.Is(err, ErrApproverNotAllowed):
		return "approver is the requester or the target"
	}
	return "directory error"
}

func directoryLookupByID(id string) directory.Lookup {
	return directory.Lookup{Kind: directory.ByID, Value: id}
}
