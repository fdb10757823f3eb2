package bot

import (
	"context"
	"time"

	"github.com/resetbot/resetbot/internal/i18n"
)

// A request the bot acknowledged ("Got it: I'm preparing a link") is a
// promise. When the background work behind it cannot keep it (it waited
// past its deadline for a worker, the process is stopping, it panicked,
// its link could reach the person by no private channel, or it expired
// before any try got through), the person is told so in their language,
// instead of being left with the acknowledgement alone, and the WorkMeter
// counts it.

// Why a piece of acknowledged work ended without doing what it promised:
// the WorkMeter's reason.
const (
	// unfinishedLate: its deadline (workTimeout) passed while it waited
	// for a worker; it never ran.
	unfinishedLate = "late"
	// unfinishedShutdown: the process stopped before a worker took it;
	// it never ran.
	unfinishedShutdown = "shutdown"
	// unfinishedPanic: it panicked part way (a bug).
	unfinishedPanic = "panic"
	// unfinishedUndeliverable: its link reached the person by no private
	// channel, and the flow was ended (linkdelivery.go).
	unfinishedUndeliverable = "undeliverable"
	// unfinishedExpired: its link expired before any delivery succeeded
	// (linkdelivery.go); the person is told, when the chat lets us.
	unfinishedExpired = "expired"
)

// WorkMeter is an optional dependency (Deps.Meter) that counts the
// acknowledged requests the core could not carry out, by the work's name
// ("start", "help", "locale", "link", ...) and the reason ("late",
// "shutdown", "panic", "undeliverable", "expired"): each is a person who was told
// "working on it" and then had to be told it did not work, which an
// operator should see on a dashboard, not only in the log.
type WorkMeter interface {
	Unfinished(work, reason string)
}

// tellTimeout bounds one message telling a person their request was not
// carried out; closeTellBudget bounds all of them together once Close has
// begun, so a stopping process with a full queue and a dead chat API still
// stops in seconds.
const (
	tellTimeout     = 10 * time.Second
	closeTellBudget = 5 * time.Second
)

// unfinished counts one piece of work that did not do what it promised.
func (b *Bot) unfinished(work, reason string) {
	if b.deps.Meter != nil {
		b.deps.Meter.Unfinished(work, reason)
	}
}

// tellUnfinished returns what the work queue calls when the piece of work
// name, promised to who (answering on r), is dropped unrun or panics: the
// person reads that nothing was done (or, after a panic, that something
// went wrong, with the reference the log carries), in their language.
func (b *Bot) tellUnfinished(name string, who User, r Responder) func(reason, errorID string) {
	return func(reason, errorID string) {
		b.unfinished(name, reason)
		ctx, cancel := context.WithTimeout(b.tellCtx, tellTimeout)
		defer cancel()
		l := b.langFor(who)
		m := b.msgTooLate(l)
		if reason == unfinishedPanic {
			// It may have done part of its work: "nothing was changed"
			// might not be true.
			m = b.msgTrouble(l, errorID)
		}
		b.send(ctx, who.ID, r, m)
	}
}

// msgTooLate tells a person their acknowledged request was dropped before
// any of it ran: nothing changed, and trying again is safe.
func (b *Bot) msgTooLate(l i18n.Lang) Message {
	return Message{
		Summary: l.T("chat.too_late.summary"),
		Body:    []string{l.T("chat.too_late.body", "Contact", b.cfg.HelpdeskContact)},
		Tone:    ToneWarning,
	}
}
