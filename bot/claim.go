package bot

import (
	"context"
	"errors"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// A set-up link the helpdesk pushes is bound to the recipient's chat
// identity (#8 §4). The direct message carries no URL, only a button; the
// platform signs the click and says who made it, the core checks that it
// is the flow's subject, the engine claims the flow for them in one
// compare-and-swap (minting the token at that moment), and only then does
// the clicker get the link, privately. A click by anyone else is refused
// and audited, so whoever reads the message over a shoulder, on a shared
// screen or forwarded gets nothing to open.

// ActionClaimLink is the "This is me" button of a pushed set-up link; its
// value is the flow id.
const ActionClaimLink = "resetbot.claim_link"

// sendClaim sends the subject of a claim-bound flow the button that
// claims it, and records that it was sent.
func (b *Bot) sendClaim(ctx context.Context, is *flows.Issued, pushedBy flows.ChatIdentity) error {
	if err := b.sendPrivate(ctx, is.Flow.Subject.Chat, b.msgClaim(is.Flow, pushedBy)); err != nil {
		return err
	}
	if err := b.deps.Engine.LinkSent(ctx, is.Flow, viaClaim); err != nil {
		b.deps.Log.Warn("could not record link delivery", "flow", is.Flow.ID, "err", err)
	}
	return nil
}

// claim answers a click on ActionClaimLink.
func (b *Bot) claim(ctx context.Context, a Action) {
	f, err := b.deps.Engine.Get(ctx, a.Value)
	if errors.Is(err, flows.ErrNotFound) || err == nil && !f.Claim.Required {
		b.respond(ctx, a.Respond, msgClaimGone(b.langFor(a.From), b.cfg.HelpdeskContact))
		return
	}
	if err != nil {
		b.respond(ctx, a.Respond, b.msgTrouble(b.langFor(a.From), b.fail("claim link: read flow", err, "flow", a.Value)))
		return
	}
	if a.From.ID != f.Subject.Chat {
		if err := b.deps.Engine.RefusedClaim(ctx, f, a.From.ID); err != nil {
			b.deps.Log.Warn("could not audit a refused claim", "flow", f.ID, "user", a.From.ID.String(), "err", err)
		}
		b.respond(ctx, a.Respond, msgClaimNotYours(b.langFor(a.From)))
		return
	}
	is, err := b.deps.Engine.Claim(ctx, f.ID, a.From.ID)
	switch {
	case errors.Is(err, flows.ErrAlreadyClaimed):
		b.respond(ctx, a.Respond, msgClaimedAlready(b.langFor(a.From), b.cfg.HelpdeskContact))
		return
	case errors.Is(err, flows.ErrExpired), errors.Is(err, flows.ErrTokenUsed):
		b.respond(ctx, a.Respond, msgClaimGone(b.langFor(a.From), b.cfg.HelpdeskContact))
		return
	case err != nil:
		b.respond(ctx, a.Respond, b.msgTrouble(b.langFor(a.From), b.fail("claim link", err, "flow", f.ID)))
		return
	}
	pushedBy := f.RequestedBy
	if err := a.Respond.Respond(ctx, b.msgLink(is.Flow, is.Token, &pushedBy)); err != nil {
		// The click's own answer failed: the direct message is private too.
		if err := b.sendPrivate(ctx, a.From.ID, b.msgLink(is.Flow, is.Token, &pushedBy)); err != nil {
			b.fail("could not deliver the claimed link", err, "flow", f.ID)
			return
		}
	}
	if err := b.deps.Engine.LinkSent(ctx, is.Flow, viaClaimed); err != nil {
		b.deps.Log.Warn("could not record link delivery", "flow", f.ID, "err", err)
	}
}

// msgClaim is the direct message of a pushed set-up link: a button, no
// URL, in the recipient's language and time zone.
func (b *Bot) msgClaim(f *flows.Flow, pushedBy flows.ChatIdentity) Message {
	l := b.langOf(f.Locale)
	title := l.T(kindID(f.Kind) + ".title")
	return Message{
		Summary: l.T("chat.claim.summary", "Title", title),
		Title:   title,
		Body: []string{
			l.T("chat.claim.body", "Helpdesk", Mention(pushedBy)),
			l.T("chat.claim.press"),
		},
		Buttons: []Button{{ActionID: ActionClaimLink, Value: f.ID, Label: l.T("chat.claim.button"), Style: StylePrimary}},
		Note:    l.T("chat.claim.note", "Time", b.clockIn(f.ExpiresAt, f.Locale), "Contact", b.cfg.HelpdeskContact),
	}
}

// msgClaimNotYours answers a click on someone else's set-up link, in the
// clicker's language; the refusal is audited.
func msgClaimNotYours(l i18n.Lang) Message {
	return Message{
		Summary: l.T("chat.claim.notyours.summary"),
		Body:    []string{l.T("chat.claim.notyours.body")},
		Tone:    ToneWarning,
	}
}

// msgClaimedAlready answers a second click by the recipient: the link was
// sent once and is not sent again.
func msgClaimedAlready(l i18n.Lang, contact string) Message {
	return Message{
		Summary: l.T("chat.claim.already.summary"),
		Body:    []string{l.T("chat.claim.already.body", "Contact", contact)},
	}
}

// msgClaimGone answers a click on a set-up link that expired or was
// replaced.
func msgClaimGone(l i18n.Lang, contact string) Message {
	return Message{
		Summary: l.T("chat.claim.gone.summary"),
		Body:    []string{l.T("chat.claim.gone.body", "Contact", contact)},
		Tone:    ToneWarning,
	}
}
