package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/flows"
)

// TestBacklogWaitsForAFlowCutByTheReadsEdge: beside a finished reset
// whole in the read, a finished reset whose last
// two steps ("New password written", "Completed") lie beyond the edge of
// a read as large as the thread sink's lookahead, its steps older than
// any wait for a closing event. It is not posted (its last steps are in
// the stream, and would cost another post and an edit); the next read,
// with its last steps, posts it whole, one parent with all seven steps.
// The same flow in a read that was not cut, as old, is posted without
// its end, which is what the edge did to 66 flows of a 500-reset burst.
func TestBacklogWaitsForAFlowCutByTheReadsEdge(t *testing.T) {
	for _, cut := range []bool{true, false} {
		t.Run(fmt.Sprintf("cut=%v", cut), func(t *testing.T) {
			rig, ms := newCore(t, bottest.Options{})
			ctx := context.Background()
			// f is the second reset, the one the edge cuts; the first one
			// is whole in the read, as in a burst.
			f, steps, other := finishedResets(t, rig, ms, "Edge")
			// The refusals fill the read up to the lookahead (1000) or
			// leave it short of it; they are posted as one aggregate.
			batch := append(append([]flows.Event(nil), other...), steps[:len(steps)-2]...)
			fill := 1000 - len(batch)
			if !cut {
				fill = 20
			}
			for i := 0; i < fill; i++ {
				batch = append(batch, flows.Event{ID: fmt.Sprintf("rb:{rb-31}:audit/9-%d", i), Time: steps[0].Time,
					Type: flows.EventRefused, Actor: "slack:U0NOBODY", Outcome: "refused", Reason: "no directory account matches chat id"})
			}
			rig.Advance(10 * time.Minute) // older than any wait for a closing event
			sink := rig.Bot.Sink().(flows.BatchSink)
			if _, err := sink.DeliverBatch(ctx, batch); err != nil {
				t.Fatal(err)
			}
			if cut != (len(batch) >= 1000) {
				t.Fatalf("batch of %d events, cut=%v", len(batch), cut)
			}
			var thread string
			for _, p := range helpdeskPosts(ms) {
				if p.Kind == "parent" && p.Message.Note != "" && strings.Contains(p.Message.Note, f.ID) {
					thread = p.Thread
				}
			}
			if cut && thread != "" {
				t.Fatalf("the flow cut by the read's edge was posted before its last steps came")
			}
			if !cut {
				if thread == "" {
					t.Fatal("a flow as old in a read that was not cut was never posted")
				}
				return // posted without its end, as the contrast shows
			}
			if _, err := sink.DeliverBatch(ctx, steps); err != nil {
				t.Fatal(err)
			}
			posts := 0
			for _, p := range helpdeskPosts(ms) {
				if p.Kind == "parent" && strings.Contains(p.Message.Note, f.ID) {
					thread = p.Thread
				}
			}
			for _, p := range helpdeskPosts(ms) {
				if p.Thread == thread && thread != "" {
					posts++ // its parent, a reply or an edit
				}
			}
			lines := threadSteps(ms, thread)
			if posts != 1 || len(lines) != len(resetSteps) {
				t.Errorf("the flow took %d posts and its thread shows %d steps, want one post with all %d", posts, len(lines), len(resetSteps))
			}
		})
	}
}

// TestBacklogWaitsForAFlowsFirstSteps: a finished reset whose first four
// steps are pending with a replica that died (they come with the claim of
// its events, minutes later) and whose last three reach this replica in a
// backlog. Its last steps wait for the first ones, and then the whole
// flow is one parent with all seven steps in order; the last steps are
// never a parent that reads like the whole story with the first steps
// replied under it. Should the first steps never come, the last ones are
// posted anyway once older than a claim takes.
func TestBacklogWaitsForAFlowsFirstSteps(t *testing.T) {
	for _, comes := range []bool{true, false} {
		t.Run(fmt.Sprintf("first-steps-come=%v", comes), func(t *testing.T) {
			rig, ms := newCore(t, bottest.Options{})
			ctx := context.Background()
			// f is the second reset; the first is whole in the backlog, so
			// the channel is not idle while f waits.
			f, steps, other := finishedResets(t, rig, ms, "Head")
			// A backlog: the last three steps beside the other reset and
			// refusals.
			refusals := func(n int) []flows.Event {
				out := append([]flows.Event(nil), other...)
				for i := 0; i < n; i++ {
					out = append(out, flows.Event{ID: fmt.Sprintf("rb:{rb-31}:audit/9-%d", i), Time: steps[0].Time,
						Type: flows.EventRefused, Actor: "slack:U0NOBODY", Outcome: "refused", Reason: "no directory account matches chat id"})
				}
				return out
			}
			tail := steps[4:]
			sink := rig.Bot.Sink().(flows.BatchSink)
			if _, err := sink.DeliverBatch(ctx, append(refusals(20), tail...)); err != nil {
				t.Fatal(err)
			}
			if th := flowThread(ms, f.ID); th != "" {
				t.Fatalf("the flow's last steps were posted before its first ones came")
			}
			if !comes {
				rig.Advance(10 * time.Minute) // longer than any claim takes
				if _, err := sink.DeliverBatch(ctx, append(refusals(20), tail...)); err != nil {
					t.Fatal(err)
				}
				th := flowThread(ms, f.ID)
				if lines := threadSteps(ms, th); th == "" || len(lines) != len(tail) {
					t.Fatalf("without its first steps the flow shows %d steps (thread %q), want its last %d", len(lines), th, len(tail))
				}
				return
			}
			// The claim brings the first steps; the last ones are still
			// pending here.
			if _, err := sink.DeliverBatch(ctx, append(refusals(20), steps...)); err != nil {
				t.Fatal(err)
			}
			th := flowThread(ms, f.ID)
			posts := 0
			for _, p := range helpdeskPosts(ms) {
				if p.Thread == th && th != "" {
					posts++
				}
			}
			lines := threadSteps(ms, th)
			if posts != 1 || len(lines) != len(resetSteps) {
				t.Fatalf("the flow took %d posts and shows %d steps, want one post with all %d", posts, len(lines), len(resetSteps))
			}
			for i, want := range resetSteps {
				if !strings.Contains(lines[i], want) {
					t.Errorf("step %d is %q, want %q", i, lines[i], want)
				}
			}
		})
	}
}

// flowThread is the thread of the flow's parent post, or "".
func flowThread(ms *bottest.Messenger, flowID string) string {
	for _, p := range helpdeskPosts(ms) {
		if p.Kind == "parent" && strings.Contains(p.Message.Note, flowID) {
			return p.Thread
		}
	}
	return ""
}

// finishedResets runs two resets to their end and returns the second, its
// events (one per resetSteps) and the first one's, as the thread sink's
// reader would read them (a probe group of its own).
func finishedResets(t *testing.T, rig *bottest.Rig, ms *bottest.Messenger, name string) (f *flows.Flow, steps, other []flows.Event) {
	t.Helper()
	for i, u := range []string{"U0SPARE1", "U0PWUSER"} {
		command(rig, u, "")
		rig.Bot.Wait()
		var binding string
		f, binding = rig.Verify(t, bottest.TokenFrom(t, ms.DMs(u)[0]))
		rig.Complete(t, f, binding, fmt.Sprintf("%s-Tide-%d-Harbour!", name, i))
		rig.Bot.Wait()
	}
	evs, err := rig.Store.ReadEvents(context.Background(), strings.ToLower(name)+"-probe", "probe", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		switch ev.FlowID {
		case f.ID:
			steps = append(steps, ev)
		case "":
		default:
			other = append(other, ev)
		}
	}
	if len(steps) != len(resetSteps) {
		t.Fatalf("%d events for the reset, want %d", len(steps), len(resetSteps))
	}
	return f, steps, other
}
