package bot

import (
	"context"
	"errors"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// revokeSink carries out an approved revocation of a privileged account's
// factors (flows.KindRevoke). It acts on the approval's audit event, not
// on the click, so an approval that counts only once the approver
// confirmed with their passkey (in the web app) is carried out the same
// way as a plain click, exactly once per approval.
type revokeSink struct{ b *Bot }

// Name implements flows.Sink.
func (revokeSink) Name() string { return "revoke-apply" }

// Deliver implements flows.Sink.
func (s revokeSink) Deliver(ctx context.Context, ev flows.Event) error {
	if ev.Type != flows.EventApproved || ev.Kind != flows.KindRevoke {
		return nil
	}
	return s.b.once(ctx, s.Name(), ev, func() error { return s.b.applyRevoke(ctx, ev.FlowID) })
}

// applyRevoke removes the factors an approved KindRevoke flow names,
// records the removal in the flow (its thread shows it) and tells the
// user. What matches is noted in the flow first (BeginRevoke), so a crash
// after the removal and before the record is retried to the true outcome:
// the retry removes nothing more, and the noted factors now gone are what
// the interrupted attempt removed. The flow, once completed, tells nobody
// twice.
func (b *Bot) applyRevoke(ctx context.Context, flowID string) error {
	f, err := b.deps.Engine.Get(ctx, flowID)
	if errors.Is(err, flows.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !f.Approval.Granted || (f.State != flows.StateVerified && f.State != flows.StateApplying) {
		return nil // expired, cancelled or already carried out
	}
	revoker, ok := b.deps.Factors.(FactorRevoker)
	if !ok {
		b.deps.Log.Error("revoke: approved, but this installation cannot remove factors", "flow", f.ID, "account", f.Subject.AccountName)
		return nil
	}
	lister, _ := b.deps.Factors.(FactorLister)
	if f.State == flows.StateVerified {
		var matching []string
		if lister != nil {
			d, err := lister.FactorDetails(ctx, f.Subject.AccountID)
			if err != nil {
				return err
			}
			matching = revokeMatches(d, f.Factor)
		}
		f, err = b.deps.Engine.BeginRevoke(ctx, flowID, matching)
		if errors.Is(err, flows.ErrAlreadyDecided) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	removed, err := revoker.RevokeFactors(ctx, f.Subject.AccountID, f.Factor)
	if err != nil {
		return err
	}
	out := flows.RevokeOutcome{Removed: removed}
	if lister != nil && len(f.Revoking) > 0 {
		d, err := lister.FactorDetails(ctx, f.Subject.AccountID)
		if err != nil {
			return err
		}
		out.Earlier = goneSince(f.Revoking, removed, revokeMatches(d, f.Factor))
	}
	f, err = b.deps.Engine.RecordRevoke(ctx, flowID, out)
	if errors.Is(err, flows.ErrAlreadyDecided) {
		return nil
	}
	if err != nil {
		return err
	}
	all := append(append([]string(nil), out.Removed...), out.Earlier...)
	if len(all) == 0 {
		return nil
	}
	m := b.msgRevoked(b.langOf(f.Locale), f.Locale, f.RequestedBy, joinList(quoted(all)), f.EndedAt)
	if err := b.sendPrivate(ctx, f.Subject.Chat, m); err != nil {
		b.deps.Log.Warn("revoke: could not tell the user", "flow", f.ID, "account", f.Subject.AccountName, "err", err)
	}
	return nil
}

// revokeWords are the helpdesk thread parent's title, account tier and
// status for a revocation: no link and no passkey of the user's are
// involved, only the approval and the removal.
func (b *Bot) revokeWords(f *flows.Flow, tier, status string) (string, string, string) {
	l := b.helpdeskLang()
	switch f.State {
	case flows.StateAwaitingApproval:
		status = l.T("chat.revoke.status.waiting", "Name", f.Factor)
	case flows.StateVerified:
		status = l.T("chat.revoke.status.approved", "Name", f.Factor)
	}
	if f.Subject.Privileged {
		tier = l.T("chat.revoke.tier")
	}
	return l.T("chat.revoke.title"), tier, status
}

// msgRevokeDecided answers the member who approved or denied a
// revocation: the removal happens once the approval is recorded.
func msgRevokeDecided(l i18n.Lang, grant bool) Message {
	if grant {
		return Message{Summary: l.T("chat.revoke.approved"), Body: []string{l.T("chat.revoke.approved")}, Tone: ToneGood}
	}
	return Message{Summary: l.T("chat.revoke.denied"), Body: []string{l.T("chat.revoke.denied")}}
}
