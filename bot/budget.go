package bot

import (
	"context"
	"errors"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// interactionWindow is the sliding window of the interaction budget.
const interactionWindow = time.Minute

// DefaultInteractionsPerMinute is the interaction budget of one chat
// identity: far above what a person types or clicks, far below a script.
const DefaultInteractionsPerMinute = 20

// budgeted runs work in the background on the budget of the chat identity
// who asked. Commands that start no flow for the requester (status, help,
// cancel, report, the helpdesk's pushes) and button clicks cost directory
// lookups and chat posts but meet none of the engine's limits, so one
// identity could otherwise keep the workers, the directory and the
// platform's rate limit busy. The budget keys on the chat identity alone,
// before anything is looked up, and the answer is one catalogued sentence:
// it reads the same for every account, so it tells nothing about any.
// Flow starts keep the engine's own limits, which the helpdesk sees.
func (b *Bot) budgeted(name string, who User, r Responder, work func(ctx context.Context)) {
	b.async(name, who, r, func(ctx context.Context) {
		if b.spend(ctx, who, r) {
			work(ctx)
		}
	})
}

// spend takes one interaction from who's budget, answering r when there is
// none left (or when the budget cannot be read: failing closed costs a
// person a retry, failing open would cost the directory a flood).
func (b *Bot) spend(ctx context.Context, u User, r Responder) bool {
	who := u.ID
	err := b.deps.Engine.Allow(ctx, "interact:"+who.String(), interactionWindow, b.cfg.InteractionsPerMinute)
	switch {
	case err == nil:
		return true
	case errors.Is(err, flows.ErrRateLimited):
		b.deps.Log.Warn("interaction budget spent", "user", who.String(), "limit_per_minute", b.cfg.InteractionsPerMinute)
		b.respond(ctx, r, msgSlowDown(b.langFor(u)))
	default:
		b.respond(ctx, r, b.msgTrouble(b.langFor(u), b.fail("interaction budget unavailable", err, "user", who.String())))
	}
	return false
}
