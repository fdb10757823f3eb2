package flows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resetbot/resetbot/directory"
)

// ConfirmRequest asks for an approver's confirmation link: policy wants the
// helpdesk member who clicked Approve to prove it was them, with their own
// passkey, before the approval counts.
type ConfirmRequest struct {
	// Target is the flow awaiting approval.
	Target string
	// Approver is who clicked; Account is their directory account, as the
	// caller already resolved it to check helpdesk membership (nil: none).
	Approver ChatIdentity
	Account  *directory.User
	Grant    bool
}

// StartConfirmation checks the click against the target flow (it must be
// awaiting approval, and the approver neither its requester nor its
// target) and issues a KindApprove flow for the approver, whose completion
// decides the target. Refusals are the same errors Decide returns, so a
// self-approval is refused before any link exists.
func (e *Engine) StartConfirmation(ctx context.Context, req ConfirmRequest) (*Issued, error) {
	target, err := e.store.Get(ctx, req.Target)
	if err != nil {
		return nil, err
	}
	now := e.clock()
	switch {
	case target.Approval.Decided || target.State.Terminal():
		return nil, ErrAlreadyDecided
	case target.State != StateAwaitingApproval:
		return nil, &TransitionError{Op: "confirm approval", From: target.State}
	case !now.Before(target.ExpiresAt):
		return nil, ErrExpired
	}
	u := req.Account
	if u == nil {
		return nil, ErrApproverNotAllowed
	}
	if !e.mayApprove(target, Decision{Approver: req.Approver, ApproverAccountID: u.ID}) {
		return nil, ErrApproverNotAllowed
	}
	if why := e.cfg.Policy.refusal(u); why != "" {
		return nil, &RefusalError{Reason: why}
	}
	for attempt := 0; attempt < 8; attempt++ {
		prev, err := e.supersede(ctx, u.ID, KindApprove, req.Approver.String())
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return nil, err
		}
		is, err := e.createConfirmation(ctx, req, u, target, prev, e.clock())
		if errors.Is(err, ErrConflict) {
			continue
		}
		return is, err
	}
	return nil, fmt.Errorf("%w: confirm approval: too much contention", ErrConflict)
}

func (e *Engine) createConfirmation(ctx context.Context, req ConfirmRequest, u *directory.User, target *Flow, prev string, now time.Time) (*Issued, error) {
	// The confirmation cannot outlive the approval it confirms.
	f, secret, err := newFlow(KindApprove, u, req.Approver, now, minTime(now.Add(e.cfg.LinkTTL), target.ExpiresAt))
	if err != nil {
		return nil, err
	}
	f.RequestedBy, f.RequestedByAccountID = req.Approver, u.ID
	f.Approve = ApproveFields{Target: target.ID, TargetAccount: target.Subject.AccountName, TargetKind: target.Kind, Grant: req.Grant}
	f.Factor = target.Factor
	ev := e.event(f, happened{Type: EventRequested, Actor: req.Approver.String(), Outcome: "ok"}, now)
	ev.Reason = "approval of " + target.Subject.AccountName + " to be confirmed with a passkey"
	return e.issue(ctx, f, secret, prev, ev)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// approverStillAllowed reads the approver's account again when their
// passkey confirmation completes: helpdesk powers follow the directory at
// the moment the approval counts, not only at the click minutes earlier.
func (e *Engine) approverStillAllowed(ctx context.Context, f *Flow) error {
	u, err := e.dir.Find(ctx, directoryLookupByID(f.Subject.AccountID))
	if err != nil {
		return fmt.Errorf("flows: re-read approver: %w", err)
	}
	g := e.cfg.Policy.ApproverGroup
	switch {
	case u.Disabled:
		return &RefusalError{Reason: "approver account disabled"}
	case u.Locked:
		return &RefusalError{Reason: "approver account locked out"}
	case g != "" && !u.MemberOf(g):
		return &RefusalError{Reason: "approver no longer in the helpdesk group"}
	}
	return nil
}
