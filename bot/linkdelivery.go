package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// DefaultLinkResendAfter is how long after a flow was requested the link
// delivery job waits for the request's own delivery to be recorded before
// it sends a new link itself: far longer than a private message takes,
// including a chat API's Retry-After under the pacer, so a slow delivery is
// not doubled, and short enough that a user whose replica died mid-request
// still gets a link while the flow is young.
const DefaultLinkResendAfter = 2 * time.Minute

// linkSink makes link delivery at least once. The request that starts a
// flow sends the link itself (a private message, or the request's own
// ephemeral answer when DMs fail) and records it (Engine.LinkSent); this
// job, in its own consumer group, reads each flow's "requested" event and,
// when no delivery was recorded after LinkResendAfter (the process died
// between issuing and sending, or both sends failed), replaces the link
// (only the token's hash is stored, so the lost one cannot be resent) and
// sends the new one privately. The helpdesk thread says "Link sent" only
// once a delivery is recorded.
type linkSink struct{ b *Bot }

// Name implements flows.Sink.
func (linkSink) Name() string { return "link-delivery" }

// Deliver implements flows.Sink for one event; see DeliverBatch.
func (s linkSink) Deliver(ctx context.Context, ev flows.Event) error {
	done, err := s.DeliverBatch(ctx, []flows.Event{ev})
	if err == nil && len(done) == 0 {
		return fmt.Errorf("link delivery of flow %s: not due yet", ev.FlowID)
	}
	return err
}

// DeliverBatch implements flows.BatchSink. A flow requested less than
// LinkResendAfter ago is left pending (not returned as handled), to be
// looked at again once it is due; everything before the first failure is
// handled.
func (s linkSink) DeliverBatch(ctx context.Context, evs []flows.Event) ([]string, error) {
	var done []string
	for _, ev := range evs {
		due, err := s.deliver(ctx, ev)
		if err != nil {
			return done, err
		}
		if due {
			done = append(done, ev.ID)
		}
	}
	return done, nil
}

// deliver looks at one event; handled is false for a flow not yet due.
func (s linkSink) deliver(ctx context.Context, ev flows.Event) (handled bool, err error) {
	if ev.Type != flows.EventRequested || !linkKind(ev.Kind) {
		return true, nil
	}
	b := s.b
	f, ms, err := b.flowOf(ctx, ev)
	if err != nil || f == nil {
		return err == nil, err
	}
	if !linkKind(f.Kind) || f.State != flows.StateIssued || !f.LinkSentAt.IsZero() || !b.now().Before(f.ExpiresAt) {
		return true, nil
	}
	if b.now().Sub(ev.Time) < b.cfg.LinkResendAfter {
		return false, nil
	}
	if b.withheld(ctx, f) {
		return true, nil // withdrawn: the helpdesk thread says why
	}
	if f.Claim.Required {
		// Bound to the recipient's chat identity: the button again, never
		// a URL (claim.go); once claimed, the link went with the claim.
		if !f.Claim.At.IsZero() {
			return true, nil
		}
		if err := b.sendClaim(ctx, &flows.Issued{Flow: f}, f.RequestedBy); err != nil && !IsPermanent(err) {
			return false, fmt.Errorf("link delivery of flow %s: %w", f.ID, err)
		}
		return true, nil
	}
	is, err := b.deps.Engine.ReissueLink(ctx, f.ID, reissueUndelivered)
	if err != nil || is == nil {
		return err == nil, err
	}
	var pushedBy *flows.ChatIdentity
	if f.RequestedBy != f.Subject.Chat {
		pushedBy = &is.Flow.RequestedBy
	}
	if err := ms.SendPrivate(ctx, f.Subject.Chat, b.msgLink(is.Flow, is.Token, pushedBy)); err != nil {
		if IsPermanent(err) {
			b.deps.Log.Error("link undeliverable; not retried", "flow", f.ID, "err", err)
			return true, nil
		}
		// The next attempt replaces this link again: it was never seen.
		return false, fmt.Errorf("link delivery of flow %s: %w", f.ID, err)
	}
	if err := b.deps.Engine.LinkSent(ctx, is.Flow, viaResent); err != nil {
		return false, fmt.Errorf("link delivery of flow %s: record: %w", f.ID, err)
	}
	return true, nil
}

// linkKind reports whether flows of kind k have a link the request sends
// to the subject (approver confirmations go to the approver elsewhere).
func linkKind(k flows.Kind) bool {
	return k.SetsPassword() || k == flows.KindUnlock || k == flows.KindEnroll
}
