package bot

import (
	"context"
	"fmt"

	"github.com/resetbot/resetbot/flows"
)

// notifySink tells users privately what changed on their account (the
// password written, the account unlocked, a sign-in factor added or
// removed, the verdict on a write a crash interrupted), from the audit
// stream, so the message comes exactly when the directory accepted the
// change.
type notifySink struct{ b *Bot }

// Name implements flows.Sink.
func (notifySink) Name() string { return "user-notify" }

// Deliver implements flows.Sink.
func (s notifySink) Deliver(ctx context.Context, ev flows.Event) error {
	switch ev.Type {
	case flows.EventPasswordSet, flows.EventUnlocked, flows.EventFactorAdded, flows.EventFactorRemoved,
		flows.EventRecoveredCompleted, flows.EventRecoveredFailed:
	default:
		return nil
	}
	b := s.b
	return b.once(ctx, s.Name(), ev, func() error {
		if ev.Type == flows.EventFactorAdded || ev.Type == flows.EventFactorRemoved {
			// Every linked platform, each recipient marked once reached.
			f, err := b.flowOfAnyPlatform(ctx, ev)
			if err != nil || f == nil {
				return err
			}
			return b.notifyFactorChange(ctx, f, ev)
		}
		f, ms, err := b.flowOf(ctx, ev)
		if err != nil || f == nil {
			return err
		}
		switch ev.Type {
		case flows.EventRecoveredCompleted, flows.EventRecoveredFailed:
			// The reconciler's verdict on a write a crash left open: only
			// resets and unlocks changed something the user must hear of.
			if !f.Kind.SetsPassword() && f.Kind != flows.KindUnlock {
				return nil
			}
			err = ms.SendPrivate(ctx, f.Subject.Chat, b.msgRecovered(f, ev))
		default:
			err = ms.SendPrivate(ctx, f.Subject.Chat, b.msgChanged(f, ev))
		}
		if err != nil {
			if IsPermanent(err) {
				b.deps.Log.Error("change notification undeliverable; not retried", "flow", f.ID, "event", ev.ID, "err", err)
				return nil
			}
			return fmt.Errorf("notify user: %w", err)
		}
		return nil
	})
}
