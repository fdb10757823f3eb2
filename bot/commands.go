package bot

import (
	"context"
	"errors"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// HandleCommand implements Handler. It parses the command and returns the
// first reply without any I/O (answerFirst: in the person's language, or
// nothing now and the reply a platform lookup later); the work continues
// in the background.
func (b *Bot) HandleCommand(_ context.Context, r Request) Message {
	return b.answerFirst(r.From, r.Respond, func(u User) (Message, job) {
		r.From = u
		return b.command(r)
	})
}

// command words the first reply to r and names the work it promises.
func (b *Bot) command(r Request) (Message, job) {
	cmd, err := ParseCommand(r.Text, r.Mentions)
	syntax := b.syntaxFor(r.From.ID.Platform)
	l := b.langFor(r.From)
	var ce *CommandError
	if errors.As(err, &ce) {
		return msgNotUnderstood(l, ce, syntax), job{}
	}
	if cmd.Verb != VerbHelp && b.busy() {
		return msgBusy(l), job{}
	}
	budgeted := func(name string, work func(ctx context.Context)) job {
		return job{name: name, budgeted: true, work: work}
	}
	switch cmd.Verb {
	case VerbHelp:
		return msgHelp(l, false, syntax), budgeted("help", func(ctx context.Context) { b.help(ctx, r) })
	case VerbReset, VerbUnlock, VerbEnroll:
		kind := flows.Kind(cmd.Verb)
		return msgWorking(l, cmd.Verb), job{name: "start", work: func(ctx context.Context) { b.startOwn(ctx, r, flows.StartRequest{Kind: kind}) }}
	case VerbFor, VerbEnrollFor:
		kind := flows.KindReset
		if cmd.Verb == VerbEnrollFor {
			kind = flows.KindEnroll
		}
		target := *cmd.Target
		return msgChecking(l), budgeted("push", func(ctx context.Context) { b.push(ctx, r, target, kind) })
	case VerbStatus:
		return Message{Summary: l.T("chat.checking.summary"), Body: []string{l.T("chat.checking.status")}},
			budgeted("status", func(ctx context.Context) { b.status(ctx, r) })
	case VerbCancel:
		return Message{Summary: l.T("chat.cancelling.summary"), Body: []string{l.T("chat.cancelling.body")}},
			budgeted("cancel", func(ctx context.Context) { b.cancelOwn(ctx, r) })
	case VerbWho:
		target := *cmd.Target
		return msgChecking(l), budgeted("who", func(ctx context.Context) { b.who(ctx, r, target) })
	case VerbRevoke:
		target, name := *cmd.Target, cmd.Passkey
		return msgChecking(l), budgeted("revoke", func(ctx context.Context) { b.revoke(ctx, r, target, name) })
	case VerbVerify:
		target, reason := *cmd.Target, cmd.Reason
		return msgChecking(l), budgeted("verify", func(ctx context.Context) { b.verifyCaller(ctx, r, target, reason) })
	case VerbReport:
		return Message{Summary: l.T("chat.report.preparing"), Body: []string{l.T("chat.report.preparing")}},
			budgeted("report", func(ctx context.Context) { b.report(ctx, r) })
	}
	return msgHelp(l, false, syntax), job{}
}

// respond answers the requester privately, logging a failure (the user can
// simply ask again).
func (b *Bot) respond(ctx context.Context, r Responder, m Message) {
	if r == nil {
		return
	}
	if err := r.Respond(ctx, m); err != nil {
		b.deps.Log.Warn("could not answer the requester", "err", err)
	}
}

// help sends the helpdesk their longer help; everyone else already has it.
func (b *Bot) help(ctx context.Context, r Request) {
	if _, ok, err := b.helpdeskAccount(ctx, r.From); err == nil && ok {
		b.respond(ctx, r.Respond, msgHelp(b.langFor(r.From), true, b.syntaxFor(r.From.ID.Platform)))
	}
}

// startOwn starts a flow of req's kind for the requester's own account and
// sends the link privately; the rest of req (the subject, the requester)
// is filled in here. Refusals are audited by the engine with their
// reason; the requester gets the catalogued words.
func (b *Bot) startOwn(ctx context.Context, r Request, req flows.StartRequest) {
	// Slack's requests do not say the language; the flow (link, pages) should.
	r.From = b.withLocale(ctx, r.From)
	lookup, err := b.lookupFor(ctx, r.From)
	if err != nil {
		id := b.refused("identity mapping failed", err, "user", r.From.ID.String())
		b.send(ctx, r.From.ID, r.Respond, b.msgUnavailable(b.langFor(r.From), id))
		return
	}
	req.Lookup, req.Chat, req.RequestedBy, req.Locale = lookup, r.From.ID, r.From.ID, r.From.Locale
	is, err := b.deps.Engine.Start(ctx, req)
	if err != nil {
		b.send(ctx, r.From.ID, r.Respond, b.startFailure(err, r.From))
		return
	}
	if b.withheld(ctx, is.Flow) {
		b.send(ctx, r.From.ID, r.Respond, b.msgNoFactor(b.langFor(r.From)))
		return
	}
	b.deliverLink(ctx, is, nil, r.Respond)
}

// startFailure maps a Start error to the requester's message.
func (b *Bot) startFailure(err error, u User) Message {
	who, l := u.ID, b.langFor(u)
	switch {
	case errors.Is(err, flows.ErrRateLimited):
		return b.msgRateLimited(l)
	case errors.Is(err, flows.ErrRiskDenied):
		return b.msgRiskDenied(l)
	case errors.Is(err, flows.ErrNotEligible):
		return b.msgUnavailable(l, b.refused("start refused", err, "user", who.String()))
	}
	return b.msgTrouble(l, b.fail("start failed", err, "user", who.String()))
}

// send delivers a message privately, preferring the request's own reply.
func (b *Bot) send(ctx context.Context, to flows.ChatIdentity, r Responder, m Message) {
	if r != nil {
		b.respond(ctx, r, m)
		return
	}
	if err := b.sendPrivate(ctx, to, m); err != nil {
		b.deps.Log.Warn("could not send private message", "to", to.String(), "err", err)
	}
}

func (b *Bot) sendPrivate(ctx context.Context, to flows.ChatIdentity, m Message) error {
	ms, err := b.messenger(to.Platform)
	if err != nil {
		return err
	}
	return ms.SendPrivate(ctx, to, m)
}

// push is the helpdesk's "/reset for @user" and "enroll-for": a verified
// link goes to the target's own private conversation; the helpdesk member
// never sees it, nor any password.
func (b *Bot) push(ctx context.Context, r Request, target User, kind flows.Kind) {
	acct, ok, err := b.helpdeskAccount(ctx, r.From)
	if err != nil {
		b.respond(ctx, r.Respond, b.msgTrouble(b.langFor(r.From), b.fail("helpdesk check failed", err)))
		return
	}
	if !ok {
		b.respond(ctx, r.Respond, msgNotHelpdesk(b.langFor(r.From)))
		return
	}
	lookup, err := b.lookupFor(ctx, target)
	if err != nil {
		b.respond(ctx, r.Respond, msgNoMap(b.langFor(r.From), target.ID))
		return
	}
	r.From, target = b.withLocale(ctx, r.From), b.withLocale(ctx, target)
	b.pushLink(ctx, r.Respond, r.From, acct, lookup, target.ID, target.Locale, kind)
}

// pushLink starts a helpdesk-requested flow for the target and sends the
// link to the target's own private conversation, answering the helpdesk
// member on respond.
func (b *Bot) pushLink(ctx context.Context, respond Responder, fromUser User, acct *directory.User, lookup directory.Lookup, target flows.ChatIdentity, targetLocale flows.Locale, kind flows.Kind) {
	from, l := fromUser.ID, b.langFor(fromUser)
	is, err := b.deps.Engine.Start(ctx, flows.StartRequest{
		Kind: kind, Lookup: lookup, Chat: target, RequestedBy: from, RequestedByAccountID: acct.ID, Locale: targetLocale,
		ClaimInChat: kind == flows.KindEnroll, // bound to the recipient's chat identity (claim.go)
	})
	if err != nil {
		// The helpdesk sees the reason in the audit thread; here, a short
		// answer that does not differ by account state.
		var m Message
		switch {
		case errors.Is(err, flows.ErrRateLimited):
			m = b.msgRateLimited(l)
		case errors.Is(err, flows.ErrNotEligible), errors.Is(err, directory.ErrNotFound):
			m = Message{Summary: l.T("chat.push.notsent.summary"), Body: []string{l.T("chat.push.notsent.body", "User", Mention(target))}, Tone: ToneWarning}
		case errors.Is(err, flows.ErrRiskDenied):
			m = Message{Summary: l.T("chat.push.notsent.summary"), Body: []string{l.T("chat.risk.push_denied.body", "User", Mention(target))}, Tone: ToneWarning}
		default:
			m = b.msgTrouble(l, b.fail("push failed", err))
		}
		b.respond(ctx, respond, m)
		return
	}
	if b.withheld(ctx, is.Flow) {
		b.respond(ctx, respond, Message{
			Summary: l.T("chat.push.nofactor.summary"),
			Body:    []string{l.T("chat.push.nofactor.body", "User", Mention(target))},
			Tone:    ToneWarning,
		})
		return
	}
	if is.Flow.Claim.Required {
		if err := b.sendClaim(ctx, is, from); err != nil {
			b.respond(ctx, respond, b.msgTrouble(l, b.fail("could not deliver the link", err, "flow", is.Flow.ID)))
			return
		}
	} else {
		switch b.deliverLink(ctx, is, &from, nil) {
		case linkPending:
			b.respond(ctx, respond, Message{Summary: l.T("chat.push.pending.summary"), Body: []string{l.T("chat.push.pending.body", "User", Mention(target))}, Tone: ToneWarning})
			return
		case linkUndeliverable:
			b.respond(ctx, respond, Message{Summary: l.T("chat.push.undeliverable.summary"), Body: []string{l.T("chat.push.undeliverable.body", "User", Mention(target))}, Tone: ToneWarning})
			return
		}
	}
	what := l.T("chat.push.what.reset")
	if kind == flows.KindEnroll {
		what = l.T("chat.push.what.enroll")
	}
	body := l.T("chat.push.sent.body", "What", what, "User", Mention(target))
	if is.Flow.Claim.Required {
		body = l.T("chat.push.sent.claim", "What", what, "User", Mention(target))
	}
	b.respond(ctx, respond, Message{
		Summary: l.T("chat.push.sent.summary", "What", what),
		Body:    []string{body},
		Tone:    ToneGood,
	})
}

// cancelOwn cancels the requester's live flows of every kind. Someone with
// no account hears they had no open links, as anyone with none does; a
// directory or Redis that cannot answer is trouble, never "no open links".
func (b *Bot) cancelOwn(ctx context.Context, r Request) {
	l := b.langFor(r.From)
	acct, err := b.accountOf(ctx, r.From)
	if err != nil && !errors.Is(err, directory.ErrNotFound) && !errors.Is(err, errNoIdentity) {
		b.respond(ctx, r.Respond, b.msgTrouble(l, b.fail("cancel failed", err)))
		return
	}
	n := 0
	if err == nil {
		for _, k := range []flows.Kind{flows.KindReset, flows.KindChange, flows.KindUnlock, flows.KindEnroll} {
			id, err := b.deps.Store.LiveID(ctx, acct.ID, k)
			if err == nil && id != "" {
				_, err = b.deps.Engine.Cancel(ctx, id, r.From.ID, "cancelled by the user")
				if err == nil {
					n++
				}
			}
			if errors.Is(err, flows.ErrStoreUnavailable) {
				b.respond(ctx, r.Respond, b.msgTrouble(l, b.fail("cancel failed", err)))
				return
			}
		}
	}
	words := l.T("chat.cancel.none")
	if n > 0 {
		words = l.T("chat.cancel.done")
	}
	b.respond(ctx, r.Respond, Message{Summary: words, Body: []string{words}})
}

// status tells the requester what they have enrolled.
func (b *Bot) status(ctx context.Context, r Request) {
	if b.deps.Factors == nil {
		l := b.langFor(r.From)
		b.respond(ctx, r.Respond, Message{Summary: l.T("chat.status.unavailable.summary"), Body: []string{l.T("chat.status.unavailable.body")}})
		return
	}
	acct, err := b.accountOf(ctx, r.From)
	if err != nil {
		if errors.Is(err, directory.ErrNotFound) || errors.Is(err, errNoIdentity) {
			b.respond(ctx, r.Respond, b.msgUnavailable(b.langFor(r.From), b.refused("status: no account", err)))
			return
		}
		b.respond(ctx, r.Respond, b.msgTrouble(b.langFor(r.From), b.fail("status failed", err)))
		return
	}
	sum, err := b.deps.Factors.Factors(ctx, acct.ID)
	if err != nil {
		b.respond(ctx, r.Respond, b.msgTrouble(b.langFor(r.From), b.fail("status: credentials", err)))
		return
	}
	l := b.langFor(r.From)
	var have []string
	if sum.Passkeys > 0 {
		have = append(have, l.N("chat.status.passkeys", sum.Passkeys))
	}
	if sum.TOTP {
		have = append(have, l.T("chat.status.app"))
	}
	body := l.T("chat.status.have", "List", joinList(have))
	tone := ToneGood
	if len(have) == 0 {
		body, tone = l.T("chat.status.none", "Command", b.syntaxFor(r.From.ID.Platform)("enroll")), ToneWarning
	}
	b.respond(ctx, r.Respond, Message{Summary: body, Title: l.T("chat.status.title"), Body: []string{body}, Tone: tone})
}

// msgChecking is the first reply to a command whose answer follows.
func msgChecking(l i18n.Lang) Message {
	return Message{Summary: l.T("chat.checking.summary"), Body: []string{l.T("chat.checking.body")}}
}

// msgNoMap answers a helpdesk command naming someone who maps to no
// directory account.
func msgNoMap(l i18n.Lang, who flows.ChatIdentity) Message {
	return Message{Summary: l.T("chat.nomap.summary"), Body: []string{l.T("chat.nomap.body", "User", Mention(who))}, Tone: ToneWarning}
}
