package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/resetbot/resetbot/flows"
)

// A passkey or an authenticator app is what lets someone reset the
// password, so every change to them is told to the user (a hijacked
// session that adds its own passkey must not stay silent) and shown in
// the helpdesk thread.

// factorWords is the helpdesk thread's line for a factor change.
func (b *Bot) factorWords(ev flows.Event) (string, Tone) {
	what := plain(orDefault(ev.Reason, methodWords(ev.Method)))
	verb := "Added"
	if ev.Type == flows.EventFactorRemoved {
		verb = "Removed"
	}
	return verb + ": " + what + placeWords(plainPlace(ev)) + " (the user was told privately)", ToneWarning
}

// plainPlace defuses the browser-supplied parts of an event's place.
func plainPlace(ev flows.Event) flows.Event {
	ev.Device, ev.SourceIP = plain(ev.Device), plain(ev.SourceIP)
	return ev
}

// notifyFactorChange tells the user privately what changed in their
// sign-in, where and when, and whom to call if it was not them. The
// message goes to the chat identity the flow belongs to, on its platform.
func (b *Bot) notifyFactorChange(ctx context.Context, ms Messenger, f *flows.Flow, ev flows.Event) error {
	if err := ms.SendPrivate(ctx, f.Subject.Chat, b.msgFactorChanged(f, ev)); err != nil {
		return fmt.Errorf("notify user of a factor change: %w", err)
	}
	return nil
}

// msgFactorChanged is the user's message about a factor change.
func (b *Bot) msgFactorChanged(f *flows.Flow, ev flows.Event) Message {
	what := plain(orDefault(ev.Reason, methodWords(ev.Method)))
	title, consequence := "Sign-in added to your account", "It can now be used to reset your password."
	verb := "added to"
	if ev.Type == flows.EventFactorRemoved {
		title, consequence = "Sign-in removed from your account", "It can no longer be used to reset your password."
		verb = "removed from"
	}
	when := ev.Time.In(b.cfg.Location).Format("Mon 2 Jan 2006 15:04 MST")
	line := fmt.Sprintf("%s %s was %s %s on %s%s.", article(what), what, verb, plain(f.Subject.AccountName), when, placeWords(plainPlace(ev)))
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
