package bot

import (
	"context"
	"errors"

	"github.com/resetbot/resetbot/flows"
)

// HandleAction implements Handler for the Approve and Deny buttons. It
// returns an empty first reply at once; the decision is taken in the
// background and the clicker is answered privately. The helpdesk thread's
// parent message is updated by the thread sink when the decision's audit
// event arrives, so every platform shows the same outcome.
func (b *Bot) HandleAction(_ context.Context, a Action) Message {
	switch a.ActionID {
	case ActionApprove, ActionDeny:
		grant := a.ActionID == ActionApprove
		b.async("decide", func(ctx context.Context) { b.decide(ctx, a, grant) })
	default:
		b.deps.Log.Warn("unknown action", "action_id", a.ActionID)
	}
	return Message{}
}

// decide applies the approval rules: the clicker must be a helpdesk member
// (checked here), must not be the requester or the target, by chat id and
// by directory account (checked by the engine), and only the first decision
// on a live flow counts (the engine's compare-and-swap).
func (b *Bot) decide(ctx context.Context, a Action, grant bool) {
	acct, ok, err := b.helpdeskAccount(ctx, a.From)
	if err != nil {
		b.respond(ctx, a.Respond, b.msgTrouble(b.fail("approval: helpdesk check failed", err)))
		return
	}
	if !ok {
		b.respond(ctx, a.Respond, Message{Summary: "Only helpdesk members can approve or deny.", Body: []string{"Only helpdesk members can approve or deny resets."}, Tone: ToneWarning})
		return
	}
	_, err = b.deps.Engine.Decide(ctx, a.Value, flows.Decision{Approver: a.From.ID, ApproverAccountID: acct.ID, Grant: grant})
	var m Message
	switch {
	case err == nil && grant:
		m = Message{Summary: "Approved. The user can now finish on their phone.", Body: []string{"Approved. The user can now finish on their phone."}, Tone: ToneGood}
	case err == nil:
		m = Message{Summary: "Denied. The user's link no longer works.", Body: []string{"Denied. The user's link no longer works."}}
	case errors.Is(err, flows.ErrApproverNotAllowed):
		m = Message{Summary: "You can't approve this one.", Body: []string{"You can't decide on a reset you requested or on your own account. Ask another helpdesk colleague."}, Tone: ToneWarning}
	case errors.Is(err, flows.ErrAlreadyDecided), errors.Is(err, flows.ErrExpired), errors.Is(err, flows.ErrIllegalTransition), errors.Is(err, flows.ErrNotFound):
		m = Message{Summary: "Already resolved.", Body: []string{"This request was already resolved or has expired."}}
	default:
		m = b.msgTrouble(b.fail("approval failed", err, "flow", a.Value))
	}
	b.respond(ctx, a.Respond, m)
}
