package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
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
		b.respond(ctx, r.Respond, Message{Summary: "Sign-in details are not available.", Body: []string{"Sign-in details are not available on this installation."}})
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
	b.respond(ctx, r.Respond, b.msgWho(acct, b.deps.Engine.Privileged(acct), details, failed, open))
}

// msgWho renders "/reset who" for the asking helpdesk member.
func (b *Bot) msgWho(acct *directory.User, privileged bool, d FactorDetails, failed int64, open []*flows.Flow) Message {
	yesNo := func(v bool) string {
		if v {
			return "yes"
		}
		return "no"
	}
	day := func(t time.Time) string { return t.In(b.cfg.Location).Format("2 Jan 2006") }
	passkeys := "none"
	if len(d.Passkeys) > 0 {
		lines := make([]string, len(d.Passkeys))
		for i, p := range d.Passkeys {
			used := "never used"
			if !p.LastUsed.IsZero() {
				used = "last used " + day(p.LastUsed) + " " + b.clock(p.LastUsed)
			}
			bound := "device-bound"
			if p.Synced {
				bound = "synced"
			}
			lines[i] = fmt.Sprintf("%s · added %s · %s · %s", orDefault(p.Name, "unnamed"), day(p.AddedAt), used, bound)
		}
		passkeys = strings.Join(lines, "\n")
	}
	state := "enabled"
	if acct.Disabled {
		state = "disabled"
	}
	if acct.Locked {
		state += ", locked out"
	} else {
		state += ", not locked"
	}
	requests := "none"
	if len(open) > 0 {
		parts := make([]string, len(open))
		for i, f := range open {
			parts[i] = fmt.Sprintf("%s (%s since %s)", f.Kind, statusText(f.State), b.clock(f.IssuedAt))
		}
		requests = strings.Join(parts, ", ")
	}
	name := acct.AccountName
	if acct.DisplayName != "" {
		name = acct.DisplayName + " (" + name + ")"
	}
	return Message{
		Summary: "Sign-in methods of " + name,
		Title:   "Sign-in methods of " + name,
		Fields: []Field{
			{Label: "Passkeys", Value: passkeys},
			{Label: "Authenticator app", Value: yesNo(d.TOTP)},
			{Label: "Account", Value: state},
			{Label: "Privileged", Value: yesNo(privileged)},
			{Label: "Failed verifications (24 h)", Value: fmt.Sprint(failed)},
			{Label: "Open requests", Value: requests},
		},
		Note: "Only you see this; the lookup is in the audit log. Past resets and unlocks are in the helpdesk channel's threads.",
	}
}

// statusText is a flow's status in the thread parent's words.
func statusText(s flows.State) string {
	w, _ := statusWords(s)
	return strings.ToLower(w)
}
