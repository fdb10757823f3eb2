package bot

import (
	"context"
	"errors"

	"github.com/resetbot/resetbot/flows"
)

// coalesceAbove is the backlog size from which the thread sink coalesces:
// with more events waiting than this, each flow's events are posted as one
// reply, so a chat outage or a rate limit never turns into a flood (and
// never into dropped events).
const coalesceAbove = 8

var _ flows.BatchSink = threadSink{}

// DeliverBatch implements flows.BatchSink. Flows' events go first and
// refused requests last, aggregated per requester (see postRefusals): a
// flood of refusals never holds up an approval request behind it. A small
// batch of flow events is delivered event by event, in order, stopping at
// the first failure. A backlog is grouped by flow: one reply and at most
// one parent update per flow.
func (s threadSink) DeliverBatch(ctx context.Context, evs []flows.Event) ([]string, error) {
	var refused []flows.Event
	evs, refused = splitRefusals(evs)
	done, err := s.deliverFlows(ctx, evs)
	rdone, rerr := s.deliverRefusals(ctx, refused)
	return append(done, rdone...), errors.Join(err, rerr)
}

// splitRefusals separates refused requests from the rest, keeping order.
func splitRefusals(evs []flows.Event) (rest, refused []flows.Event) {
	for _, ev := range evs {
		if isRefusal(ev) {
			refused = append(refused, ev)
		} else {
			rest = append(rest, ev)
		}
	}
	return rest, refused
}

// deliverRefusals posts the refusals not posted yet, in one aggregate per
// requester, and marks them all.
func (s threadSink) deliverRefusals(ctx context.Context, evs []flows.Event) ([]string, error) {
	var fresh []flows.Event
	var done []string
	for _, ev := range evs {
		posted, err := s.b.handled(ctx, s.Name(), ev)
		if err != nil {
			return done, err
		}
		if posted {
			done = append(done, ev.ID)
		} else {
			fresh = append(fresh, ev)
		}
	}
	posted, err := s.postRefusals(ctx, fresh)
	return append(done, posted...), err
}

// deliverFlows delivers the events that belong to flows.
func (s threadSink) deliverFlows(ctx context.Context, evs []flows.Event) ([]string, error) {
	if len(evs) <= coalesceAbove {
		var done []string
		for _, ev := range evs {
			if err := s.Deliver(ctx, ev); err != nil {
				return done, err
			}
			done = append(done, ev.ID)
		}
		return done, nil
	}
	var (
		order  []string
		groups = map[string][]flows.Event{}
		done   []string
		errs   []error
	)
	for _, ev := range evs {
		key := ev.FlowID
		if key == "" {
			key = "event:" + ev.ID // no flow: its own group
		}
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], ev)
	}
	order = approvalsFirst(order, groups)
	for _, key := range order {
		g := groups[key]
		if err := s.deliverGroup(ctx, g); err != nil {
			errs = append(errs, err)
			continue
		}
		for _, ev := range g {
			done = append(done, ev.ID)
		}
	}
	return done, errors.Join(errs...)
}

// deliverGroup posts one flow's waiting events as a single reply.
func (s threadSink) deliverGroup(ctx context.Context, g []flows.Event) error {
	b := s.b
	var fresh []flows.Event
	for _, ev := range g {
		done, err := b.handled(ctx, s.Name(), ev)
		if err != nil {
			return err
		}
		if !done {
			fresh = append(fresh, ev)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	if len(fresh) == 1 || fresh[0].FlowID == "" {
		for _, ev := range fresh {
			if err := s.Deliver(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	}
	f, ms, err := b.flowOf(ctx, fresh[0])
	if err != nil {
		return err
	}
	if f == nil {
		return s.markAll(ctx, fresh)
	}
	if f.Kind == flows.KindVerify {
		return s.deliverEach(ctx, fresh) // its thread tells the outcome only
	}
	if f.Kind == flows.KindApprove {
		if err := s.confirmation(ctx, ms, f, fresh); err != nil {
			return err
		}
		return s.markAll(ctx, fresh)
	}
	lines := make([]string, len(fresh))
	update := false
	for i, ev := range fresh {
		lines[i] = b.eventMessage(ev).Body[0]
		update = update || changesStatus(ev)
	}
	reply := Message{Summary: lines[len(lines)-1], Body: lines, Note: b.helpdeskLang().T("chat.thread.coalesced")}
	if err := s.post(ctx, ms, f, update, reply, fresh[len(fresh)-1]); err != nil {
		return err
	}
	return s.markAll(ctx, fresh)
}

// markAll remembers events as posted.
func (s threadSink) markAll(ctx context.Context, evs []flows.Event) error {
	for i, ev := range evs {
		if err := s.b.mark(ctx, s.Name(), ev); err != nil {
			// They were all posted: none may be posted again.
			for _, rest := range evs[i+1:] {
				s.b.unmarked.add(s.Name(), rest.ID)
			}
			return err
		}
	}
	return nil
}

// approvalsFirst moves the flows that ask the helpdesk for an approval in
// this backlog ahead of the others (keeping each side's order): an
// approval request never waits behind informational posts.
func approvalsFirst(order []string, groups map[string][]flows.Event) []string {
	var urgent, rest []string
	for _, key := range order {
		asks := false
		for _, ev := range groups[key] {
			asks = asks || ev.Type == flows.EventApprovalRequired
		}
		if asks {
			urgent = append(urgent, key)
		} else {
			rest = append(rest, key)
		}
	}
	return append(urgent, rest...)
}
