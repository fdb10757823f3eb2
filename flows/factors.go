package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrNeedsFactor: the account already has a passkey or an authenticator
// app, and this flow was proven with the current password only. Someone
// holding a chat session and the password must not be able to remove the
// user's factors or add their own: changing factors needs an existing
// factor (or a helpdesk-issued enrollment link).
var ErrNeedsFactor = errors.New("flows: changing existing factors needs an existing factor")

// FactorTOTP is the key of the authenticator app in FactorChange.Key and
// Flow.Changed; passkeys are PasskeyKey(credential id).
const FactorTOTP = "totp"

// PasskeyKey names a passkey by its credential id (base64url, as WebAuthn
// writes it) in FactorChange.Key and Flow.Changed.
func PasskeyKey(credentialID string) string { return "passkey:" + credentialID }

// FactorChange is one factor added to or removed from the subject's account
// in an enroll flow, as the web app is about to store it.
type FactorChange struct {
	// Removed is false for an addition (or a replaced authenticator app).
	Removed bool
	// Method is MethodPasskey or MethodTOTP.
	Method string
	// Key is PasskeyKey(id) or FactorTOTP.
	Key string
	// Name is what the user calls the passkey ("Work phone"): printable,
	// bounded text that the audit trail and the user's message repeat.
	Name string
	// Replaced is true when a new authenticator app replaces the old one.
	Replaced bool
	// Existing are the keys of every factor the account has right now,
	// read from the credential store just before the change.
	Existing []string
	Client   Client
}

// MayChangeFactors reports whether the flow's proof allows changing the
// account's factors, given the keys of the factors it has now. A flow
// verified with an existing factor (passkey, authenticator app) or redeemed
// from a helpdesk-issued link may change anything. A flow proven only by
// the current directory password may change only what it added itself:
// the password enrolls the first factor, never replaces an older one.
func (f *Flow) MayChangeFactors(existing []string) error {
	if f.Kind != KindEnroll {
		return &TransitionError{Op: "change factors", From: f.State}
	}
	if f.HasVerified(MethodPasskey) || f.HasVerified(MethodTOTP) || f.HasVerified(MethodHelpdeskLink) {
		return nil
	}
	for _, k := range existing {
		if !slices.Contains(f.Changed, k) {
			return fmt.Errorf("%w: %s predates this flow", ErrNeedsFactor, k)
		}
	}
	return nil
}

// RecordFactorChange appends the audit event of a factor change, before
// the web app stores it (outbox rule: a change is never unrecorded; at
// worst a failed store write leaves a notice of a change that did not
// happen). It is allowed only in a verified enroll flow whose proof covers
// the change (MayChangeFactors), checked in the same compare-and-swap
// step that records it.
func (e *Engine) RecordFactorChange(ctx context.Context, flowID, binding string, c FactorChange) (*Flow, error) {
	if binding == "" {
		return nil, ErrBinding
	}
	if c.Key == "" || (c.Method != MethodPasskey && c.Method != MethodTOTP) {
		return nil, fmt.Errorf("flows: factor change: method %q, key %q", c.Method, c.Key)
	}
	return e.mutate(ctx, flowID, binding, func(f *Flow, now time.Time) ([]Event, error) {
		if f.Kind != KindEnroll || f.State != StateVerified {
			return nil, &TransitionError{Op: "change factors", From: f.State}
		}
		if !now.Before(f.ExpiresAt) {
			return nil, ErrExpired
		}
		existing := c.Existing
		if c.Removed && !slices.Contains(existing, c.Key) {
			existing = append(slices.Clip(existing), c.Key)
		}
		if err := f.MayChangeFactors(existing); err != nil {
			return nil, err
		}
		t := EventFactorAdded
		if c.Removed {
			t = EventFactorRemoved
		} else if !slices.Contains(f.Changed, c.Key) {
			f.Changed = append(f.Changed, c.Key)
		}
		ev := e.event(f, happened{Type: t, Actor: f.Subject.Chat.String(), Outcome: "ok"}, now)
		ev.To = ""
		ev.Method, ev.SourceIP, ev.Device = c.Method, c.Client.IP, c.Client.Device
		ev.Reason = factorReason(c)
		return []Event{ev}, nil
	})
}
