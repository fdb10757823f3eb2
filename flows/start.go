package flows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resetbot/resetbot/directory"
)

// StartRequest asks for a new flow.
type StartRequest struct {
	Kind Kind
	// Lookup finds the subject's account; the bot core builds it from the
	// configured identity mapping (chat-id attribute or verified email).
	Lookup directory.Lookup
	// Chat is the subject's chat identity: where the link is sent.
	Chat ChatIdentity
	// RequestedBy is who asked: the subject, or a helpdesk member.
	RequestedBy ChatIdentity
	// RequestedByAccountID is the requester's directory account id when
	// known; approvers must differ from it.
	RequestedByAccountID string
	// Locale is the subject's language and time zone when their platform
	// gives them (empty: the configured defaults).
	Locale Locale
	// Reason says why the flow started when the subject did not simply
	// ask. It is added to the requested event's reason, so the audit log
	// and the helpdesk thread show it.
	Reason string
	// PasswordExpiry is, for KindChange, when the password to be changed
	// expires (the reminder says it); zero when not known.
	PasswordExpiry time.Time
	// ClaimInChat binds the link to Chat: it works only after that chat
	// identity claimed it (Engine.Claim), which mints the token to send.
	// The token Start returns is then not to be shown to anyone.
	ClaimInChat bool
}

// Issued is a started flow and the link token to send to its subject. The
// token exists only here: the store keeps its hash.
type Issued struct {
	Flow  *Flow
	Token string
}

// Start resolves the account, applies policy and limits, supersedes any live
// flow of the same account and kind, and stores the new flow with its link.
//
// A new request supersedes the old one rather than being refused: a user who
// lost the message or let the link expire simply asks again, and the old
// link dies in the same atomic step, so there is still at most one live flow
// per account and kind. The per-account limit bounds how often that happens.
//
// Refusals (unknown, disabled, break-glass, rate-limited) are audited with
// their reason and returned as errors the bot core must answer with the same
// words it uses for success, so the reply never reveals which accounts exist.
func (e *Engine) Start(ctx context.Context, req StartRequest) (*Issued, error) {
	if !req.Kind.Valid() {
		return nil, fmt.Errorf("flows: unknown kind %q", req.Kind)
	}
	now := e.clock()
	actor := req.RequestedBy.String()
	refuse := func(key, account, accountID, reason string, err error) (*Issued, error) {
		ev := Event{Time: now, Type: EventRefused, Kind: req.Kind, Actor: actor,
			Account: account, AccountID: accountID, Outcome: "refused", Reason: reason}
		if aerr := e.store.Append(ctx, key, []Event{ev}); aerr != nil {
			return nil, errors.Join(err, aerr)
		}
		return nil, err
	}
	// unavailable records a request that failed because the directory or
	// Redis was down: the helpdesk sees the attempt, once Redis is back if
	// it was Redis (appendOrDefer).
	unavailable := func(u *directory.User, what string, err error) (*Issued, error) {
		key, ev := actor, Event{Time: now, Type: EventRefused, Kind: req.Kind, Actor: actor,
			Outcome: OutcomeUnavailable, Reason: what + " unavailable: the request could not be served"}
		if u != nil {
			key, ev.Account, ev.AccountID = u.ID, u.AccountName, u.ID
		}
		e.appendOrDefer(ctx, key, []Event{ev})
		return nil, err
	}

	if err := hit(ctx, e.store, "ident:"+actor, time.Hour, e.cfg.Limits.RequestsPerIdentityPerHour, now); err != nil {
		if errors.Is(err, ErrRateLimited) {
			return refuse(actor, "", "", ReasonTooManyForIdentity, err)
		}
		return unavailable(nil, "Redis", err)
	}
	u, err := e.dir.Find(ctx, req.Lookup)
	if errors.Is(err, directory.ErrNotFound) {
		return refuse(actor, "", "", noAccountReason(req.Lookup.Kind), &RefusalError{Reason: ReasonUnknown})
	}
	if err != nil {
		return unavailable(nil, "the directory", fmt.Errorf("flows: start: find account: %w", err))
	}
	if why := e.cfg.Policy.refusal(u); why != "" {
		return refuse(u.ID, u.AccountName, u.ID, why, &RefusalError{Reason: why})
	}
	// A change replaces a live reset of the account and a reset a live
	// change: one password-setting link at a time. The account's budget,
	// the request-time risk counts and both live flows are one round trip
	// (the live flows read again only after a conflict).
	kinds := []Kind{req.Kind}
	if sib := passwordSibling(req.Kind); sib != "" {
		kinds = append(kinds, sib)
	}
	reads := e.requestRiskReads(req.Kind, u)
	adm, err := e.store.Admit(ctx, Admission{
		Budget: Budget{Key: "acct:" + u.ID, Window: time.Hour, Max: e.cfg.Limits.RequestsPerAccountPerHour},
		Counts: reads, AccountID: u.ID, Kinds: kinds,
	}, now)
	if err != nil {
		return unavailable(u, "Redis", err)
	}
	if !adm.Allowed {
		return refuse(u.ID, u.AccountName, u.ID, ReasonTooManyForAccount, fmt.Errorf("%w: %s", ErrRateLimited, "acct:"+u.ID))
	}
	findings, err := e.requestRisk(ctx, req.Kind, u, reads, adm.Counts, now)
	if err != nil {
		return unavailable(u, "Redis", err)
	}
	risk := e.cfg.Risk.decide(findings)
	if risk.action == RiskDeny {
		return nil, e.riskRefusal(ctx, req.Kind, actor, u, risk, now)
	}

	live := adm.Live
	for attempt := 0; attempt < 8; attempt++ {
		if attempt > 0 {
			if live, err = e.store.LiveIDs(ctx, u.ID, kinds...); err != nil {
				return unavailable(u, "Redis", err)
			}
		}
		if len(kinds) > 1 {
			if _, err := e.supersedeLive(ctx, live[1], actor, replaced); err != nil {
				if errors.Is(err, ErrConflict) {
					continue
				}
				return unavailable(u, "Redis", err)
			}
		}
		prev, err := e.supersedeLive(ctx, live[0], actor, replaced)
		if err != nil {
			if errors.Is(err, ErrConflict) {
				continue
			}
			return unavailable(u, "Redis", err)
		}
		issued, err := e.create(ctx, req, u, prev, risk, e.clock())
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil && errors.Is(err, ErrStoreUnavailable) {
			return unavailable(u, "Redis", err)
		}
		return issued, err
	}
	return nil, fmt.Errorf("%w: start: too much contention", ErrConflict)
}

// supersede ends the account's live flow of this kind, if any, and returns
// what the live index holds now (the expected value for create).
func (e *Engine) supersede(ctx context.Context, accountID string, kind Kind, actor string) (string, error) {
	return e.supersedeFor(ctx, accountID, kind, actor, replaced)
}

// replaced is the audit reason of a flow a newer request superseded.
const replaced = "a newer request replaced this flow"

// supersedeFor is supersede with the reason the audit trail gives.
func (e *Engine) supersedeFor(ctx context.Context, accountID string, kind Kind, actor, reason string) (string, error) {
	prev, err := e.store.LiveID(ctx, accountID, kind)
	if err != nil {
		return "", err
	}
	return e.supersedeLive(ctx, prev, actor, reason)
}

// supersedeLive ends the flow prev (an id the live index held, "" for
// none) for reason unless it has ended already, and returns what the index
// holds now:
// "" once it ended the flow, prev when the flow had ended or expired
// without the index being cleared.
func (e *Engine) supersedeLive(ctx context.Context, prev, actor, reason string) (string, error) {
	if prev == "" {
		return "", nil
	}
	old, err := e.store.Get(ctx, prev)
	if errors.Is(err, ErrNotFound) {
		return prev, nil
	}
	if err != nil {
		return "", err
	}
	if old.State.Terminal() {
		return prev, nil
	}
	from := old.State
	if old.State.Known() {
		if err := move(old, "supersede", StateSuperseded); err != nil {
			// Applying: a write is in flight; the new request waits.
			return "", fmt.Errorf("%w: previous flow is finishing", ErrConflict)
		}
	} else {
		old.State = StateSuperseded // an unknown state is restarted, not kept
	}
	now := e.clock()
	old.EndedAt = now
	ev := e.event(old, happened{Type: EventSuperseded, Actor: actor, From: from, Outcome: "superseded"}, now)
	ev.Reason = reason
	if err := e.store.Update(ctx, old, []Event{ev}); err != nil {
		return "", err
	}
	// Ending the flow cleared the live index (Store.Update of a terminal
	// state), so the create expects it empty: expecting prev made every
	// replacing start conflict once and begin again (2 round trips).
	return "", nil
}

// create stores the new flow and mints its link.
// A request-time risk step-up makes the flow need a helpdesk approval as
// a privileged one does; its findings are noted on the flow either way.
func (e *Engine) create(ctx context.Context, req StartRequest, u *directory.User, prev string, risk riskDecision, now time.Time) (*Issued, error) {
	f, secret, err := newFlow(req.Kind, u, req.Chat, now, now.Add(e.cfg.LinkTTL))
	if err != nil {
		return nil, err
	}
	f.Subject.Privileged = e.cfg.Policy.Privileged(u)
	f.RequestedBy, f.RequestedByAccountID = req.RequestedBy, req.RequestedByAccountID
	f.Locale = req.Locale
	f.PasswordExpiry = changeDeadline(req)
	f.Approval.Required = f.Subject.Privileged || risk.action == RiskStepUp
	f.Claim.Required = req.ClaimInChat
	noteRisk(f, risk)
	ev := e.event(f, happened{Type: EventRequested, Actor: req.RequestedBy.String(), Outcome: "ok"}, now)
	if f.Subject.Privileged {
		ev.Reason = ReasonPrivileged
	}
	if req.RequestedBy != req.Chat {
		ev.Reason = joinReason(ev.Reason, "requested by helpdesk for "+req.Chat.String())
	}
	if req.Reason != "" {
		ev.Reason = joinReason(ev.Reason, req.Reason)
	}
	if risk.action == RiskStepUp && !f.Subject.Privileged {
		ev.Reason = joinReason(ev.Reason, RiskStepUpReason)
	}
	return e.issue(ctx, f, secret, prev, append([]Event{ev}, e.riskEvents(f, risk, "system", now)...)...)
}

func joinReason(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
