package bot

import (
	"context"
	"strings"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
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
// refusal, audited, and the target is not looked up. A privileged target's
// factors are not removed now: the request waits in the helpdesk channel
// for a second member's approval, like a privileged reset (revokeflow.go).
func (b *Bot) revoke(ctx context.Context, r Request, target User, name string) {
	member, acct, ok := b.helpdeskTarget(ctx, r, target, "revoke")
	if !ok {
		return
	}
	l := b.langFor(r.From)
	revoker, ok := b.deps.Factors.(FactorRevoker)
	if !ok {
		b.respond(ctx, r.Respond, Message{Summary: l.T("chat.revoke.unavailable.summary"), Body: []string{l.T("chat.revoke.unavailable.body")}})
		return
	}
	syntax := b.syntaxFor(r.From.ID.Platform)
	switch {
	case acct.ID == member.ID:
		b.refuseHelpdesk(ctx, r.From.ID, acct, "revoke", "own account")
		b.respond(ctx, r.Respond, Message{Summary: l.T("chat.revoke.own.summary"), Body: []string{l.T("chat.revoke.own.body", "Command", syntax("enroll"))}, Tone: ToneWarning})
		return
	case b.deps.Engine.Privileged(acct):
		b.requestRevoke(ctx, r, target, member, acct, name)
		return
	}
	removed, err := revoker.RevokeFactors(ctx, acct.ID, name)
	if err != nil {
		b.respond(ctx, r.Respond, b.msgTrouble(l, b.fail("revoke: credentials", err, "account", acct.AccountName)))
		return
	}
	if len(removed) == 0 {
		b.respond(ctx, r.Respond, Message{Summary: l.T("chat.revoke.nomatch.summary"),
			Body: []string{l.T("chat.revoke.nomatch.body", "User", Mention(target.ID), "Name", name, "Command", syntax("who @user"))}, Tone: ToneWarning})
		return
	}
	what := joinList(quoted(removed))
	now := b.now().UTC()
	ev := flows.Event{Time: now, Type: flows.EventFactorsRevoked, Actor: r.From.ID.String(), Account: acct.AccountName, AccountID: acct.ID,
		Department: acct.Department, Outcome: "ok", Reason: strings.Join(removed, ", ")}
	if err := b.deps.Store.Append(ctx, acct.ID, []flows.Event{ev}); err != nil {
		b.fail("revoke: the removal is not in the audit stream", err, "account", acct.AccountName, "removed", ev.Reason)
	}
	told := l.T("chat.revoke.done.told")
	if err := b.sendPrivate(ctx, target.ID, b.msgRevoked(b.langFor(target), target.Locale, r.From.ID, what, now)); err != nil {
		b.deps.Log.Warn("revoke: could not tell the user", "account", acct.AccountName, "err", err)
		told = l.T("chat.revoke.done.untold")
	}
	b.respond(ctx, r.Respond, Message{
		Summary: l.T("chat.revoke.done.summary", "What", what),
		Body:    []string{l.T("chat.revoke.done.body", "What", what, "User", Mention(target.ID), "Told", told), l.T("chat.revoke.done.next", "Command", syntax("enroll-for @user"))},
		Tone:    ToneGood,
	})
}

// requestRevoke puts a privileged target's revocation up for a second
// helpdesk member's approval: the flow's thread in the helpdesk channel
// carries the Approve and Deny buttons, and nothing is removed before.
func (b *Bot) requestRevoke(ctx context.Context, r Request, target User, member, acct *directory.User, name string) {
	l := b.langFor(r.From)
	_, err := b.deps.Engine.RequestRevoke(ctx, flows.RevokeRequest{
		Account: acct, Chat: target.ID, RequestedBy: r.From.ID, RequestedByAccountID: member.ID, Factor: name, Locale: target.Locale,
	})
	if err != nil {
		b.respond(ctx, r.Respond, b.msgTrouble(l, b.fail("revoke: approval request", err, "account", acct.AccountName)))
		return
	}
	b.respond(ctx, r.Respond, Message{
		Summary: l.T("chat.revoke.pending.summary"),
		Body:    []string{l.T("chat.revoke.pending.body", "User", Mention(target.ID), "Name", name)},
		Tone:    ToneWarning,
	})
}

// msgRevoked tells the user which of their factors the helpdesk (by)
// removed, in their language and time zone.
func (b *Bot) msgRevoked(l i18n.Lang, loc flows.Locale, by flows.ChatIdentity, what string, at time.Time) Message {
	return Message{
		Summary: l.T("chat.revoke.notice.summary"),
		Title:   l.T("chat.revoke.notice.title"),
		Body:    []string{l.T("chat.revoke.notice.body", "Helpdesk", Mention(by), "What", what, "Time", b.clockIn(at, loc))},
		Note:    l.T("chat.revoke.notice.note", "Contact", b.cfg.HelpdeskContact),
		Tone:    ToneWarning,
	}
}

// quoted marks each removed item bold, for the chat messages.
func quoted(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = "*" + s + "*"
	}
	return out
}
