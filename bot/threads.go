package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// threadSink renders the audit stream into helpdesk threads. It is a view
// of the stream: a chat outage delays it (events stay pending and are
// retried, honouring Retry-After), it never loses an event.
type threadSink struct{ b *Bot }

// Sink returns the helpdesk-thread sink to register with a flows.Reader.
func (b *Bot) Sink() flows.Sink { return threadSink{b} }

// Name implements flows.Sink.
func (threadSink) Name() string { return "chat-threads" }

// postedTTL is how long a delivered event is remembered for deduplication.
const postedTTL = 48 * time.Hour

// Deliver implements flows.Sink. Each event is posted once: the event id is
// remembered after a successful post, so a redelivery after a crash posts
// nothing twice (except in the instant between the post and the mark).
func (s threadSink) Deliver(ctx context.Context, ev flows.Event) error {
	b := s.b
	key := "posted:" + ev.ID
	if n, err := b.deps.Store.Count(ctx, key, postedTTL, b.now()); err != nil {
		return err
	} else if n > 0 {
		return nil
	}
	if err := s.deliver(ctx, ev); err != nil {
		return err
	}
	_, err := b.deps.Store.Hit(ctx, key, postedTTL, b.now())
	return err
}

func (s threadSink) deliver(ctx context.Context, ev flows.Event) error {
	b := s.b
	if ev.FlowID == "" {
		return s.standalone(ctx, ev)
	}
	f, err := b.deps.Engine.Get(ctx, ev.FlowID)
	if errors.Is(err, flows.ErrNotFound) {
		return nil // aged out of the store: nothing left to show
	}
	if err != nil {
		return err
	}
	ms, err := b.messenger(f.Subject.Chat.Platform)
	if err != nil {
		b.deps.Log.Warn("audit event for a platform that is not configured", "flow", f.ID, "platform", f.Subject.Chat.Platform)
		return nil
	}
	if f.Kind == flows.KindApprove {
		return s.confirmation(ctx, ms, f, []flows.Event{ev})
	}
	thread, err := s.threadOf(ctx, ms, f)
	if err != nil {
		return err
	}
	if f.Thread != "" && changesStatus(ev) {
		if err := ms.UpdateHelpdesk(ctx, thread, b.parentMessage(f)); err != nil {
			return fmt.Errorf("update thread parent: %w", err)
		}
	}
	if err := ms.ReplyHelpdesk(ctx, thread, b.eventMessage(ev)); err != nil {
		return fmt.Errorf("post thread reply: %w", err)
	}
	return s.followUp(ctx, ms, f, ev)
}

// threadOf returns the flow's helpdesk thread, posting its parent message
// (and recording the reference in the flow) the first time.
func (s threadSink) threadOf(ctx context.Context, ms Messenger, f *flows.Flow) (string, error) {
	if f.Thread != "" {
		return f.Thread, nil
	}
	thread, err := ms.PostHelpdesk(ctx, s.b.parentMessage(f))
	if err != nil {
		return "", fmt.Errorf("post thread parent: %w", err)
	}
	if err := s.b.deps.Engine.SetThread(ctx, f.ID, thread); err != nil {
		return "", fmt.Errorf("record thread: %w", err)
	}
	return thread, nil
}

// confirmation posts the steps of an approver's passkey confirmation in
// the thread of the flow being approved, where the helpdesk looks.
func (s threadSink) confirmation(ctx context.Context, ms Messenger, f *flows.Flow, evs []flows.Event) error {
	b := s.b
	target, err := b.deps.Engine.Get(ctx, f.Target)
	if errors.Is(err, flows.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	thread, err := s.threadOf(ctx, ms, target)
	if err != nil {
		return err
	}
	lines := make([]string, len(evs))
	for i, ev := range evs {
		text, _ := b.eventWords(ev)
		lines[i] = b.clock(ev.Time) + " · Approval confirmation by " + Mention(f.Subject.Chat) + ": " + text
	}
	return ms.ReplyHelpdesk(ctx, thread, Message{Summary: lines[len(lines)-1], Body: lines})
}

// standalone posts an event that has no flow (a refused request) as its own
// helpdesk message, on the platform of whoever asked.
func (s threadSink) standalone(ctx context.Context, ev flows.Event) error {
	b := s.b
	if isRefusal(ev) {
		_, err := s.postRefusals(ctx, []flows.Event{ev})
		return err
	}
	platform, _, _ := strings.Cut(ev.Actor, ":")
	ms, err := b.messenger(platform)
	if err != nil {
		return nil
	}
	text, tone := b.eventWords(ev)
	_, err = ms.PostHelpdesk(ctx, Message{Summary: text, Title: "Request refused", Body: []string{b.clock(ev.Time) + " · " + text}, Tone: tone})
	return err
}

// followUp does what an event triggers beyond the thread: telling the user
// what changed, alerts, statistics.
func (s threadSink) followUp(ctx context.Context, ms Messenger, f *flows.Flow, ev flows.Event) error {
	b := s.b
	switch ev.Type {
	case flows.EventPasswordSet, flows.EventUnlocked:
		if err := ms.SendPrivate(ctx, f.Subject.Chat, b.msgChanged(f, ev)); err != nil {
			return fmt.Errorf("notify user: %w", err)
		}
	case flows.EventFactorAdded, flows.EventFactorRemoved:
		if err := b.notifyFactorChange(ctx, ms, f, ev); err != nil {
			return err
		}
	case flows.EventRecoveredCompleted, flows.EventRecoveredFailed:
		if f.Kind != flows.KindReset && f.Kind != flows.KindUnlock {
			break
		}
		if err := ms.SendPrivate(ctx, f.Subject.Chat, b.msgRecovered(f, ev)); err != nil {
			return fmt.Errorf("notify user: %w", err)
		}
	case flows.EventRequested:
		if err := b.spikeCheck(ctx, ms, ev); err != nil {
			return err
		}
	case flows.EventVerifyFailed:
		if err := b.failureCheck(ctx, ms, f, ev); err != nil {
			return err
		}
	}
	return b.count(ctx, f, ev)
}

// msgChanged tells the user what changed, when, from where, and whom to
// call if it was not them.
func (b *Bot) msgChanged(f *flows.Flow, ev flows.Event) Message {
	what := "Your password was changed"
	if ev.Type == flows.EventUnlocked {
		what = "Your account was unlocked"
	}
	line := what + " at " + b.clock(ev.Time) + placeWords(ev) + "."
	body := []string{line}
	if ev.Type == flows.EventPasswordSet {
		body = append(body, "Sign in again with the new password on your other devices (laptop, mail on your phone, Wi-Fi).")
	}
	body = append(body, "*If this wasn't you*, contact "+b.cfg.HelpdeskContact+" right away.")
	return Message{Summary: line, Title: what, Body: body, Note: "Flow " + f.ID, Tone: ToneGood}
}
