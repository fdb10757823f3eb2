package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/resetbot/resetbot/flows"
)

// threadSink renders the audit stream into helpdesk threads. It is a view
// of the stream: a chat outage delays it (events stay pending and are
// retried, honouring Retry-After), it never loses an event. It does only
// that: notifications, alerts and statistics are their own sinks.
type threadSink struct{ b *Bot }

// Name implements flows.Sink.
func (threadSink) Name() string { return "chat-threads" }

// Deliver implements flows.Sink. Each event is posted once: the event is
// marked after a successful post, so a redelivery after a crash posts
// nothing twice (except in the instant between the post and the mark).
func (s threadSink) Deliver(ctx context.Context, ev flows.Event) error {
	return s.b.once(ctx, s.Name(), ev, func() error { return s.deliver(ctx, ev) })
}

func (s threadSink) deliver(ctx context.Context, ev flows.Event) error {
	b := s.b
	if ev.FlowID == "" {
		return s.standalone(ctx, ev)
	}
	f, ms, err := b.flowOf(ctx, ev)
	if err != nil || f == nil {
		return err
	}
	if f.Kind == flows.KindApprove {
		return s.confirmation(ctx, ms, f, []flows.Event{ev})
	}
	if f.Kind == flows.KindVerify {
		return s.verifyEvent(ctx, ms, f, ev)
	}
	return s.post(ctx, ms, f, refreshesParent(f, ev), b.eventMessage(ev), ev)
}

// post adds reply to the flow's thread, first updating the parent when the
// flow's status changed. A thread whose parent was deleted gets a new
// parent; a channel the bot cannot post in is recorded in the log and the
// event is let go, so one poisoned thread never blocks other flows.
func (s threadSink) post(ctx context.Context, ms Messenger, f *flows.Flow, update bool, reply Message, ev flows.Event) error {
	thread, err := s.threadOf(ctx, ms, f)
	if err != nil {
		return s.giveUp(err, f, ev)
	}
	if f.Thread != "" && update {
		err := ms.UpdateHelpdesk(ctx, thread, s.b.parentMessage(f))
		if IsPermanent(err) {
			if thread, err = s.newParent(ctx, ms, f, err); err != nil {
				return s.giveUp(err, f, ev)
			}
		} else if err != nil {
			return fmt.Errorf("update thread parent: %w", err)
		}
	}
	err = ms.ReplyHelpdesk(ctx, thread, reply)
	if IsPermanent(err) && thread == f.Thread {
		if thread, err = s.newParent(ctx, ms, f, err); err == nil {
			err = ms.ReplyHelpdesk(ctx, thread, reply)
		}
	}
	if err != nil {
		return s.giveUp(fmt.Errorf("post thread reply: %w", err), f, ev)
	}
	return nil
}

// newParent replaces a thread parent the platform says is gone with a new
// one (which shows the flow's current status) and records it in the flow.
func (s threadSink) newParent(ctx context.Context, ms Messenger, f *flows.Flow, cause error) (string, error) {
	s.b.deps.Log.Warn("helpdesk thread parent gone; starting a new thread", "flow", f.ID, "thread", f.Thread, "err", cause)
	f.Thread = ""
	return s.threadOf(ctx, ms, f)
}

// giveUp lets a permanently undeliverable event go (logged with its cause,
// so the helpdesk's admins can find what the channel is missing) and
// passes any other error on for a retry.
func (s threadSink) giveUp(err error, f *flows.Flow, ev flows.Event) error {
	if !IsPermanent(err) {
		return err
	}
	s.b.deps.Log.Error("helpdesk event undeliverable; not retried", "flow", f.ID, "event", ev.ID, "type", ev.Type, "err", err)
	return nil
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
	f.Thread = thread
	return thread, nil
}

// confirmation posts the steps of an approver's passkey confirmation in
// the thread of the flow being approved, where the helpdesk looks.
func (s threadSink) confirmation(ctx context.Context, ms Messenger, f *flows.Flow, evs []flows.Event) error {
	b := s.b
	target, err := b.deps.Engine.Get(ctx, f.Approve.Target)
	if errors.Is(err, flows.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	l := b.helpdeskLang()
	lines := make([]string, len(evs))
	for i, ev := range evs {
		text, _ := b.eventWords(ev)
		lines[i] = b.clock(ev.Time) + " · " + l.T("chat.thread.confirmation", "Approver", Mention(f.Subject.Chat), "Step", text)
	}
	return s.post(ctx, ms, target, false, Message{Summary: lines[len(lines)-1], Body: lines}, evs[len(evs)-1])
}

// standalone posts an event that has no flow (a refused request) as its own
// helpdesk message, on the platform of whoever asked.
func (s threadSink) standalone(ctx context.Context, ev flows.Event) error {
	b := s.b
	if isRefusal(ev) {
		_, err := s.postRefusals(ctx, []flows.Event{ev})
		return err
	}
	if ev.Type == flows.EventFactorsViewed {
		return nil // for the audit log: the lookup was the member's private answer
	}
	platform, _, _ := strings.Cut(ev.Actor, ":")
	ms, err := b.messenger(platform)
	if err != nil {
		return nil
	}
	text, tone := b.eventWords(ev)
	l := b.helpdeskLang()
	title := l.T("chat.refusals.one.title")
	if ev.Type == flows.EventFactorsRevoked {
		title = l.T("chat.thread.revoked.title")
	}
	_, err = ms.PostHelpdesk(ctx, Message{Summary: text, Title: title, Body: []string{b.clock(ev.Time) + " · " + text}, Tone: tone})
	if IsPermanent(err) {
		b.deps.Log.Error("helpdesk event undeliverable; not retried", "event", ev.ID, "type", ev.Type, "err", err)
		return nil
	}
	return err
}

// msgChanged tells the user what changed, when, from where, and whom to
// call if it was not them, in their language and time zone.
func (b *Bot) msgChanged(f *flows.Flow, ev flows.Event) Message {
	l := b.langOf(f.Locale)
	id := "chat.changed.password"
	if ev.Type == flows.EventUnlocked {
		id = "chat.changed.unlock"
	}
	line := l.T(id+".line", "Time", b.clockIn(ev.Time, f.Locale), "Place", placeWords(l, ev))
	body := []string{line}
	if ev.Type == flows.EventPasswordSet {
		body = append(body, l.T("chat.changed.password.devices"))
	}
	body = append(body, l.T("chat.changed.notyou", "Contact", b.cfg.HelpdeskContact))
	return Message{Summary: line, Title: l.T(id + ".title"), Body: body, Note: l.T("chat.flow", "ID", f.ID), Tone: ToneGood}
}
