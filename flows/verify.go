package flows

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrDailyFailures: the account used up its daily budget of failed
// verifications, so this attempt is refused whether or not the factor was
// right (an attacker guessing must not learn when they succeed). The user
// is told so, distinctly from a wrong factor, and sent to the helpdesk.
// It wraps ErrRateLimited.
var ErrDailyFailures = errors.New("flows: too many failed verifications today")

// Verification is the outcome of one factor check done by the web app.
type Verification struct {
	// Method is MethodPasskey, MethodTOTP, MethodPassword or
	// MethodHelpdeskLink.
	Method string
	OK     bool
	// Reason is why a check failed, in words safe for the audit trail
	// ("wrong code", "clone warning: sign count went backwards").
	Reason string
	Client Client
	// Evidence feeds the web-time risk signals (passkey age, browser,
	// country) of a successful check.
	Evidence RiskEvidence
}

// RecordVerification stores the outcome of a factor check. Success moves the
// flow to StateVerified, or to StateAwaitingApproval for a privileged account
// (which must also have used a passkey). Failure counts against the flow and
// the account's daily budget; the last allowed failure fails the flow.
func (e *Engine) RecordVerification(ctx context.Context, flowID, binding string, v Verification) (*Flow, error) {
	if binding == "" {
		return nil, ErrBinding
	}
	return e.mutate(ctx, flowID, binding, func(f *Flow, now time.Time) ([]Event, error) {
		if f.State != StateRedeemed {
			return nil, &TransitionError{Op: "verify", From: f.State}
		}
		if !now.Before(f.ExpiresAt) {
			return nil, ErrExpired
		}
		actor := f.Subject.Chat.String()
		failed := func(reason string) Event {
			ev := e.event(f, happened{Type: EventVerifyFailed, Actor: actor, From: StateRedeemed, Outcome: "failed"}, now)
			ev.Method, ev.Reason, ev.SourceIP, ev.Device = v.Method, reason, v.Client.IP, v.Client.Device
			return ev
		}
		if !factorAllowed(f, v.Method) {
			return []Event{failed("method not allowed: privileged accounts need a passkey")},
				fmt.Errorf("%w: %s", ErrFactorNotAllowed, v.Method)
		}
		// The day's failed verifications and the web-time risk signals'
		// counts: one round trip.
		failKey, limit := "fail:"+f.Subject.AccountID, e.cfg.Limits.FailedVerifyPerAccountDay
		reads := e.webRiskReads(f, v)
		if limit > 0 {
			reads = append([]Window{{failKey, 24 * time.Hour}}, reads...)
		}
		counts, err := e.store.UsedAll(ctx, reads, now)
		if err != nil {
			return nil, err
		}
		used := countsOf(reads, counts)
		if limit > 0 && used(failKey) >= int64(limit) {
			err := fmt.Errorf("%w: %s", ErrRateLimited, failKey)
			if err2 := move(f, "verify", StateFailed); err2 != nil {
				return nil, err2
			}
			ev := e.event(f, happened{Type: EventFailed, Actor: "system", From: StateRedeemed, Outcome: "limit"}, now)
			ev.Method, ev.SourceIP, ev.Device = v.Method, v.Client.IP, v.Client.Device
			ev.Reason = "daily limit of failed verifications for this account reached"
			if v.OK {
				what := v.Method
				if what == MethodTOTP {
					what = "authenticator code"
				}
				ev.Reason += ": a correct " + what + " was refused too; the user was told to contact the helpdesk"
			}
			return []Event{ev}, fmt.Errorf("%w: %w", ErrDailyFailures, err)
		}
		if !v.OK {
			f.Attempts.Verify++
			// Once the budget is spent nothing more needs recording: the
			// check above refuses until the oldest failure leaves the day.
			// The velocity signal counts it too, in the same round trip.
			budgets := []Budget{{Key: failKey, Window: 24 * time.Hour, Max: failuresKept(e.cfg.Limits)}}
			if b, ok := e.riskFailureBudget(f); ok {
				budgets = append(budgets, b)
			}
			if _, err := e.store.TakeAll(ctx, budgets, now); err != nil {
				return nil, err
			}
			evs := []Event{failed(v.Reason)}
			if f.Attempts.Verify >= e.cfg.MaxVerifyAttempts {
				_ = move(f, "verify", StateFailed)
				ev := e.event(f, happened{Type: EventFailed, Actor: "system", From: StateRedeemed, Outcome: "attempts"}, now)
				ev.Reason = fmt.Sprintf("%d failed verifications", f.Attempts.Verify)
				return append(evs, ev), ErrTooManyAttempts
			}
			evs[0].To = f.State
			return evs, ErrVerificationFailed
		}
		f.Verified = append(f.Verified, v.Method)
		ok := e.event(f, happened{Type: EventVerified, Actor: actor, From: StateRedeemed, Outcome: "ok"}, now)
		ok.Method, ok.SourceIP, ok.Device = v.Method, v.Client.IP, v.Client.Device
		riskEvs, riskErr := e.applyWebRisk(f, v, used, now)
		var denied *RiskDeniedError
		switch {
		case errors.As(riskErr, &denied):
			// Nothing is written and no further step is offered: the
			// user is told to contact the helpdesk at once.
			if err := move(f, "verify", StateFailed); err != nil {
				return nil, err
			}
			ok.To = f.State
			end := e.event(f, happened{Type: EventFailed, Actor: "system", From: StateRedeemed, Outcome: OutcomeRiskDenied}, now)
			end.Reason = "denied by risk policy: " + denied.Rule.Signal()
			return append(append([]Event{ok}, riskEvs...), end), riskErr
		case riskErr != nil:
			return nil, riskErr
		}
		if f.Approval.Required {
			if err := move(f, "verify", StateAwaitingApproval); err != nil {
				return nil, err
			}
			f.ExpiresAt = now.Add(e.cfg.ApprovalTTL)
			ok.To = f.State
			pending := e.event(f, happened{Type: EventApprovalRequired, Actor: "system", From: StateAwaitingApproval, Outcome: "pending"}, now)
			if !f.Subject.Privileged {
				pending.Reason = RiskStepUpReason
			}
			return append(append([]Event{ok}, riskEvs...), pending), nil
		}
		if err := move(f, "verify", StateVerified); err != nil {
			return nil, err
		}
		ok.To = f.State
		return append([]Event{ok}, riskEvs...), nil
	})
}

// countsOf looks the count of a key up in the answers of a UsedAll of
// windows (0 for a key not among them).
func countsOf(windows []Window, counts []int64) func(key string) int64 {
	return func(key string) int64 {
		for i, w := range windows {
			if w.Key == key {
				return counts[i]
			}
		}
		return 0
	}
}
