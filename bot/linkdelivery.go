package bot

import (
	"context"
	"errors"
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
// sends the new one privately, retrying while the chat refuses it for now.
// The helpdesk thread says "Link sent" only once a delivery is recorded.
// A direct message the chat refuses for good (the person blocked the app,
// a deactivated user) ends the flow as undeliverable, and the helpdesk
// thread says so (undeliverable): the job has no other way to the person.
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
	if !linkKind(f.Kind) || !f.LinkSentAt.IsZero() {
		return true, nil
	}
	if !b.now().Before(f.ExpiresAt) && (f.State == flows.StateIssued || f.State == flows.StateExpired) {
		return b.expiredUndelivered(ctx, f, ms)
	}
	if f.State != flows.StateIssued {
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
		if err := b.sendClaim(ctx, &flows.Issued{Flow: f}, f.RequestedBy); err != nil {
			if !IsPermanent(err) {
				return false, fmt.Errorf("link delivery of flow %s: %w", f.ID, err)
			}
			b.undeliverable(ctx, f, err)
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
			b.undeliverable(ctx, f, err)
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

// lateTellWindow is how long after an undelivered link expired the job
// keeps trying to tell its person so (while the chat refuses for now);
// after it, the news is too old to help and the job gives up, logged and
// counted.
const lateTellWindow = 10 * time.Minute

// expiredUndelivered handles a flow whose link expired before any delivery
// was recorded (the chat refused every try for now, or the process was
// down): the person, who was told a link was coming (or whom the helpdesk
// sent one), is told privately that it could not reach them in time and
// nothing changed. No link goes with it: the expired one opens nothing.
func (b *Bot) expiredUndelivered(ctx context.Context, f *flows.Flow, ms Messenger) (bool, error) {
	l := b.langOf(f.Locale)
	line := l.T("chat.link_late.body", "Contact", b.cfg.HelpdeskContact)
	err := ms.SendPrivate(ctx, f.Subject.Chat, Message{Summary: l.T("chat.link_late.summary"), Body: []string{line}, Tone: ToneWarning})
	if err != nil && !IsPermanent(err) && b.now().Before(f.ExpiresAt.Add(lateTellWindow)) {
		return false, fmt.Errorf("telling the person of flow %s their link expired undelivered: %w", f.ID, err)
	}
	b.unfinished("link", unfinishedExpired)
	if err != nil {
		b.deps.Log.Warn("link expired undelivered, and its person could not be told", "flow", f.ID, "err", err)
	} else {
		b.deps.Log.Warn("link expired undelivered; its person was told", "flow", f.ID)
	}
	return true, nil
}

// linkKind reports whether flows of kind k have a link the request sends
// to the subject (approver confirmations go to the approver elsewhere).
func linkKind(k flows.Kind) bool {
	return k.SetsPassword() || k == flows.KindUnlock || k == flows.KindEnroll
}

// linkOutcome is what became of a link its request sent itself.
type linkOutcome int

const (
	// linkDelivered: by direct message or the request's own reply, and
	// recorded.
	linkDelivered linkOutcome = iota
	// linkPending: not yet; the chat refused it for now, and the delivery
	// job (linkSink) resends it by direct message once it is due.
	linkPending
	// linkUndeliverable: no private channel to the person takes it; the
	// flow was ended and the helpdesk thread says so.
	linkUndeliverable
)

// linkUndeliverableReason is the audit reason of a flow ended because its
// link could reach its person by no private channel; the helpdesk thread
// words it (chat.event.undeliverable).
const linkUndeliverableReason = "the link could not be delivered to the user privately"

// linkTries bounds the request's own attempts at a link while the chat
// refuses both its direct message and the request's reply for now (a
// chat outage, a rate limit); linkRetryPause is the first pause between
// them, doubling, unless the platform said how long to wait.
const (
	linkTries      = 3
	linkRetryPause = time.Second
)

// deliverLink sends the link privately and records that it was sent: by
// direct message, else (the person's own request only, never a pushed
// link) by the request's reply, which is private too. When both fail for
// now, it tries again a few times, within the work's deadline and well
// before the delivery job would replace the link (half of
// LinkResendAfter after the request), so a link it sends late is never
// replaced under the person. When the direct message is refused for good
// and the reply cannot take the link either, nothing could ever reach the
// person: the flow ends as undeliverable and the helpdesk thread says so.
// Otherwise a link not yet delivered is left to the delivery job, which
// resends it by direct message.
func (b *Bot) deliverLink(ctx context.Context, is *flows.Issued, pushedBy *flows.ChatIdentity, fallback Responder) linkOutcome {
	f := is.Flow
	msg := b.msgLink(f, is.Token, pushedBy)
	if pushedBy != nil {
		fallback = nil // the request is the helpdesk member's, not the recipient's
	}
	until := f.IssuedAt.Add(b.cfg.LinkResendAfter / 2)
	pause := linkRetryPause
	var dmErr, replyErr error
	for try := 1; ; try++ {
		if dmErr == nil || !IsPermanent(dmErr) {
			if dmErr = b.sendPrivate(ctx, f.Subject.Chat, msg); dmErr == nil {
				return b.linkSent(ctx, f, viaDM)
			}
		}
		replyOpen := fallback != nil && (replyErr == nil || !IsPermanent(replyErr))
		if replyOpen {
			// The DM failed (DMs closed?): the requester's own ephemeral
			// answer is private too.
			b.deps.Log.Warn("direct message failed; answering in the request instead", "flow", f.ID, "err", dmErr)
			if replyErr = fallback.Respond(ctx, msg); replyErr == nil {
				return b.linkSent(ctx, f, viaReply)
			}
			replyOpen = !IsPermanent(replyErr)
		}
		dmOpen := !IsPermanent(dmErr)
		if !dmOpen && !replyOpen {
			b.undeliverable(ctx, f, errors.Join(dmErr, replyErr))
			return linkUndeliverable
		}
		wait := pause
		var ra *RetryAfterError
		if errors.As(replyErr, &ra) || errors.As(dmErr, &ra) {
			wait = max(wait, ra.After)
		}
		if try == linkTries || b.now().Add(wait).After(until) || !sleepCtx(ctx, wait) {
			if dmOpen {
				b.deps.Log.Warn("could not deliver the link; the delivery job resends it", "flow", f.ID, "err", errors.Join(dmErr, replyErr))
				return linkPending
			}
			// Only the reply could still take it, and its time is up: the
			// job's direct message would be refused as this one was.
			b.undeliverable(ctx, f, errors.Join(dmErr, replyErr))
			return linkUndeliverable
		}
		pause *= 2
	}
}

// linkSent records a delivered link, trying again briefly when the store
// fails: unrecorded, the delivery job would replace the link the person
// holds with a second one, and the first would open nothing.
func (b *Bot) linkSent(ctx context.Context, f *flows.Flow, where string) linkOutcome {
	var err error
	for try, pause := 0, 100*time.Millisecond; try < 3; try, pause = try+1, pause*2 {
		if err = b.deps.Engine.LinkSent(ctx, f, where); err == nil || !sleepCtx(ctx, pause) {
			break
		}
	}
	if err != nil {
		b.deps.Log.Warn("could not record link delivery", "flow", f.ID, "err", err)
	}
	return linkDelivered
}

// undeliverable ends flow f, whose link no private channel to its person
// takes (cause says why), so no live link is left that nobody holds; the
// helpdesk thread says the person must be reached another way (its line
// is chat.event.undeliverable), and the WorkMeter counts it.
func (b *Bot) undeliverable(ctx context.Context, f *flows.Flow, cause error) {
	b.unfinished("link", unfinishedUndeliverable)
	b.deps.Log.Warn("link undeliverable by any private channel; the flow is ended", "flow", f.ID, "err", cause)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tellTimeout)
	defer cancel()
	if _, err := b.deps.Engine.Cancel(ctx, f.ID, flows.ChatIdentity{}, linkUndeliverableReason); err != nil {
		b.deps.Log.Warn("could not end a flow whose link is undeliverable", "flow", f.ID, "err", err)
	}
}

// sleepCtx waits d, or less if ctx ends first (reported false).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
