package bot

import (
	"context"
	"errors"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// helpdeskTarget is the opening every helpdesk command about one person
// shares (who, revoke): the acting member's helpdesk power re-checked at
// this moment, then the target's account. Anyone outside the helpdesk
// gets the helpdesk refusal, audited, and the target is never looked up,
// so the answer is the same whoever they named. ok is false when r has
// already been answered.
func (b *Bot) helpdeskTarget(ctx context.Context, r Request, target User, verb string) (member, acct *directory.User, ok bool) {
	member, why, err := b.helpdeskCheck(ctx, r.From)
	if err != nil {
		b.respond(ctx, r.Respond, b.msgTrouble(b.langFor(r.From), b.fail(verb+": helpdesk check failed", err)))
		return nil, nil, false
	}
	if why != "" {
		b.refuseHelpdesk(ctx, r.From.ID, nil, verb, why)
		b.respond(ctx, r.Respond, msgNotHelpdesk(b.langFor(r.From)))
		return nil, nil, false
	}
	acct, err = b.accountOf(ctx, target)
	if err != nil {
		if errors.Is(err, directory.ErrNotFound) || errors.Is(err, errNoIdentity) {
			b.respond(ctx, r.Respond, msgNoMap(b.langFor(r.From), target.ID))
			return nil, nil, false
		}
		b.respond(ctx, r.Respond, b.msgTrouble(b.langFor(r.From), b.fail(verb+": directory", err)))
		return nil, nil, false
	}
	return member, acct, true
}

// refuseHelpdesk audits a refused helpdesk command (the helpdesk sees
// refusals in its channel); acct is the target when the refusal is about
// them, nil when the actor was refused before any lookup.
func (b *Bot) refuseHelpdesk(ctx context.Context, actor flows.ChatIdentity, acct *directory.User, verb, why string) {
	ev := flows.Event{Time: b.now().UTC(), Type: flows.EventRefused, Actor: actor.String(), Outcome: "refused", Reason: verb + ": " + why}
	key := actor.String()
	if acct != nil {
		ev.Account, ev.AccountID, key = acct.AccountName, acct.ID, acct.ID
	}
	if err := b.deps.Store.Append(ctx, key, []flows.Event{ev}); err != nil {
		b.deps.Log.Warn(verb+": could not audit a refusal", "user", actor.String(), "err", err)
	}
}
