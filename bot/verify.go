package bot

import (
	"context"
	"errors"

	"github.com/resetbot/resetbot/flows"
)

// verifyCaller answers "/reset verify @user [reason]" for a helpdesk
// member on a call: the target gets a private request, with who asked and
// why, to confirm with their own passkey that they are the caller (or to
// say they did not call); the member's answer is private and the outcome
// goes to the verification's thread in the helpdesk channel
// (verifythread.go). It shares who's and revoke's opening, so anyone
// outside the helpdesk gets the helpdesk refusal, audited, and the target
// is not looked up. The member's own account, and a target without a
// passkey (who could not confirm), are refused at once and audited, with
// no flow started and no link sent.
func (b *Bot) verifyCaller(ctx context.Context, r Request, target User, reason string) {
	member, acct, ok := b.helpdeskTarget(ctx, r, target, "verify")
	if !ok {
		return
	}
	l := b.langFor(r.From)
	if acct.ID == member.ID || target.ID == r.From.ID {
		b.refuseHelpdesk(ctx, r.From.ID, acct, "verify", "own account")
		b.respond(ctx, r.Respond, msgVerifyOwn(l))
		return
	}
	if b.deps.Factors != nil {
		sum, err := b.deps.Factors.Factors(ctx, acct.ID)
		if err != nil {
			b.respond(ctx, r.Respond, b.msgTrouble(l, b.fail("verify: credentials", err, "account", acct.AccountName)))
			return
		}
		if sum.Passkeys == 0 {
			b.refuseHelpdesk(ctx, r.From.ID, acct, "verify", "no passkey enrolled")
			b.respond(ctx, r.Respond, msgVerifyNoPasskey(l, target.ID, b.syntaxFor(r.From.ID.Platform)("enroll-for @user")))
			return
		}
	}
	target = b.withLocale(ctx, target)
	is, err := b.deps.Engine.RequestVerify(ctx, flows.VerifyRequest{
		Account: acct, Chat: target.ID, RequestedBy: r.From.ID, RequestedByAccountID: member.ID,
		Reason: reason, Locale: target.Locale,
	})
	switch {
	case errors.Is(err, flows.ErrOwnAccount):
		b.refuseHelpdesk(ctx, r.From.ID, acct, "verify", "own account")
		b.respond(ctx, r.Respond, msgVerifyOwn(l))
		return
	case errors.Is(err, flows.ErrRateLimited):
		b.respond(ctx, r.Respond, b.msgRateLimited(l))
		return
	case err != nil:
		b.respond(ctx, r.Respond, b.msgTrouble(l, b.fail("verify: request", err, "account", acct.AccountName)))
		return
	}
	if err := b.sendPrivate(ctx, target.ID, b.msgVerifyRequest(is.Flow, is.Token, reason)); err != nil {
		// Never the member's answer instead: the link is the target's.
		// Unsent, the request expires by itself and the thread says so.
		b.deps.Log.Warn("verify: could not send the request to the user", "flow", is.Flow.ID, "err", err)
		b.respond(ctx, r.Respond, msgVerifyUndelivered(l, target.ID))
		return
	}
	if err := b.deps.Engine.LinkSent(ctx, is.Flow, viaDM); err != nil {
		b.deps.Log.Warn("verify: could not record the delivery", "flow", is.Flow.ID, "err", err)
	}
	b.respond(ctx, r.Respond, b.msgVerifySent(l, target.ID, is.Flow))
}
