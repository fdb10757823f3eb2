package bot

import (
	"context"
	"fmt"

	"github.com/resetbot/resetbot/flows"
)

// verifyEvent is the helpdesk thread of a caller verification: its parent
// (posted with the first event, refreshed when the state changes) and one
// reply, the outcome. The steps in between (link sent, opened, a passkey
// prompt) only move the parent's status: the member waits for one answer.
// A decline also posts a warning in the helpdesk channel itself, once
// (its own mark), before the thread's reply.
func (s threadSink) verifyEvent(ctx context.Context, ms Messenger, f *flows.Flow, ev flows.Event) error {
	if ev.Type == flows.EventCallerDeclined {
		err := s.b.once(ctx, s.Name()+":decline-warning", ev, func() error {
			_, err := ms.PostHelpdesk(ctx, s.b.msgDeclineWarning(f, ev))
			return err
		})
		if err := s.giveUp(err, f, ev); err != nil {
			return err
		}
	}
	if reply, ok := s.b.verifyOutcome(ev); ok {
		return s.post(ctx, ms, f, true, reply, ev)
	}
	if f.Thread == "" {
		_, err := s.threadOf(ctx, ms, f)
		return s.giveUp(err, f, ev)
	}
	if !changesStatus(ev) {
		return nil
	}
	err := ms.UpdateHelpdesk(ctx, f.Thread, s.b.parentMessage(f))
	if IsPermanent(err) {
		_, err = s.newParent(ctx, ms, f, err)
		return s.giveUp(err, f, ev)
	}
	if err != nil {
		return fmt.Errorf("update thread parent: %w", err)
	}
	return nil
}

// deliverEach delivers a backlog of one caller verification's events one
// by one, where other flows' backlogs are coalesced into one reply: its
// thread has one reply, the outcome, so there is nothing to coalesce, and
// a list of steps would tell the channel more than the outcome.
func (s threadSink) deliverEach(ctx context.Context, evs []flows.Event) error {
	for _, ev := range evs {
		if err := s.Deliver(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}
