package bot

import (
	"context"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// job is the background work a first reply promises, started once the
// reply is given. Budgeted jobs spend one of the identity's interactions
// first; flow starts are not budgeted (the engine limits them).
type job struct {
	name     string
	budgeted bool
	work     func(ctx context.Context)
}

// run starts j for who, answering r if their budget is spent.
func (b *Bot) run(j job, who User, r Responder) {
	switch {
	case j.work == nil:
	case j.budgeted:
		b.budgeted(j.name, who, r, j.work)
	default:
		b.async(j.name, who, r, j.work)
	}
}

// localeWait bounds the platform lookup of a person's language before
// their first reply; after it, the reply goes out in the configured
// language rather than keep them waiting.
const localeWait = 2 * time.Second

// answerFirst gives the first reply to a command or click in the person's
// language. plan words the reply for a user whose locale is as known as
// it gets and names the work it promises. When the request carried the
// locale (Teams, Discord), the platform cannot tell it (the console), or
// an earlier lookup is remembered, the reply is returned at once. Otherwise
// (a Slack member not met for half an hour) the platform is asked, with
// nothing returned now (Slack shows nothing for an empty acknowledgement),
// and the reply goes through r once the platform answered or localeWait
// passed: either way exactly one first reply, before any of the work.
func (b *Bot) answerFirst(u User, r Responder, plan func(User) (Message, job)) Message {
	if known, ok := b.knownLocale(u); ok || r == nil || b.busy() {
		// Without a Responder there is no later; a full queue is
		// answered at once (busy) rather than grown by a lookup.
		m, j := plan(known)
		b.run(j, known, r)
		return m
	}
	b.async("locale", u, r, func(ctx context.Context) {
		lctx, cancel := context.WithTimeout(ctx, localeWait)
		u.Locale = b.localeOf(lctx, u.ID)
		cancel()
		m, j := plan(u)
		if !m.IsZero() {
			b.respond(ctx, r, m)
		}
		b.run(j, u, r)
	})
	return Message{}
}

// knownLocale returns u with the locale filled in from memory, and
// whether asking the platform could tell more.
func (b *Bot) knownLocale(u User) (User, bool) {
	if u.Locale != (flows.Locale{}) {
		return u, true
	}
	if _, ok := b.platforms[u.ID.Platform].(LocaleResolver); !ok {
		return u, true
	}
	loc, ok := b.locales.get(u.ID, b.deps.Now())
	u.Locale = loc
	return u, ok
}
