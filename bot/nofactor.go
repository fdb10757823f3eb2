package bot

import (
	"context"
	"errors"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// No dead ends: a reset or unlock link is only sent when the account has a
// factor that can verify it (a passkey; for a standard account an
// authenticator app too). Otherwise the flow is withdrawn before any link
// exists, the user is told privately what to do instead, and the helpdesk
// thread says why, with a button that sends the user a one-time enrollment
// link (helpdesk rules apply to the click; a privileged account's
// enrollment still needs an approval, as every privileged flow does).
//
// Enumeration: the first reply to every request is the same and is sent
// before any lookup. The no-factor answer follows only for an account that
// is eligible, and only to that account's own verified chat identity, where
// a link would otherwise have gone: it tells the requester nothing a link
// would not have told them, and nothing about any other account. Unknown,
// disabled and break-glass accounts still get msgUnavailable, unchanged.

// withheld reports whether the flow's link must not be sent because the
// account has no usable factor, and if so withdraws the flow with the
// reason for the helpdesk thread. A failure to read the factors lets the
// link go (the web page explains a missing factor too): failing closed
// would stop every reset while the credential store is down.
func (b *Bot) withheld(ctx context.Context, f *flows.Flow) bool {
	if b.deps.Factors == nil || (!f.Kind.SetsPassword() && f.Kind != flows.KindUnlock) {
		return false
	}
	sum, err := b.deps.Factors.Factors(ctx, f.Subject.AccountID)
	if err != nil {
		b.deps.Log.Warn("could not read the account's factors; sending the link", "flow", f.ID, "err", err)
		return false
	}
	var why string
	switch {
	case sum.Passkeys > 0, sum.TOTP && !f.Subject.Privileged:
		return false
	case sum.TOTP:
		why = "no passkey enrolled (a privileged account cannot use its authenticator app): no link was sent"
	default:
		why = "no passkey enrolled: no link was sent"
	}
	if _, err := b.deps.Engine.Withdraw(ctx, f.ID, why); err != nil {
		// The flow stays live but its link was never sent: it expires.
		b.deps.Log.Warn("could not withdraw a flow without factors", "flow", f.ID, "err", err)
	}
	return true
}

// msgNoFactor tells a requester without a usable factor what to do, in
// their language.
func (b *Bot) msgNoFactor(l i18n.Lang) Message {
	return Message{
		Summary: l.T("chat.nofactor.summary"),
		Body: []string{
			l.T("chat.nofactor.body"),
			l.T("chat.nofactor.urgent", "Contact", b.cfg.HelpdeskContact),
		},
		Tone: ToneWarning,
	}
}

// sendEnroll is the helpdesk's "Send a set-up link" button under a request
// that got no link: the same as "enroll-for" the request's subject.
func (b *Bot) sendEnroll(ctx context.Context, a Action) {
	acct, ok, err := b.helpdeskAccount(ctx, a.From)
	if err != nil {
		b.respond(ctx, a.Respond, b.msgTrouble(b.langFor(a.From), b.fail("send enrollment: helpdesk check failed", err)))
		return
	}
	if !ok {
		b.respond(ctx, a.Respond, msgNotHelpdesk(b.langFor(a.From)))
		return
	}
	f, err := b.deps.Engine.Get(ctx, a.Value)
	if errors.Is(err, flows.ErrNotFound) || err == nil && f.Kind == flows.KindApprove {
		l := b.langFor(a.From)
		b.respond(ctx, a.Respond, Message{Summary: l.T("chat.nofactor.gone.summary"), Body: []string{l.T("chat.nofactor.gone.body")}})
		return
	}
	if err != nil {
		b.respond(ctx, a.Respond, b.msgTrouble(b.langFor(a.From), b.fail("send enrollment: read flow", err, "flow", a.Value)))
		return
	}
	lookup := directory.Lookup{Kind: directory.ByID, Value: f.Subject.AccountID}
	b.pushLink(ctx, a.Respond, a.From, acct, lookup, f.Subject.Chat, f.Locale, flows.KindEnroll)
}
