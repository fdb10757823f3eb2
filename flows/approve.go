package flows

import (
	"context"
	"time"
)

// Decision is a helpdesk member's answer to an approval request. The bot core
// has already checked that the approver is in the helpdesk group; the engine
// checks what only it can: that the approver is neither the requester nor the
// target, by chat identity and by directory account.
type Decision struct {
	Approver          ChatIdentity
	ApproverAccountID string
	Grant             bool
	Reason            string
}

// Decide grants or denies a pending approval. Only the first decision
// counts: a second or late one gets ErrAlreadyDecided. A refused approver is
// audited (the helpdesk should see a self-approval attempt) and changes
// nothing.
func (e *Engine) Decide(ctx context.Context, flowID string, d Decision) (*Flow, error) {
	return e.mutate(ctx, flowID, "", func(f *Flow, now time.Time) ([]Event, error) {
		switch {
		case f.Approval.Decided || f.State.Terminal():
			return nil, ErrAlreadyDecided
		case f.State != StateAwaitingApproval:
			return nil, &TransitionError{Op: "decide", From: f.State}
		case !now.Before(f.ExpiresAt):
			return nil, ErrExpired
		}
		if !e.mayApprove(f, d) {
			ev := e.event(f, EventRefused, d.Approver.String(), "", "refused", now)
			ev.Reason = "approver is the requester or the target"
			if err := e.store.Append(ctx, f.Subject.AccountID, []Event{ev}); err != nil {
				return nil, err
			}
			return nil, ErrApproverNotAllowed
		}
		f.Approval.Decided, f.Approval.Granted = true, d.Grant
		f.Approval.By, f.Approval.ByAccountID, f.Approval.At, f.Approval.Reason = d.Approver, d.ApproverAccountID, now, d.Reason
		if d.Grant {
			_ = move(f, "approve", StateVerified)
			f.ExpiresAt = now.Add(e.cfg.FlowTTL)
			ev := e.event(f, EventApproved, d.Approver.String(), StateAwaitingApproval, "ok", now)
			ev.Reason = d.Reason
			return []Event{ev}, nil
		}
		_ = move(f, "deny", StateDenied)
		ev := e.event(f, EventDenied, d.Approver.String(), StateAwaitingApproval, "denied", now)
		ev.Reason = d.Reason
		return []Event{ev}, nil
	})
}

// mayApprove applies the separation rule. An approver without a known
// directory account is refused: the account comparison cannot be skipped.
func (e *Engine) mayApprove(f *Flow, d Decision) bool {
	if d.Approver.UserID == "" || d.ApproverAccountID == "" {
		return false
	}
	if d.Approver == f.RequestedBy || d.Approver == f.Subject.Chat {
		return false
	}
	if d.ApproverAccountID == f.Subject.AccountID || d.ApproverAccountID == f.RequestedByAccountID {
		return false
	}
	return true
}
