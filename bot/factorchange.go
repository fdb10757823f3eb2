package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// A passkey or an authenticator app is what lets someone reset the
// password, so every change to them is told to the user (a hijacked
// session that adds its own passkey must not stay silent) and shown in
// the helpdesk thread.

// factorWords is the helpdesk thread's line for a factor change, in l
// (the helpdesk's language).
func (b *Bot) factorWords(l i18n.Lang, ev flows.Event) (string, Tone) {
	id := "chat.thread.factor.added"
	if ev.Type == flows.EventFactorRemoved {
		id = "chat.thread.factor.removed"
	}
	return l.T(id, "What", factorWhat(l, ev, "chat.factor.thing"), "Place", placeWords(l, ev)), ToneWarning
}

// notifyFactorChange tells the user privately what changed in their
// sign-in, where and when, and whom to call if it was not them, on every
// platform that can name the account (#8): the flow's own chat identity
// and the account's identities elsewhere (chatIdentitiesOf), so someone
// whose chat session on one platform was hijacked hears of it on another.
// Each recipient is marked once reached, so a retry after one platform
// failed does not repeat the message to the others.
func (b *Bot) notifyFactorChange(ctx context.Context, f *flows.Flow, ev flows.Event) error {
	targets, err := b.factorChangeRecipients(ctx, f)
	errs := []error{err}
	msg := b.msgFactorChanged(f, ev)
	for _, id := range targets {
		ms, err := b.messenger(id.Platform)
		if err != nil {
			continue
		}
		group := factorNotifyGroup + ":" + id.String()
		if _, done, err := b.deps.Store.Marked(ctx, group, ev.ID); err != nil || done {
			errs = append(errs, err)
			continue
		}
		if err := ms.SendPrivate(ctx, id, msg); err != nil {
			if !IsPermanent(err) {
				errs = append(errs, fmt.Errorf("notify %s of a factor change: %w", id, err))
				continue
			}
			b.deps.Log.Error("factor change notification undeliverable; not retried", "flow", f.ID, "event", ev.ID, "to", id.String(), "err", err)
		}
		errs = append(errs, b.deps.Store.Mark(ctx, group, ev.ID, markDone))
	}
	return errors.Join(errs...)
}

// factorNotifyGroup prefixes the per-recipient marks of factor change
// notifications.
const factorNotifyGroup = "user-notify-factor"

// factorChangeRecipients is the flow's chat identity followed by the
// account's other chat identities. An account gone from the directory
// has only the flow's; a directory or platform that cannot answer now is
// an error (the sink retries), with the identities found so far.
func (b *Bot) factorChangeRecipients(ctx context.Context, f *flows.Flow) ([]flows.ChatIdentity, error) {
	targets := []flows.ChatIdentity{f.Subject.Chat}
	u, err := b.deps.Directory.Find(ctx, directory.Lookup{Kind: directory.ByID, Value: f.Subject.AccountID})
	if errors.Is(err, directory.ErrNotFound) {
		return targets, nil
	}
	if err != nil {
		return targets, fmt.Errorf("bot: chat identities of %s: %w", f.Subject.AccountID, err)
	}
	ids, err := b.chatIdentitiesOf(ctx, u)
	for _, id := range ids {
		if id != f.Subject.Chat {
			targets = append(targets, id)
		}
	}
	return targets, err
}

// msgFactorChanged is the user's message about a factor change, in
// their language.
func (b *Bot) msgFactorChanged(f *flows.Flow, ev flows.Event) Message {
	l := b.langOf(f.Locale)
	id := "chat.factor.added"
	if ev.Type == flows.EventFactorRemoved {
		id = "chat.factor.removed"
	}
	line := l.T(id+".line", "What", factorWhat(l, ev, "chat.factor.subject"), "Account", f.Subject.AccountName,
		"When", b.dateIn(l, ev.Time), "Place", placeWords(l, ev))
	return Message{
		Summary: line,
		Title:   l.T(id + ".title"),
		Body: []string{
			line, l.T(id + ".consequence"),
			l.T("chat.factor.notyou", "Contact", b.cfg.HelpdeskContact),
		},
		Note: l.T("chat.flow", "ID", f.ID),
		Tone: ToneWarning,
	}
}

// factorWhat names the changed factor in l, from the catalogue's prefix
// set: "chat.factor.thing" for a list line ("passkey \"Work phone\""),
// "chat.factor.subject" to start a sentence ("A passkey ..."). The
// event's reason is the flow engine's factor code (flows.ReasonPasskey,
// ReasonTOTP, ReasonTOTPReplaced, or a named passkey, flows.PasskeyName);
// a reason of another shape is shown as it is.
func factorWhat(l i18n.Lang, ev flows.Event, set string) string {
	if name, ok := flows.PasskeyName(ev); ok {
		return l.T(set+".passkey_named", "Name", name)
	}
	switch {
	case ev.Method == flows.MethodPasskey && (ev.Reason == "" || ev.Reason == flows.ReasonPasskey):
		return l.T(set + ".passkey")
	case ev.Method == flows.MethodTOTP && (ev.Reason == "" || ev.Reason == flows.ReasonTOTP):
		return l.T(set + ".totp")
	case ev.Method == flows.MethodTOTP && ev.Reason == flows.ReasonTOTPReplaced:
		return l.T(set + ".totp_replacing")
	}
	return orDefault(ev.Reason, methodWords(l, ev.Method))
}

// flowOfAnyPlatform returns the event's flow, or nil when it is gone;
// unlike flowOf, a flow whose own platform is not configured here is
// still returned: the account may be reachable on the others.
func (b *Bot) flowOfAnyPlatform(ctx context.Context, ev flows.Event) (*flows.Flow, error) {
	if ev.FlowID == "" {
		return nil, nil
	}
	f, err := b.deps.Engine.Get(ctx, ev.FlowID)
	if errors.Is(err, flows.ErrNotFound) {
		return nil, nil
	}
	return f, err
}
