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
	// NewPassword is the password to set (reset flows only). It goes to
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
func (e *Engine) Complete(ctx context.Context, flowID, binding string, c Completion) (*Flow, error) {
	if binding == "" {
		return nil, ErrBinding
	}
	f, err := e.mutate(ctx, flowID, binding, func(f *Flow, now time.Time) ([]Event, error) {
		if f.State != StateVerified {
			return nil, &TransitionError{Op: "complete", From: f.State, To: StateApplying}
		}
		if f.Kind == KindReset && c.NewPassword == "" {
			return nil, errors.New("flows: complete: empty password")
		}
		if !now.Before(f.ExpiresAt) {
			return nil, ErrExpired
		}
		_ = move(f, "complete", StateApplying)
		ev := e.event(f, EventApplying, f.Subject.Chat.String(), StateVerified, "ok", now)
		ev.SourceIP, ev.Device = c.Client.IP, c.Client.Device
		return []Event{ev}, nil
	})
	if err != nil {
		return f, err
	}
	outcome, applyErr := e.apply(ctx, f, c)
	return e.finish(ctx, flowID, outcome, applyErr, c)
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
		_, err := e.Decide(ctx, f.Target, Decision{
			Approver: f.Subject.Chat, ApproverAccountID: f.Subject.AccountID, Grant: f.Grant,
			Reason: "confirmed with the approver's passkey",
		})
		return EventCompleted, err
	}
	u, err := e.dir.Find(ctx, directoryLookupByID(f.Subject.AccountID))
	if err != nil {
		return "", fmt.Errorf("flows: re-read account: %w", err)
	}
	if why := e.cfg.Policy.refusal(u); why != "" {
		return "", &RefusalError{Reason: why}
	}
	if e.cfg.Policy.Privileged(u) && !f.Approval.Granted {
		return "", errNewlyPrivileged
	}
	switch f.Kind {
	case KindReset:
		return EventPasswordSet, e.dir.SetPassword(ctx, u, c.NewPassword)
	case KindUnlock:
		return EventUnlocked, e.dir.Unlock(ctx, u)
	}
	return "", fmt.Errorf("flows: unknown kind %q", f.Kind)
}

// finish stores the outcome of apply. If the flow moved on meanwhile (the
// sweeper expired it after the grace period), the outcome is still appended
// to the audit stream: a written password is never unrecorded.
func (e *Engine) finish(ctx context.Context, flowID string, success EventType, applyErr error, c Completion) (*Flow, error) {
	return e.mutate(ctx, flowID, "", func(f *Flow, now time.Time) ([]Event, error) {
		actor := f.Subject.Chat.String()
		var evs []Event
		result := applyErr
		switch {
		case applyErr == nil:
			if f.State == StateApplying {
				_ = move(f, "complete", StateCompleted)
			}
			ev := e.event(f, success, actor, StateApplying, "ok", now)
			ev.Method, ev.SourceIP, ev.Device = c.Enrolled, c.Client.IP, c.Client.Device
			evs = []Event{ev}
			if success != EventCompleted {
				evs = append(evs, e.event(f, EventCompleted, "system", StateApplying, "ok", now))
			}
		case errors.Is(applyErr, directory.ErrPasswordPolicy):
			f.Attempts.Password++
			next := StateVerified
			if f.Attempts.Password >= e.cfg.MaxPasswordAttempts {
				next = StateFailed
			}
			if f.State == StateApplying {
				_ = move(f, "complete", next)
			}
			ev := e.event(f, EventPasswordRefused, actor, StateApplying, "policy", now)
			ev.Reason = policyReason(applyErr)
			evs = []Event{ev}
			if f.State == StateFailed {
				evs = append(evs, e.event(f, EventFailed, "system", StateApplying, "attempts", now))
				result = fmt.Errorf("%w: %w", ErrTooManyAttempts, applyErr)
			}
		case errors.Is(applyErr, errNewlyPrivileged):
			evs, result = e.nowPrivileged(f, now)
		default:
			outcome, next := "error", StateVerified
			var ref *RefusalError
			if errors.As(applyErr, &ref) || f.Kind == KindApprove && !errors.Is(applyErr, ErrStoreUnavailable) {
				outcome, next = "refused", StateFailed
			}
			if f.State == StateApplying {
				_ = move(f, "complete", next)
			}
			ev := e.event(f, EventApplyFailed, "system", StateApplying, outcome, now)
			ev.Reason = applyReason(applyErr)
			evs = []Event{ev}
		}
		return evs, result
	})
}

// errNewlyPrivileged: the re-read found the account privileged, and the
// flow has no approval.
var errNewlyPrivileged = errors.New("flows: account became privileged since the request")

// nowPrivileged records that the account became privileged while its flow
// was open. Nothing was written; the flow now needs what a privileged flow
// needs from the start: a passkey and a helpdesk approval.
func (e *Engine) nowPrivileged(f *Flow, now time.Time) ([]Event, error) {
	f.Subject.Privileged, f.Approval.Required = true, true
	if f.State != StateApplying { // the sweeper ended it meanwhile
		ev := e.event(f, EventApplyFailed, "system", StateApplying, "refused", now)
		ev.Reason = "account became privileged since the request: nothing written"
		return []Event{ev}, fmt.Errorf("%w: %w", ErrExpired, errNewlyPrivileged)
	}
	if !f.HasVerified(MethodPasskey) {
		_ = move(f, "complete", StateFailed)
		ev := e.event(f, EventApplyFailed, "system", StateApplying, "refused", now)
		ev.Reason = "account became privileged since the request and was not verified with a passkey: nothing written; the user must start again"
		return []Event{ev}, fmt.Errorf("%w: %w", ErrFactorNotAllowed, errNewlyPrivileged)
	}
	_ = move(f, "complete", StateAwaitingApproval)
	f.ExpiresAt = now.Add(e.cfg.ApprovalTTL)
	ev := e.event(f, EventApprovalRequired, "system", StateApplying, "pending", now)
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
