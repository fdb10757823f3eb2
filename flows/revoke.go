package flows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/resetbot/resetbot/directory"
)

// KindRevoke is a helpdesk member's request to remove a privileged
// account's sign-in factors ("/reset revoke" for a lost phone). Removing
// a privileged account's passkey opens the way to re-enrolling it, so,
// like a privileged reset, it waits for a second helpdesk member's
// approval (Decide, or StartConfirmation when policy wants the approver's
// passkey). The subject is the target; Factor names what is to go.
const KindRevoke Kind = "revoke"

// RevokeAll is the Factor of a revocation of every passkey and the
// authenticator app ("/reset revoke @user all"); the web app words it for
// the approver.
const RevokeAll = "all"

// RevokeRequest asks for an approval to remove Account's factors.
type RevokeRequest struct {
	// Account is the target, as the caller resolved it from Chat.
	Account *directory.User
	Chat    ChatIdentity
	// RequestedBy and RequestedByAccountID are the helpdesk member asking:
	// neither may approve, and neither may the target.
	RequestedBy          ChatIdentity
	RequestedByAccountID string
	// Factor is the passkey's name or "all".
	Factor string
	// Locale is the target's, for the notice they get once it is done.
	Locale Locale
}

// RequestRevoke stores a KindRevoke flow awaiting approval (one live per
// account: a newer request replaces an older one) and audits it. Nothing
// is removed until a second helpdesk member approves.
func (e *Engine) RequestRevoke(ctx context.Context, req RevokeRequest) (*Flow, error) {
	u := req.Account
	if u == nil || req.RequestedByAccountID == "" || strings.TrimSpace(req.Factor) == "" {
		return nil, errors.New("flows: revoke request needs the account, the requester's account and a factor")
	}
	if req.RequestedByAccountID == u.ID || req.RequestedBy == req.Chat {
		return nil, ErrApproverNotAllowed
	}
	for attempt := 0; attempt < 8; attempt++ {
		prev, err := e.supersede(ctx, u.ID, KindRevoke, req.RequestedBy.String())
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return nil, err
		}
		f, err := e.createRevoke(ctx, req, prev, e.clock())
		if errors.Is(err, ErrConflict) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("%w: revoke: too much contention", ErrConflict)
}

func (e *Engine) createRevoke(ctx context.Context, req RevokeRequest, prev string, now time.Time) (*Flow, error) {
	u := req.Account
	id, err := NewFlowID(u.ID)
	if err != nil {
		return nil, err
	}
	f := &Flow{
		ID:   id,
		Kind: KindRevoke,
		Subject: Subject{
			AccountID: u.ID, AccountName: u.AccountName, DisplayName: u.DisplayName, Department: u.Department,
			Chat: req.Chat, Privileged: e.cfg.Policy.Privileged(u),
		},
		RequestedBy:          req.RequestedBy,
		RequestedByAccountID: req.RequestedByAccountID,
		State:                StateAwaitingApproval,
		IssuedAt:             now,
		ExpiresAt:            now.Add(e.cfg.ApprovalTTL),
		Approval:             Approval{Required: true},
		Factor:               req.Factor,
		Locale:               req.Locale,
	}
	ev := e.event(f, happened{Type: EventRequested, Actor: req.RequestedBy.String(), Outcome: "ok"}, now)
	ev.Reason = "remove " + req.Factor + " from " + req.Chat.String() + ": a second helpdesk member's approval required"
	pending := e.event(f, happened{Type: EventApprovalRequired, Actor: "system", From: StateAwaitingApproval, Outcome: "pending"}, now)
	if err := e.store.Create(ctx, f, prev, []Event{ev, pending}); err != nil {
		return nil, err
	}
	return f, nil
}

// BeginRevoke marks an approved KindRevoke flow as removing (StateApplying)
// and keeps matching, what matched its Factor just before the removal,
// so that a crash between the removal and RecordRevoke is recovered with
// the true outcome: on the retry nothing matches any more, and the names
// in Flow.Revoking that are gone are what was removed. A flow already
// removing is returned as it is (a retry keeps the first snapshot); a
// completed one is ErrAlreadyDecided.
func (e *Engine) BeginRevoke(ctx context.Context, flowID string, matching []string) (*Flow, error) {
	return e.mutate(ctx, flowID, "", func(f *Flow, now time.Time) ([]Event, error) {
		switch {
		case f.Kind != KindRevoke:
			return nil, &TransitionError{Op: "revoke", From: f.State}
		case f.State.Terminal():
			return nil, ErrAlreadyDecided
		case f.State == StateApplying:
			return nil, nil
		case f.State != StateVerified || !f.Approval.Granted:
			return nil, &TransitionError{Op: "revoke", From: f.State, To: StateApplying}
		}
		from := f.State
		if err := move(f, "revoke", StateApplying); err != nil {
			return nil, err
		}
		f.ApplyingAt = now
		f.Revoking = append([]string(nil), matching...)
		ev := e.event(f, happened{Type: EventApplying, Actor: "system", From: from, Outcome: "ok"}, now)
		ev.Reason = orNothing(strings.Join(matching, ", "), f.Factor)
		return []Event{ev}, nil
	})
}

// RevokeOutcome is what the removal of an approved revocation did, as the
// caller observed it.
type RevokeOutcome struct {
	// Removed is what this attempt removed, names as enrolled.
	Removed []string
	// Earlier is what an interrupted earlier attempt removed: names in
	// Flow.Revoking that the account no longer has, though this attempt
	// found nothing to remove under them.
	Earlier []string
}

// RecordRevoke ends an approved KindRevoke flow with what was removed
// (EventFactorsRevoked, in the same step as the state change), so the
// helpdesk thread and the audit log say it and a second delivery of the
// approval finds the flow completed (ErrAlreadyDecided) and tells nobody
// twice. The caller removes the factors first (after BeginRevoke):
// removing is idempotent, a repeat after a crash removes nothing more,
// and out.Earlier carries what the interrupted attempt removed, so the
// record says "removed", not "nothing matched".
func (e *Engine) RecordRevoke(ctx context.Context, flowID string, out RevokeOutcome) (*Flow, error) {
	return e.mutate(ctx, flowID, "", func(f *Flow, now time.Time) ([]Event, error) {
		switch {
		case f.Kind != KindRevoke:
			return nil, &TransitionError{Op: "revoke", From: f.State}
		case f.State.Terminal():
			return nil, ErrAlreadyDecided
		case !f.Approval.Granted || (f.State != StateVerified && f.State != StateApplying):
			return nil, &TransitionError{Op: "revoke", From: f.State, To: StateCompleted}
		}
		from := f.State
		if f.State == StateVerified {
			f.ApplyingAt = now
			if err := move(f, "revoke", StateApplying); err != nil {
				return nil, err
			}
		}
		if err := move(f, "revoke", StateCompleted); err != nil {
			return nil, err
		}
		ev := e.event(f, happened{Type: EventFactorsRevoked, Actor: f.RequestedBy.String(), From: from, Outcome: "ok"}, now)
		var parts []string
		if len(out.Removed) > 0 {
			parts = append(parts, strings.Join(out.Removed, ", "))
		}
		if len(out.Earlier) > 0 {
			parts = append(parts, strings.Join(out.Earlier, ", ")+" (removed before an interruption)")
		}
		ev.Reason = strings.Join(parts, ", ")
		if ev.Reason == "" {
			ev.Outcome, ev.Reason = "nothing", "nothing matched "+f.Factor
		}
		return []Event{ev}, nil
	})
}

// orNothing is s, or instead when s is empty.
func orNothing(s, instead string) string {
	if s == "" {
		return instead
	}
	return s
}
