package flows

import (
	"errors"
	"fmt"
)

// Errors returned by the Engine and the Store. Callers (the bot core, the web
// app) map each to a catalogued user message; the wrapped detail goes to the
// log only.
var (
	// ErrNotFound: no flow with that id (or it aged out of the store).
	ErrNotFound = errors.New("flows: flow not found")
	// ErrConflict: a compare-and-swap lost the race; re-read and retry.
	ErrConflict = errors.New("flows: concurrent update")
	// ErrIllegalTransition: the flow is not in a state that allows this
	// step. The concrete error is a *TransitionError.
	ErrIllegalTransition = errors.New("flows: illegal transition")
	// ErrUnknownState: the stored flow has a state this binary does not
	// know; the caller tells the user to start again.
	ErrUnknownState = errors.New("flows: unknown state")
	// ErrExpired: the flow or its link is past its lifetime.
	ErrExpired = errors.New("flows: expired")
	// ErrInvalidToken: the link token is malformed, unknown, for another
	// purpose or wrong. One error for all, so links cannot be probed.
	ErrInvalidToken = errors.New("flows: invalid link")
	// ErrTokenUsed: the link was already redeemed.
	ErrTokenUsed = errors.New("flows: link already used")
	// ErrBinding: the browser does not hold the secret the flow was bound
	// to at redemption.
	ErrBinding = errors.New("flows: flow bound to another browser")
	// ErrRateLimited: a request or failure limit was reached.
	ErrRateLimited = errors.New("flows: rate limited")
	// ErrNotEligible: the account cannot use the bot (unknown, disabled,
	// break-glass). The concrete error is a *RefusalError; its reason goes to
	// the audit stream, never to the requester.
	ErrNotEligible = errors.New("flows: not eligible")
	// ErrFactorNotAllowed: the verification method is not allowed for this
	// account (privileged accounts need a passkey).
	ErrFactorNotAllowed = errors.New("flows: verification method not allowed")
	// ErrApproverNotAllowed: the approver is the requester or the target.
	ErrApproverNotAllowed = errors.New("flows: approver not allowed")
	// ErrApprovalRequired: the account became privileged while the flow
	// was open; nothing was written and the flow (returned with the error)
	// waits for a helpdesk approval again.
	ErrApprovalRequired = errors.New("flows: helpdesk approval required")
	// ErrAlreadyDecided: the approval was already granted or denied, or
	// the flow ended.
	ErrAlreadyDecided = errors.New("flows: approval already resolved")
	// ErrTooManyAttempts: the flow failed after too many attempts.
	ErrTooManyAttempts = errors.New("flows: too many attempts")
	// ErrStoreUnavailable: Redis could not be reached; nothing changed.
	ErrStoreUnavailable = errors.New("flows: store unavailable")
	// ErrOutcomePending: the final action ran (or may have) but its outcome
	// could not be stored in time; the reconciler will record it from the
	// directory's evidence. Never tell the user it failed.
	ErrOutcomePending = errors.New("flows: outcome not recorded yet")
)

// TransitionError says which step was refused from which state.
type TransitionError struct {
	Op   string
	From State
	To   State
}

// Error implements error.
func (e *TransitionError) Error() string {
	if e.To == "" {
		return fmt.Sprintf("flows: %s not allowed in state %q", e.Op, e.From)
	}
	return fmt.Sprintf("flows: %s: %q -> %q not allowed", e.Op, e.From, e.To)
}

// Is makes errors.Is(err, ErrIllegalTransition) true.
func (e *TransitionError) Is(target error) bool { return target == ErrIllegalTransition }

// RefusalError is a start request refused because of the account. Reason
// ("unknown", "disabled", "break-glass", "ambiguous") is for the audit
// stream and the helpdesk thread, never for the requester.
type RefusalError struct {
	Reason string
}

// Error implements error.
func (e *RefusalError) Error() string { return "flows: not eligible: " + e.Reason }

// Is makes errors.Is(err, ErrNotEligible) true.
func (e *RefusalError) Is(target error) bool { return target == ErrNotEligible }
