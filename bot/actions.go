package bot

import (
	"context"
	"errors"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// HandleAction implements Handler for the Approve and Deny buttons. It
// returns an empty first reply at once; the decision is taken in the
// background and the clicker is answered privately, in their language
// (answerFirst). The helpdesk thread's parent message is updated by the
// thread sink when the decision's audit event arrives, so every platform
// shows the same outcome.
func (b *Bot) HandleAction(_ context.Context, a Action) Message {
	return b.answerFirst(a.From, a.Respond, func(u User) (Message, job) {
		a.From = u
		return b.action(a)
	})
}

// action words the first reply to a click and names the work it promises.
func (b *Bot) action(a Action) (Message, job) {
	budgeted := func(name string, work func(ctx context.Context)) (Message, job) {
		if b.busy() {
			return msgBusy(b.langFor(a.From)), job{}
		}
		return Message{}, job{name: name, budgeted: true, work: work}
	}
	switch a.ActionID {
	case ActionApprove, ActionDeny:
		grant := a.ActionID == ActionApprove
		return budgeted("decide", func(ctx context.Context) { b.decide(ctx, a, grant) })
	case ActionSendEnroll:
		return budgeted("send-enroll", func(ctx context.Context) { b.sendEnroll(ctx, a) })
	case ActionClaimLink:
		return budgeted("claim-link", func(ctx context.Context) { b.claim(ctx, a) })
	case ActionChangePassword:
		if b.busy() {
			return msgBusy(b.langFor(a.From)), job{}
		}
		own := Request{From: a.From, Respond: a.Respond}
		req := flows.StartRequest{Kind: flows.KindChange, PasswordExpiry: reminderExpiry(a.Value)}
		return msgWorkingChange(b.langFor(a.From)), job{name: "start", work: func(ctx context.Context) { b.startOwn(ctx, own, req) }}
	default:
		b.deps.Log.Warn("unknown action", "action_id", a.ActionID)
	}
	return Message{}, job{}
}

// decide applies the approval rules: the clicker must be a helpdesk member
// (checked here), must not be the requester or the target, by chat id and
// by directory account (checked by the engine), and only the first decision
// on a live flow counts (the engine's compare-and-swap).
//
// A click refused here is audited too (EventClickRefused, shown in the
// flow's thread with how often that user tried), so the helpdesk sees a
// target trying to approve their own reset, or an outsider probing.
func (b *Bot) decide(ctx context.Context, a Action, grant bool) {
	acct, why, err := b.helpdeskCheck(ctx, a.From)
	if err != nil {
		b.respond(ctx, a.Respond, b.msgTrouble(b.langFor(a.From), b.fail("approval: helpdesk check failed", err)))
		return
	}
	if why != "" {
		if err := b.deps.Engine.RefusedClick(ctx, a.Value, a.From.ID, grant, why); err != nil {
			b.deps.Log.Warn("could not audit a refused click", "flow", a.Value, "user", a.From.ID.String(), "err", err)
		}
		l := b.langFor(a.From)
		b.respond(ctx, a.Respond, Message{Summary: l.T("chat.approval.outsider.summary"), Body: []string{l.T("chat.approval.outsider.body")}, Tone: ToneWarning})
		return
	}
	if grant && b.cfg.ApproverPasskey {
		b.confirmApproval(ctx, a, acct)
		return
	}
	f, err := b.deps.Engine.Decide(ctx, a.Value, flows.Decision{Approver: a.From.ID, ApproverAccountID: acct.ID, Grant: grant})
	if err == nil && f.Kind == flows.KindRevoke {
		b.respond(ctx, a.Respond, msgRevokeDecided(b.langFor(a.From), grant))
		return
	}
	b.respond(ctx, a.Respond, b.decisionAnswer(b.langFor(a.From), err, grant, a.Value))
}

// confirmApproval sends the approver a private link to confirm the approval
// with their own passkey; the approval counts when they do.
func (b *Bot) confirmApproval(ctx context.Context, a Action, acct *directory.User) {
	is, err := b.deps.Engine.StartConfirmation(ctx, flows.ConfirmRequest{Target: a.Value, Approver: a.From.ID, Account: acct, Grant: true})
	if err != nil {
		b.respond(ctx, a.Respond, b.decisionAnswer(b.langFor(a.From), err, true, a.Value))
		return
	}
	link := b.msgLink(is.Flow, is.Token, nil)
	if err := b.sendPrivate(ctx, a.From.ID, link); err != nil {
		b.respond(ctx, a.Respond, link) // DMs closed: the answer is private too
		return
	}
	b.respond(ctx, a.Respond, Message{
		Summary: b.langFor(a.From).T("chat.approval.confirm.summary"),
		Body:    []string{b.langFor(a.From).T("chat.approval.confirm.body")},
	})
}

// decisionAnswer tells the clicker what became of their click.
func (b *Bot) decisionAnswer(l i18n.Lang, err error, grant bool, flowID string) Message {
	var m Message
	switch {
	case err == nil && grant:
		m = Message{Summary: l.T("chat.approval.approved"), Body: []string{l.T("chat.approval.approved")}, Tone: ToneGood}
	case err == nil:
		m = Message{Summary: l.T("chat.approval.denied"), Body: []string{l.T("chat.approval.denied")}}
	case errors.Is(err, flows.ErrApproverNotAllowed):
		m = Message{Summary: l.T("chat.approval.notallowed.summary"), Body: []string{l.T("chat.approval.notallowed.body")}, Tone: ToneWarning}
	case errors.Is(err, flows.ErrAlreadyDecided), errors.Is(err, flows.ErrExpired), errors.Is(err, flows.ErrIllegalTransition), errors.Is(err, flows.ErrNotFound):
		m = Message{Summary: l.T("chat.approval.resolved.summary"), Body: []string{l.T("chat.approval.resolved.body")}}
	default:
		m = b.msgTrouble(l, b.fail("approval failed", err, "flow", flowID))
	}
	return m
}
