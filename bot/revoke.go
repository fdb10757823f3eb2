package bot

import (
	"context"
	"strings"

	"github.com/resetbot/resetbot/flows"
)

// FactorRevoker is an optional capability of Factors: removing factors for
// "/reset revoke" (a lost phone). The core declares it, like Factors.
type FactorRevoker interface {
	// RevokeFactors removes the account's passkeys named name (compared
	// case-insensitively) or, for RevokeAll, every passkey and the
	// authenticator app. It returns what it removed, in words ("iPhone",
	// "authenticator app"); nothing removed is not an error.
	RevokeFactors(ctx context.Context, accountID, name string) ([]string, error)
}

// revoke answers "/reset revoke @user <name | all>" for the helpdesk. The
// member's power is checked again now; anyone else gets the helpdesk
// refusal, audited, and the target is not looked up. A privileged target
// is refused: removing its factors must take a second helpdesk member's
// approval, which chat does not offer for revocations yet.
func (b *Bot) revoke(ctx context.Context, r Request, target User, name string) {
	member, acct, ok := b.helpdeskTarget(ctx, r, target, "revoke")
	if !ok {
		return
	}
	revoker, ok := b.deps.Factors.(FactorRevoker)
	if !ok {
		b.respond(ctx, r.Respond, Message{Summary: "Revoking is not available.", Body: []string{"Revoking sign-in methods is not available on this installation."}})
		return
	}
	switch {
	case acct.ID == member.ID:
		b.refuseHelpdesk(ctx, r.From.ID, acct, "revoke", "own account")
		b.respond(ctx, r.Respond, Message{Summary: "Not for your own account.", Body: []string{"You can't revoke your own sign-in methods here: remove a passkey in the set-up page (" + b.syntaxFor(r.From.ID.Platform)("enroll") + ")."}, Tone: ToneWarning})
		return
	case b.deps.Engine.Privileged(acct):
		b.refuseHelpdesk(ctx, r.From.ID, acct, "revoke", "privileged account: needs a second helpdesk member's approval")
		b.respond(ctx, r.Respond, Message{Summary: "Privileged account: not revoked.", Body: []string{"Nothing was removed: " + Mention(target.ID) + " is a privileged account, whose sign-in methods need a second helpdesk member's approval to remove. Ask an administrator."}, Tone: ToneWarning})
		return
	}
	removed, err := revoker.RevokeFactors(ctx, acct.ID, name)
	if err != nil {
		b.respond(ctx, r.Respond, b.msgTrouble(b.langFor(r.From), b.fail("revoke: credentials", err, "account", acct.AccountName)))
		return
	}
	if len(removed) == 0 {
		b.respond(ctx, r.Respond, Message{Summary: "Nothing matched.", Body: []string{"Nothing was removed: " + Mention(target.ID) + " has no passkey named *" + name + "*. See their passkeys with *" + b.syntaxFor(r.From.ID.Platform)("who @user") + "*."}, Tone: ToneWarning})
		return
	}
	what := joinList(quoted(removed))
	now := b.now().UTC()
	ev := flows.Event{Time: now, Type: flows.EventFactorsRevoked, Actor: r.From.ID.String(), Account: acct.AccountName, AccountID: acct.ID,
		Department: acct.Department, Outcome: "ok", Reason: strings.Join(removed, ", ")}
	if err := b.deps.Store.Append(ctx, acct.ID, []flows.Event{ev}); err != nil {
		b.fail("revoke: the removal is not in the audit stream", err, "account", acct.AccountName, "removed", ev.Reason)
	}
	told := "They were told by direct message."
	if err := b.sendPrivate(ctx, target.ID, Message{
		Summary: "The helpdesk removed a sign-in method from your account",
		Title:   "Sign-in method removed",
		Body:    []string{"The helpdesk (" + Mention(r.From.ID) + ") removed " + what + " from your account at " + b.clock(now) + ". It can no longer confirm resets."},
		Note:    "If you did not ask for this, tell " + b.cfg.HelpdeskContact + " at once.",
		Tone:    ToneWarning,
	}); err != nil {
		b.deps.Log.Warn("revoke: could not tell the user", "account", acct.AccountName, "err", err)
		told = "I could not tell them by direct message: please let them know."
	}
	b.respond(ctx, r.Respond, Message{
		Summary: "Removed " + what + ".",
		Body:    []string{"Removed " + what + " from " + Mention(target.ID) + ". " + told, "To set up a new passkey, send them a link with *" + b.syntaxFor(r.From.ID.Platform)("enroll-for @user") + "*."},
		Tone:    ToneGood,
	})
}

// quoted marks each removed item bold, for the chat messages.
func quoted(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = "*" + s + "*"
	}
	return out
}
