package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// A passkey or an authenticator app is what lets someone reset the
// password, so every change to them is told to the user (a hijacked
// session that adds its own passkey must not stay silent) and shown in
// the helpdesk thread.

// factorWords is the helpdesk thread's line for a factor change.
func (b *Bot) factorWords(ev flows.Event) (string, Tone) {
	what := orDefault(ev.Reason, methodWords(ev.Method))
	verb := "Added"
	if ev.Type == flows.EventFactorRemoved {
		verb = "Removed"
	}
	return verb + ": " + what + placeWords(ev) + " (the user was told privately)", ToneWarning
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

// msgFactorChanged is the user's message about a factor change.
func (b *Bot) msgFactorChanged(f *flows.Flow, ev flows.Event) Message {
	what := orDefault(ev.Reason, methodWords(ev.Method))
	title, consequence := "Sign-in added to your account", "It can now be used to reset your password."
	verb := "added to"
	if ev.Type == flows.EventFactorRemoved {
		title, consequence = "Sign-in removed from your account", "It can no longer be used to reset your password."
		verb = "removed from"
	}
	when := ev.Time.In(b.cfg.Location).Format("Mon 2 Jan 2006 15:04 MST")
	line := fmt.Sprintf("%s %s was %s %s on %s%s.", article(what), what, verb, f.Subject.AccountName, when, placeWords(ev))
	return Message{
		Summary: line,
		Title:   title,
		Body: []string{
			line, consequence,
			"*If this wasn't you*, contact " + b.cfg.HelpdeskContact + " right away: whoever did it may be able to reset your password.",
		},
		Note: "Flow " + f.ID,
		Tone: ToneWarning,
	}
}

// article is "An" before a vowel, else "A".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiouAEIOU", rune(word[0])) {
		return "An"
	}
	return "A"
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
