package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/flows"
)

// helpdeskPosts are the helpdesk channel's messages and edits, in order.
func helpdeskPosts(ms *bottest.Messenger) []bottest.Posted {
	var out []bottest.Posted
	for _, p := range ms.Posts() {
		if p.Kind == "parent" || p.Kind == "update" || p.Kind == "reply" {
			out = append(out, p)
		}
	}
	return out
}

func isRefusalPost(p bottest.Posted) bool {
	return strings.HasPrefix(p.Message.Title, "Request refused") || strings.HasPrefix(p.Message.Title, "Requests refused")
}

// TestRefusalFloodDoesNotDelayApprovals: one requester with no account
// sends 60 /reset in a burst, then a privileged user asks for a reset and
// verifies. The helpdesk gets one message counting the refusals (not 60),
// and the privileged flow's thread, with its Approve and Deny buttons, is
// posted before it.
func TestRefusalFloodDoesNotDelayApprovals(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	for i := 0; i < 60; i++ {
		command(rig, "U0NOBODY", "")
	}
	command(rig, "U0ALICE", "")
	rig.Bot.Wait()
	dms := ms.DMs("U0ALICE")
	if len(dms) != 1 {
		t.Fatalf("%d DMs to the privileged user, want the link", len(dms))
	}
	rig.Verify(t, bottest.TokenFrom(t, dms[0]))
	rig.Settle(t)

	posts := helpdeskPosts(ms)
	var refusals, refusalParents []int
	approval := -1
	for i, p := range posts {
		switch {
		case isRefusalPost(p):
			refusals = append(refusals, i)
			if p.Kind == "parent" {
				refusalParents = append(refusalParents, i)
			}
		case p.Kind == "update" && len(p.Message.Buttons) == 2 && approval < 0:
			approval = i
		}
	}
	if len(refusalParents) != 1 || len(refusals) > 3 {
		t.Fatalf("60 refusals from one requester made %d helpdesk messages and %d edits, want one message", len(refusalParents), len(refusals)-len(refusalParents))
	}
	last := posts[refusals[len(refusals)-1]].Message
	if !strings.Contains(last.Summary, "60 refused requests from "+bot.Mention(bottest.Slack("U0NOBODY"))) ||
		!strings.Contains(strings.Join(last.Body, "\n"), "no directory account matches chat-id (60)") {
		t.Errorf("aggregate does not count the refusals with their reason: %+v", last)
	}
	if approval < 0 {
		t.Fatal("the approval request (parent with Approve and Deny) was never shown")
	}
	if approval > refusals[0] {
		t.Errorf("the approval request is post %d, behind the refusals starting at post %d", approval, refusals[0])
	}
}

// TestRefusalsAggregatePerRequesterAndWindow delivers crafted refusal
// events, with their own times, straight to the thread sink.
func TestRefusalsAggregatePerRequesterAndWindow(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	refusal := func(id int, actor string, at time.Duration, reason string) flows.Event {
		return flows.Event{ID: fmt.Sprintf("rb:{rb-00}:audit/1-%d", id), Time: t0.Add(at), Type: flows.EventRefused, Actor: "slack:" + actor, Outcome: "refused", Reason: reason}
	}
	burst := func(actor string, n int, from, step time.Duration, firstID int) []flows.Event {
		var out []flows.Event
		for i := 0; i < n; i++ {
			out = append(out, refusal(firstID+i, actor, from+time.Duration(i)*step, "no directory account matches chat id"))
		}
		return out
	}
	tests := []struct {
		name    string
		batches [][]flows.Event
		// wantMessages are the summaries of the refusal messages as they
		// stand at the end; wantEdits counts updates in place.
		wantMessages []string
		wantEdits    int
	}{
		{"one refusal reads as before", [][]flows.Event{burst("U1", 1, 0, 0, 1)},
			[]string{"Refused, requested by <@slack:U1>: no directory account matches chat id"}, 0},
		{"a burst in one batch is one message", [][]flows.Event{burst("U1", 12, 0, time.Second, 1)},
			[]string{"12 refused requests from <@slack:U1> in the last minute"}, 0},
		{"a burst over batches is one message, updated", [][]flows.Event{
			burst("U1", 5, 0, time.Second, 1), burst("U1", 5, 5*time.Second, time.Second, 6), burst("U1", 2, 10*time.Second, time.Second, 11)},
			[]string{"12 refused requests from <@slack:U1> in the last minute"}, 2},
		{"the next minute opens a new message", [][]flows.Event{
			burst("U1", 3, 0, time.Second, 1), burst("U1", 2, 61*time.Second, time.Second, 4)},
			[]string{"3 refused requests from <@slack:U1> in the last minute", "2 refused requests from <@slack:U1> in the last minute"}, 0},
		{"a batch straddling the window splits", [][]flows.Event{burst("U1", 5, 30*time.Second, 20*time.Second, 1)},
			[]string{"3 refused requests from <@slack:U1> in the last minute", "2 refused requests from <@slack:U1> in the last minute"}, 0},
		{"requesters are counted apart", [][]flows.Event{append(burst("U1", 3, 0, time.Second, 1), burst("U2", 2, 0, time.Second, 4)...)},
			[]string{"3 refused requests from <@slack:U1> in the last minute", "2 refused requests from <@slack:U2> in the last minute"}, 0},
		{"a redelivered batch is not counted again", [][]flows.Event{burst("U1", 3, 0, time.Second, 1), burst("U1", 3, 0, time.Second, 1)},
			[]string{"3 refused requests from <@slack:U1> in the last minute"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rig, ms := newCore(t, bottest.Options{})
			sink := rig.Bot.Sink().(flows.BatchSink)
			for i, batch := range tt.batches {
				done, err := sink.DeliverBatch(context.Background(), batch)
				if err != nil || len(done) != len(batch) {
					t.Fatalf("batch %d: delivered %d of %d, %v", i, len(done), len(batch), err)
				}
			}
			var got []string
			edits := 0
			for _, p := range helpdeskPosts(ms) {
				switch p.Kind {
				case "parent":
					got = append(got, p.Thread)
				case "update":
					edits++
				}
			}
			for i, ref := range got {
				m, _ := ms.Parent(ref)
				got[i] = bot.ShowMentions(m.Summary)
			}
			if strings.Join(got, "\n") != strings.Join(tt.wantMessages, "\n") || edits != tt.wantEdits {
				t.Errorf("messages:\n%s\n(%d edits), want:\n%s\n(%d edits)", strings.Join(got, "\n"), edits, strings.Join(tt.wantMessages, "\n"), tt.wantEdits)
			}
		})
	}
}

// TestApprovalGoesBeforeOtherFlowsBacklog: with a backlog of other flows'
// steps waiting, the privileged flow that asks for an approval is posted
// first.
func TestApprovalGoesBeforeOtherFlowsBacklog(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	for _, id := range []string{"U0PWUSER", "U0SPARE1", "U0SPARE2", "U0JDOE"} {
		command(rig, id, "")
	}
	command(rig, "U0ALICE", "")
	rig.Bot.Wait()
	rig.Verify(t, bottest.TokenFrom(t, ms.DMs("U0ALICE")[0]))
	rig.Settle(t)
	posts := helpdeskPosts(ms)
	approval, firstOther := -1, -1
	for i, p := range posts {
		if p.Kind != "parent" {
			continue
		}
		if strings.Contains(p.Message.Summary, "alice") {
			approval = i
		} else if firstOther < 0 {
			firstOther = i
		}
	}
	if approval < 0 || firstOther < 0 {
		t.Fatalf("threads missing: %+v", posts)
	}
	if approval > firstOther {
		t.Errorf("the privileged flow's thread is post %d, behind another flow's at %d", approval, firstOther)
	}
}
