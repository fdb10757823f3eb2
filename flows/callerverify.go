package flows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/resetbot/resetbot/directory"
)

// KindVerify is a helpdesk member checking that the person on the phone
// is who they claim ("/reset verify @user"): the target gets a link and
// confirms with their own passkey, user verification required, or
// declines. It grants nothing by itself, so a privileged target is
// treated like anyone else (no approval); its only outcome is what the
// helpdesk member is told.
const KindVerify Kind = "verify"

// VerifyTTL is how long a caller verification stays open: a phone call's
// length, shorter than a reset link, because the member is waiting on the
// line.
const VerifyTTL = 5 * time.Minute

// The caller verification's own audit events. EventCallerDeclined is a
// risk signal: the target said they did not call, so someone else did in
// their name; other code counts it (see RiskEventTypes).
const (
	EventCallerVerified EventType = "caller.verified"
	EventCallerDeclined EventType = "caller.declined"
)

// RiskEventTypes are the audit events that are risk signals about the
// account they name, for code that counts them (alerts, step-up policy).
var RiskEventTypes = []EventType{EventCallerDeclined}

// ErrOwnAccount: a helpdesk member asked to verify their own account,
// which proves nothing to anyone.
var ErrOwnAccount = errors.New("flows: a helpdesk member cannot verify their own account")

// VerifyRequest asks for a caller verification of Account.
type VerifyRequest struct {
	// Account is the target, as the caller resolved it from Chat.
	Account *directory.User
	Chat    ChatIdentity
	// RequestedBy and RequestedByAccountID are the helpdesk member asking.
	RequestedBy          ChatIdentity
	RequestedByAccountID string
	// Reason is the member's "why", audited with the request; it is
	// outside text and goes to the audit log as given.
	Reason string
	// Locale is the target's, for the link's page.
	Locale Locale
}

// RequestVerify spends the member's and the target's request budgets
// (the per-identity and per-account hourly limits, under their own keys,
// so verifications do not eat a user's reset budget), replaces any live
// verification of the target (one live per target) and stores a
// KindVerify flow with its link, valid for VerifyTTL. The token exists
// only in the returned Issued.
func (e *Engine) RequestVerify(ctx context.Context, req VerifyRequest) (*Issued, error) {
	u := req.Account
	if u == nil || req.RequestedByAccountID == "" || req.RequestedBy.String() == "" {
		return nil, errors.New("flows: verify request needs the account and the requester")
	}
	if req.RequestedByAccountID == u.ID || req.RequestedBy == req.Chat {
		return nil, ErrOwnAccount
	}
	now := e.clock()
	if err := hit(ctx, e.store, "verify-by:"+req.RequestedBy.String(), time.Hour, e.cfg.Limits.RequestsPerIdentityPerHour, now); err != nil {
		return nil, err
	}
	if err := hit(ctx, e.store, "verify-of:"+u.ID, time.Hour, e.cfg.Limits.RequestsPerAccountPerHour, now); err != nil {
		return nil, err
	}
	for attempt := 0; attempt < 8; attempt++ {
		prev, err := e.supersede(ctx, u.ID, KindVerify, req.RequestedBy.String())
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return nil, err
		}
		is, err := e.createVerify(ctx, req, prev, e.clock())
		if errors.Is(err, ErrConflict) {
			continue
		}
		return is, err
	}
	return nil, fmt.Errorf("%w: verify: too much contention", ErrConflict)
}

func (e *Engine) createVerify(ctx context.Context, req VerifyRequest, prev string, now time.Time) (*Issued, error) {
	f, secret, err := newFlow(KindVerify, req.Account, req.Chat, now, now.Add(VerifyTTL))
	if err != nil {
		return nil, err
	}
	f.Subject.Privileged = e.cfg.Policy.Privileged(req.Account)
	f.RequestedBy, f.RequestedByAccountID = req.RequestedBy, req.RequestedByAccountID
	f.Locale = req.Locale
	ev := e.event(f, happened{Type: EventRequested, Actor: req.RequestedBy.String(), Outcome: "ok"}, now)
	ev.Reason = joinReason("caller verification requested by helpdesk for "+req.Chat.String(), strings.TrimSpace(req.Reason))
	return e.issue(ctx, f, secret, prev, ev)
}

// ConfirmVerify ends a KindVerify flow whose passkey check succeeded
// (RecordVerification moved it to StateVerified) with EventCallerVerified,
// naming the passkey that was used: that name and the time are all the
// helpdesk member is told. A second call finds the flow completed
// (ErrAlreadyDecided).
func (e *Engine) ConfirmVerify(ctx context.Context, flowID, binding, passkey string) (*Flow, error) {
	if binding == "" {
		return nil, ErrBinding
	}
	return e.mutate(ctx, flowID, binding, func(f *Flow, now time.Time) ([]Event, error) {
		switch {
		case f.Kind != KindVerify:
			return nil, &TransitionError{Op: "confirm caller", From: f.State}
		case f.State.Terminal():
			return nil, ErrAlreadyDecided
		case f.State != StateVerified:
			return nil, &TransitionError{Op: "confirm caller", From: f.State, To: StateCompleted}
		case !now.Before(f.ExpiresAt):
			return nil, ErrExpired
		}
		from := f.State
		f.ApplyingAt = now
		if err := move(f, "confirm caller", StateApplying); err != nil {
			return nil, err
		}
		if err := move(f, "confirm caller", StateCompleted); err != nil {
			return nil, err
		}
		ev := e.event(f, happened{Type: EventCallerVerified, Actor: f.Subject.Chat.String(), From: from, Outcome: "ok"}, now)
		ev.Method, ev.Reason = MethodPasskey, passkey
		return []Event{ev}, nil
	})
}

// DeclineVerify ends a live KindVerify flow because its target says they
// did not call the helpdesk: EventCallerDeclined (a risk signal) in the
// same step as the state change, so the warning reaches the helpdesk
// channel through the audit stream exactly once. It needs the browser
// binding of the redeemed link (a GET never declines).
func (e *Engine) DeclineVerify(ctx context.Context, flowID, binding string) (*Flow, error) {
	if binding == "" {
		return nil, ErrBinding
	}
	f, err := e.mutate(ctx, flowID, binding, func(f *Flow, now time.Time) ([]Event, error) {
		switch {
		case f.Kind != KindVerify:
			return nil, &TransitionError{Op: "decline caller", From: f.State}
		case f.State.Terminal():
			return nil, ErrAlreadyDecided
		case !now.Before(f.ExpiresAt):
			return nil, ErrExpired
		}
		from := f.State
		if err := move(f, "decline caller", StateCancelled); err != nil {
			return nil, err
		}
		ev := e.event(f, happened{Type: EventCallerDeclined, Actor: f.Subject.Chat.String(), From: from, Outcome: "declined"}, now)
		ev.Reason = "the user said they did not call the helpdesk (requested by " + f.RequestedBy.String() + ")"
		return []Event{ev}, nil
	})
	if err != nil {
		return f, err
	}
	// The decline is a risk signal for the account's next requests
	// (RiskCallerDeclined). Losing the count must not undo the decline
	// already recorded: it is logged.
	if _, terr := e.store.Take(ctx, riskDeclinedKey(f.Subject.AccountID), e.cfg.Risk.Window, riskCount, e.clock()); terr != nil {
		e.log.Warn("flows: could not count a declined caller verification as a risk signal", "flow", f.ID, "err", terr)
	}
	return f, nil
}
