package flows

import (
	"context"
	"errors"
	"fmt"
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
			if err := e.refusedClick(ctx, f, d.Approver, d.Grant, "the requester and the target may not decide", now); err != nil {
				return nil, err
			}
			return nil, ErrApproverNotAllowed
		}
		f.Approval.Decided, f.Approval.Granted = true, d.Grant
		f.Approval.By, f.Approval.ByAccountID, f.Approval.At, f.Approval.Reason = d.Approver, d.ApproverAccountID, now, d.Reason
		if d.Grant {
			_ = move(f, "approve", StateVerified)
			f.ExpiresAt = now.Add(e.cfg.FlowTTL)
			ev := e.event(f, happened{Type: EventApproved, Actor: d.Approver.String(), From: StateAwaitingApproval, Outcome: "ok"}, now)
			ev.Reason = d.Reason
			return []Event{ev}, nil
		}
		_ = move(f, "deny", StateDenied)
		ev := e.event(f, happened{Type: EventDenied, Actor: d.Approver.String(), From: StateAwaitingApproval, Outcome: "denied"}, now)
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

// clickWindow is how long refused clicks by one user on one request are
// counted together, so the thread shows "the 3rd refused click".
const clickWindow = 24 * time.Hour

// RefusedClick audits an Approve or Deny click the bot core refused before
// the engine saw it (the clicker holds no helpdesk power: why says which
// rule failed). Every refused click is an audit event in the flow's thread,
// and the event says how many times this user was refused on this request,
// so a repeated attempt stands out. A click on a request that does not
// exist (a forged button) is audited without a flow.
func (e *Engine) RefusedClick(ctx context.Context, flowID string, by ChatIdentity, grant bool, why string) error {
	now := e.clock()
	f, err := e.store.Get(ctx, flowID)
	if errors.Is(err, ErrNotFound) {
		ev := Event{Time: now, Type: EventClickRefused, Kind: KindApprove, Actor: by.String(), Outcome: "refused",
			Reason: clickVerb(grant) + " on a request that does not exist: " + why}
		return e.store.Append(ctx, by.String(), []Event{ev})
	}
	if err != nil {
		return err
	}
	return e.refusedClick(ctx, f, by, grant, why, now)
}

// refusedClick appends the refused-click event for a known flow.
func (e *Engine) refusedClick(ctx context.Context, f *Flow, by ChatIdentity, grant bool, why string, now time.Time) error {
	who := ""
	switch by {
	case f.Subject.Chat:
		who = " by the target"
	case f.RequestedBy:
		who = " by the requester"
	}
	n, err := e.store.Hit(ctx, "click:"+f.ID+":"+by.String(), clickWindow, now)
	if err != nil {
		return err
	}
	ev := e.event(f, happened{Type: EventClickRefused, Actor: by.String(), Outcome: "refused"}, now)
	ev.To = ""
	ev.Reason = clickVerb(grant) + who + ": " + why
	if n > 1 {
		ev.Reason += fmt.Sprintf(" (refused click %d by this user on this request)", n)
	}
	return e.store.Append(ctx, f.Subject.AccountID, []Event{ev})
}

func clickVerb(grant bool) string {
	if grant {
		return "Approve"
	}
	return "Deny"
}
