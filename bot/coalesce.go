package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// coalesceAbove is the backlog size from which the thread sink coalesces:
// with more events waiting than this, each flow's events are posted as one
// reply, so a chat outage or a rate limit never turns into a flood (and
// never into dropped events).
const coalesceAbove = 8

var (
	_ flows.BatchSink = threadSink{}
	_ flows.Lookahead = threadSink{}
)

// lookahead is how many events the thread sink reads at once: a burst's
// backlog of some hundred flows, each flow's steps together.
const lookahead = 1000

// Lookahead implements flows.Lookahead.
func (threadSink) Lookahead() int { return lookahead }

// DeliverBatch implements flows.BatchSink. Flows' events go first and
// refused requests last, aggregated per requester (see postRefusals): a
// flood of refusals never holds up an approval request behind it. A small
// batch of flow events is delivered event by event, in order, stopping at
// the first failure. A backlog is grouped by flow: one post per flow (see
// deliverBacklog).
func (s threadSink) DeliverBatch(ctx context.Context, evs []flows.Event) ([]string, error) {
	// A read as large as the lookahead ended at its size, not at the
	// stream's end: a flow whose record has ended but whose closing event
	// is not in it was cut by the read's edge, and its last steps come
	// with a later read whatever their age (see stillMoving).
	cut := len(evs) >= lookahead
	var refused []flows.Event
	evs, refused = splitRefusals(evs)
	done, err := s.deliverFlows(ctx, evs, cut)
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

// deliverFlows delivers the events that belong to flows. A small batch
// goes event by event; a backlog is coalesced (see deliverBacklog), and so
// is whatever comes while part of one is still pending: the tail of a
// backlog is a backlog too, its flows' steps still one post each.
func (s threadSink) deliverFlows(ctx context.Context, evs []flows.Event, cut bool) ([]string, error) {
	if len(evs) <= coalesceAbove && !s.b.behind.Load() {
		var done []string
		for _, ev := range evs {
			if err := s.Deliver(ctx, ev); err != nil {
				return done, err
			}
			done = append(done, ev.ID)
		}
		return done, nil
	}
	return s.deliverBacklog(ctx, evs, cut)
}

// deliverBacklog posts a backlog with as few calls as the channel's rate
// limit makes worth it, which is what a helpdesk wants to read after a
// burst too: one message per flow with everything known so far.
//
//   - The backlog is grouped by flow, approval requests first; each group
//     is one post (see deliverGroup).
//   - A flow still moving (not finished, no approval waiting, its latest
//     step less than settleFor ago) waits while other flows can be posted:
//     posted now, it would need another post for each of its next steps;
//     posted once finished, its whole story is one message. The channel
//     never idles for it: when every flow in the backlog is still moving,
//     the oldest goes.
//   - It stops starting groups after backlogBudget, so the reader reads
//     again (renewing the thread lease, reporting itself alive) at least
//     that often; what it did not reach stays pending and comes first in
//     the next read, with whatever arrived meanwhile.
func (s threadSink) deliverBacklog(ctx context.Context, evs []flows.Event, cut bool) ([]string, error) {
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
	stop := time.Now().Add(s.backlogBudget())
	posted, stopped := 0, false
	var waiting [][]flows.Event
	for _, key := range order {
		if time.Now().After(stop) {
			stopped = true
			break
		}
		g := groups[key]
		went, err := s.deliverGroup(ctx, g, true, cut)
		switch {
		case err != nil:
			errs = append(errs, err)
		case !went:
			waiting = append(waiting, g)
		default:
			posted++
			done = append(done, eventIDs(g)...)
		}
	}
	if posted == 0 && !stopped && len(errs) == 0 && len(waiting) > 0 {
		g := waiting[0]
		if _, err := s.deliverGroup(ctx, g, false, cut); err != nil {
			errs = append(errs, err)
		} else {
			done = append(done, eventIDs(g)...)
			waiting = waiting[1:]
		}
	}
	s.b.behind.Store(stopped || len(waiting) > 0 || len(errs) > 0)
	return done, errors.Join(errs...)
}

// settleFor is how long a flow's latest step may be new for the flow to
// wait behind others in a backlog (see deliverBacklog): long enough for a
// person's next click, short enough that a flow stuck waiting for its
// user is posted anyway.
const settleFor = 20 * time.Second

// backlogBudget is how long one backlog delivery goes on starting posts: a
// third of the thread lease (at most 20 s), so the lease is renewed well
// before another replica could take it and post the same events.
func (s threadSink) backlogBudget() time.Duration {
	return min(s.b.cfg.ThreadLease/3, 20*time.Second)
}

// stillMoving reports whether a flow's group may wait behind the others in
// a backlog: the group does not end the flow, it asks for no approval, and
// its latest step is recent. A flow whose record has ended but whose
// ending is not in the group yet is still moving: its last steps are on
// their way; when the read was cut at the lookahead's size they are in
// the stream already, beyond the read's edge, and the flow waits for them
// however old its steps are (in a 500-reset burst the edge reached flows
// whose steps were over endingFor old, and posted 66 of them in three
// posts and an edit each instead of one). A flow with no thread whose
// group lacks its first steps waits for them (see headless).
func (s threadSink) stillMoving(f *flows.Flow, g []flows.Event, cut bool) bool {
	if f.State == flows.StateAwaitingApproval || f.Kind == flows.KindApprove || f.Kind == flows.KindVerify {
		return false
	}
	for _, ev := range g {
		if ev.Type == flows.EventApprovalRequired {
			return false
		}
	}
	age := s.b.now().Sub(g[len(g)-1].Time)
	if headless(f, g) {
		// Its first steps are pending with another replica, which died
		// with them: they come with the claim of its events.
		return age < headlessFor
	}
	if ends(g) {
		return false
	}
	if f.State.Terminal() {
		// Its closing event is in the stream, beyond this read: it comes
		// with the next ones.
		return cut || age < endingFor
	}
	return age < settleFor
}

// headless reports whether a flow with no thread yet is missing the start
// of its story in g: every flow begins with EventRequested, and one not
// in g nor posted (the thread would be recorded) is pending elsewhere.
func headless(f *flows.Flow, g []flows.Event) bool {
	return f.Thread == "" && g[0].Type != flows.EventRequested
}

// headlessFor is how long a flow whose first steps are missing from a
// backlog waits for them before its later ones are posted without them:
// as long as another consumer's events take to be claimed (idle for
// flows.DefaultClaimIdle, claimed at most 30 s later), and a margin.
const headlessFor = flows.DefaultClaimIdle + time.Minute

// endingFor is how long a flow whose record has ended waits for its closing
// event to come into a backlog's read before it is posted without it.
const endingFor = 2 * time.Minute

// ends reports whether evs hold the event that closes their flow's
// story: an ending's last event ("Completed", "Failed", ...). The ending
// transition may be written as two events ("New password written", then
// "Completed", both from applying): a group holding only the first is not
// the whole story, and posted whole its parent would be refreshed by the
// second, dropping the steps.
func ends(evs []flows.Event) bool {
	for _, ev := range evs {
		if ev.To.Terminal() && closingEvents[ev.Type] {
			return true
		}
	}
	return false
}

// closingEvents are the last events an ending writes.
var closingEvents = map[flows.EventType]bool{
	flows.EventCompleted: true, flows.EventFailed: true, flows.EventDenied: true,
	flows.EventCancelled: true, flows.EventSuperseded: true, flows.EventExpired: true,
}

func eventIDs(evs []flows.Event) []string {
	ids := make([]string, len(evs))
	for i, ev := range evs {
		ids[i] = ev.ID
	}
	return ids
}

// deliverGroup posts one flow's waiting events as a single message and
// reports whether it did; with mayWait, a flow still moving is left for
// later (false, nil). A flow without a thread yet whose group runs from
// its start (EventRequested) to its end gets one parent message carrying
// every step (see postWhole); any other flow gets one reply with the new steps (and its
// parent refreshed when its status changed).
func (s threadSink) deliverGroup(ctx context.Context, g []flows.Event, mayWait, cut bool) (bool, error) {
	b := s.b
	var (
		f   *flows.Flow
		ms  Messenger
		err error
	)
	if g[0].FlowID != "" {
		if f, ms, err = b.flowOf(ctx, g[0]); err != nil {
			return false, err
		}
		if f != nil && mayWait && s.stillMoving(f, g, cut) {
			return false, nil
		}
	}
	var fresh []flows.Event
	for _, ev := range g {
		done, err := b.handled(ctx, s.Name(), ev)
		if err != nil {
			return false, err
		}
		if !done {
			fresh = append(fresh, ev)
		}
	}
	if len(fresh) == 0 {
		return true, nil
	}
	if f == nil && fresh[0].FlowID != "" {
		return true, s.markAll(ctx, fresh) // aged out or not configured: nothing to show
	}
	if len(fresh) == 1 || fresh[0].FlowID == "" {
		for _, ev := range fresh {
			if err := s.Deliver(ctx, ev); err != nil {
				return false, err
			}
		}
		return true, nil
	}
	if f.Kind == flows.KindVerify {
		return true, s.deliverEach(ctx, fresh) // its thread tells the outcome only
	}
	if f.Kind == flows.KindApprove {
		if err := s.confirmation(ctx, ms, f, fresh); err != nil {
			return false, err
		}
		return true, s.markAll(ctx, fresh)
	}
	lines := make([]string, len(fresh))
	update := false
	for i, ev := range fresh {
		lines[i] = b.eventMessage(ev).Body[0]
		update = update || refreshesParent(f, ev)
	}
	if f.Thread == "" && f.State.Terminal() && ends(fresh) && !headless(f, fresh) {
		return true, s.postWhole(ctx, ms, f, lines, fresh)
	}
	reply := Message{Summary: lines[len(lines)-1], Body: lines, Note: b.helpdeskLang().T("chat.thread.coalesced")}
	if err := s.post(ctx, ms, f, update, reply, fresh[len(fresh)-1]); err != nil {
		return false, err
	}
	return true, s.markAll(ctx, fresh)
}

// wholeLinesPer is how many step lines one paragraph of a whole-flow
// parent holds, well inside a chat platform's limit for one text block.
const wholeLinesPer = 10

// postWhole posts a finished flow's thread parent with its steps in it:
// one call for the whole story, which a finished flow's parent keeps:
// nothing after a flow's end changes its status, so the parent is never
// rendered again (a later step, a link opened after the end, is a
// reply). Once the post was accepted, its events are done
// whatever fails afterwards (recording the thread, the marks): they are
// in the channel and must never be posted again.
func (s threadSink) postWhole(ctx context.Context, ms Messenger, f *flows.Flow, lines []string, evs []flows.Event) error {
	m := s.b.parentMessage(f)
	for i := 0; i < len(lines); i += wholeLinesPer {
		m.Body = append(m.Body, strings.Join(lines[i:min(i+wholeLinesPer, len(lines))], "\n"))
	}
	thread, err := ms.PostHelpdesk(ctx, m)
	if err != nil {
		return s.giveUp(fmt.Errorf("post thread parent: %w", err), f, evs[len(evs)-1])
	}
	recErr := s.b.deps.Engine.SetThread(ctx, f.ID, thread)
	if recErr != nil {
		s.b.deps.Log.Warn("helpdesk thread posted but not recorded; a later step starts a new one", "flow", f.ID, "err", recErr)
	}
	return s.markAll(ctx, evs)
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
