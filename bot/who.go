package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// PasskeyInfo is what the helpdesk may see of one passkey: enough to tell
// a caller's phone from a laptop key, never the credential itself.
type PasskeyInfo struct {
	Name     string
	AddedAt  time.Time
	LastUsed time.Time // zero when never used to sign in
	// Synced is a multi-device passkey (WebAuthn backup eligible: it
	// lives in a password manager or platform keychain); otherwise it is
	// bound to one device or security key.
	Synced bool
}

// FactorDetails is an account's enrolled factors in detail, for "/reset
// who".
type FactorDetails struct {
	Passkeys []PasskeyInfo
	TOTP     bool
}

// FactorLister is an optional capability of Factors: the details behind
// the counts. The core declares it, like Factors, so it does not import the
// credential store.
type FactorLister interface {
	FactorDetails(ctx context.Context, accountID string) (FactorDetails, error)
}

// whoKinds are the flows "/reset who" reports while they are open.
var whoKinds = []flows.Kind{flows.KindReset, flows.KindChange, flows.KindUnlock, flows.KindEnroll}

// who answers "/reset who @user" for the helpdesk: the target's factors
// and account state, privately to the asking member, and audited before
// anything is shown. Anyone else gets the helpdesk refusal, audited too,
// without the target being looked up at all.
func (b *Bot) who(ctx context.Context, r Request, target User) {
	_, acct, ok := b.helpdeskTarget(ctx, r, target, "who")
	if !ok {
		return
	}
	lister, ok := b.deps.Factors.(FactorLister)
	if !ok {
		l := b.langFor(r.From)
		b.respond(ctx, r.Respond, Message{Summary: l.T("chat.who.unavailable.summary"), Body: []string{l.T("chat.who.unavailable.body")}})
		return
	}
	details, err := lister.FactorDetails(ctx, acct.ID)
	if err != nil {
		b.respond(ctx, r.Respond, b.msgTrouble(b.langFor(r.From), b.fail("who: credentials", err, "account", acct.AccountName)))
		return
	}
	failed, err := b.deps.Engine.FailedVerifications(ctx, acct.ID)
	if err != nil {
		b.respond(ctx, r.Respond, b.msgTrouble(b.langFor(r.From), b.fail("who: failure count", err, "account", acct.AccountName)))
		return
	}
	var open []*flows.Flow
	for _, k := range whoKinds {
		id, err := b.deps.Store.LiveID(ctx, acct.ID, k)
		if err != nil {
			b.respond(ctx, r.Respond, b.msgTrouble(b.langFor(r.From), b.fail("who: open flows", err, "account", acct.AccountName)))
			return
		}
		if id == "" {
			continue
		}
		if f, err := b.deps.Engine.Get(ctx, id); err == nil && !f.State.Terminal() {
			open = append(open, f)
		}
	}
	ev := flows.Event{Time: b.now().UTC(), Type: flows.EventFactorsViewed, Actor: r.From.ID.String(),
		Account: acct.AccountName, AccountID: acct.ID, Department: acct.Department, Outcome: "ok"}
	if err := b.deps.Store.Append(ctx, acct.ID, []flows.Event{ev}); err != nil {
		// Nothing is shown that was not audited.
		b.respond(ctx, r.Respond, b.msgTrouble(b.langFor(r.From), b.fail("who: audit", err, "account", acct.AccountName)))
		return
	}
	b.respond(ctx, r.Respond, b.msgWho(b.langFor(r.From), acct, b.deps.Engine.Privileged(acct), details, failed, open))
}

// msgWho renders "/reset who" for the asking helpdesk member, in l
// (their language).
func (b *Bot) msgWho(l i18n.Lang, acct *directory.User, privileged bool, d FactorDetails, failed int64, open []*flows.Flow) Message {
	yesNo := func(v bool) string {
		if v {
			return l.T("chat.who.yes")
		}
		return l.T("chat.who.no")
	}
	day := func(t time.Time) string { return l.Date(t.In(b.cfg.Location)) }
	passkeys := l.T("chat.who.none")
	if len(d.Passkeys) > 0 {
		lines := make([]string, len(d.Passkeys))
		for i, p := range d.Passkeys {
			used := l.T("chat.who.never_used")
			if !p.LastUsed.IsZero() {
				used = l.T("chat.who.last_used", "Day", day(p.LastUsed), "Time", b.clock(p.LastUsed))
			}
			bound := l.T("chat.who.device_bound")
			if p.Synced {
				bound = l.T("chat.who.synced")
			}
			lines[i] = l.T("chat.who.passkey", "Name", orDefault(p.Name, l.T("chat.who.unnamed")), "Day", day(p.AddedAt),
				"Used", used, "Bound", bound)
		}
		passkeys = strings.Join(lines, "\n")
	}
	state := "enabled"
	if acct.Disabled {
		state = "disabled"
	}
	if acct.Locked {
		state += "_locked"
	}
	requests := l.T("chat.who.none")
	if len(open) > 0 {
		parts := make([]string, len(open))
		for i, f := range open {
			parts[i] = l.T("chat.who.request", "Kind", l.T("chat.who.kind."+string(f.Kind)),
				"Status", l.T("chat.who.status."+string(f.State)), "Time", b.clock(f.IssuedAt))
		}
		requests = strings.Join(parts, ", ")
	}
	title := l.T("chat.who.title", "Name", displayName(l, acct.DisplayName, acct.AccountName))
	return Message{
		Summary: title,
		Title:   title,
		Fields: []Field{
			{Label: l.T("chat.who.passkeys"), Value: passkeys},
			{Label: l.T("chat.who.totp"), Value: yesNo(d.TOTP)},
			{Label: l.T("chat.who.account"), Value: l.T("chat.who.state." + state)},
			{Label: l.T("chat.who.privileged"), Value: yesNo(privileged)},
			{Label: l.T("chat.who.failed"), Value: fmt.Sprint(failed)},
			{Label: l.T("chat.who.open"), Value: requests},
		},
		Note: l.T("chat.who.note"),
	}
}

// displayName is how people are named to the helpdesk: "Alice Admin
// (alice)", or the account name alone when the directory has no display
// name.
func displayName(l i18n.Lang, display, account string) string {
	if display == "" {
		return account
	}
	return l.T("chat.name.display", "Display", display, "Account", account)
}
