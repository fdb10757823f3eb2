package bot

import (
	"context"
	"errors"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// Sinks returns the consumers of the audit stream the core runs, one job
// each, each with its own consumer group and its own idempotency marks:
// the helpdesk threads, the user's change notification, the alerts, the
// report statistics, the at-least-once delivery of links and the
// approved revocations of privileged accounts' factors. A failure in one (a rate-limited DM, a failed alert
// post) retries only that job: it never replays another's messages or
// skips them.
func (b *Bot) Sinks() []flows.Sink {
	return []flows.Sink{threadSink{b}, notifySink{b}, alertSink{b}, statsSink{b}, linkSink{b}, revokeSink{b}}
}

// Sink returns the helpdesk-thread sink alone, for tests that drive it
// directly; the service runs every sink of Sinks.
func (b *Bot) Sink() flows.Sink { return threadSink{b} }

// once runs do for ev unless the group's mark says it is done, then marks
// it. A crash between do and the mark repeats do once (delivery is at
// least once); a failure of do leaves the event unmarked for the retry.
func (b *Bot) once(ctx context.Context, group string, ev flows.Event, do func() error) error {
	done, err := b.handled(ctx, group, ev)
	if err != nil || done {
		return err
	}
	if err := do(); err != nil {
		return err
	}
	return b.mark(ctx, group, ev)
}

// mark stores that group finished ev; when the store fails, the process
// remembers it (doneUnmarked) so the redelivery only stores the mark.
func (b *Bot) mark(ctx context.Context, group string, ev flows.Event) error {
	if err := b.deps.Store.Mark(ctx, group, ev.ID, markDone); err != nil {
		b.unmarked.add(group, ev.ID)
		return err
	}
	b.unmarked.remove(group, ev.ID)
	return nil
}

// markDone is the mark of a finished job.
const markDone = "done"

// handled reports whether group already finished ev.
func (b *Bot) handled(ctx context.Context, group string, ev flows.Event) (bool, error) {
	if b.unmarked.has(group, ev.ID) {
		// Done by this process; only its mark is missing.
		if err := b.mark(ctx, group, ev); err != nil {
			return false, err
		}
		return true, nil
	}
	v, ok, err := b.deps.Store.Marked(ctx, group, ev.ID)
	if err != nil || (ok && v == markDone) {
		return ok, err
	}
	// Before the jobs were split, the helpdesk-thread sink did them all
	// behind one "posted" counter; an event it finished must not be
	// notified, alerted or counted again by a new group after an upgrade.
	// (Kept for one release: those counters expire within two days.)
	n, err := b.deps.Store.Count(ctx, "posted:"+ev.ID, legacyPostedTTL, b.now())
	return n > 0, err
}

// legacyPostedTTL is the window of the counters handled looks up.
const legacyPostedTTL = 48 * time.Hour

// flowOf returns the event's flow and the messenger of its platform, or
// nil when there is nothing to act on (no flow, aged out, platform not
// configured).
func (b *Bot) flowOf(ctx context.Context, ev flows.Event) (*flows.Flow, Messenger, error) {
	if ev.FlowID == "" {
		return nil, nil, nil
	}
	f, err := b.deps.Engine.Get(ctx, ev.FlowID)
	if errors.Is(err, flows.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	ms, err := b.messenger(f.Subject.Chat.Platform)
	if err != nil {
		b.deps.Log.Warn("audit event for a platform that is not configured", "flow", f.ID, "platform", f.Subject.Chat.Platform)
		return nil, nil, nil
	}
	return f, ms, nil
}
