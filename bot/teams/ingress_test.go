package teams_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/teams/teamsfake"
	"github.com/resetbot/resetbot/flows"
)

// botPosts returns the activities the bot posted in a conversation.
func (r *rig) botPosts(conv string) []teamsfake.Activity {
	var out []teamsfake.Activity
	for _, a := range r.fake.Conversation(conv) {
		if r.fake.FromBot(a) {
			out = append(out, a)
		}
	}
	return out
}

// TestRedeliveryRunsOnce: Teams retries an activity with the same id; the
// core hears of it once and the chat shows one reply.
func TestRedeliveryRunsOnce(t *testing.T) {
	r := newRig(t)
	a := r.fake.Message(member("alice"), "reset")
	for i := 0; i < 3; i++ {
		if status, body := r.postSigned(t, a); status != http.StatusOK {
			t.Fatalf("delivery %d: %d %s", i, status, body)
		}
	}
	if n := r.h.calls(); n != 1 {
		t.Fatalf("handler called %d times for one activity, want 1", n)
	}
	if n := len(r.botPosts(a.Conversation.ID)); n != 1 {
		t.Fatalf("%d replies in the chat, want 1", n)
	}
}

// TestImmediateReplyDoesNotWaitForWork: the core's background work blocks
// until released; the activity is answered (reply posted, 200) while it
// is blocked, and its later answer follows the immediate reply.
func TestImmediateReplyDoesNotWaitForWork(t *testing.T) {
	r := newRig(t)
	release, done := make(chan struct{}), make(chan error, 1)
	r.h.background = func(req bot.Request) {
		<-release
		done <- req.Respond.Respond(context.Background(), bot.Message{Summary: "later", Body: []string{"later"}})
	}
	a := r.fake.Message(member("alice"), "reset")
	if status, body := r.postSigned(t, a); status != http.StatusOK {
		t.Fatalf("%d %s", status, body)
	}
	posts := r.botPosts(a.Conversation.ID)
	if len(posts) != 1 || posts[0].Summary != "first" || posts[0].ReplyToID != a.ID {
		t.Fatalf("while the work is blocked the chat shows %+v, want the immediate reply to %s", posts, a.ID)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	posts = r.botPosts(a.Conversation.ID)
	if len(posts) != 2 || posts[1].Summary != "later" {
		t.Fatalf("chat %+v, want the later answer after the immediate reply", posts)
	}
}

// TestAnswerWaitsForImmediateReply: an answer the core gives at once
// still comes after the immediate reply in the chat.
func TestAnswerWaitsForImmediateReply(t *testing.T) {
	r := newRig(t)
	done := make(chan error, 1)
	r.h.background = func(req bot.Request) {
		done <- req.Respond.Respond(context.Background(), bot.Message{Summary: "later", Body: []string{"later"}})
	}
	a := r.fake.Message(member("alice"), "status")
	if status, body := r.postSigned(t, a); status != http.StatusOK {
		t.Fatalf("%d %s", status, body)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	posts := r.botPosts(a.Conversation.ID)
	if len(posts) != 2 || posts[0].Summary != "first" || posts[1].Summary != "later" {
		t.Fatalf("chat order %+v, want first then later", posts)
	}
}

// TestTranslation checks what the core receives for typical messages.
func TestTranslation(t *testing.T) {
	r := newRig(t)
	at, mention := teamsfake.Mention(member("jdoe"))
	botAt := "<at>" + teamsfake.BotName + "</at>"
	botMention := teamsfake.Entity{Type: "mention", Text: botAt, Mentioned: &teamsfake.Account{ID: "28:" + testAppID, Name: teamsfake.BotName}}
	for _, tc := range []struct {
		name     string
		activity func() teamsfake.Activity
		text     string
		mentions []string
		email    string
	}{
		{"plain command", func() teamsfake.Activity { return r.fake.Message(member("alice"), "unlock") }, "unlock", nil, ""},
		// The text reaches the core as typed; the core reads the habitual
		// command name (checked below: it means enroll).
		{"habit of the slash command", func() teamsfake.Activity { return r.fake.Message(member("alice"), "/reset enroll") }, "/reset enroll", nil, ""},
		{"bot mention stripped", func() teamsfake.Activity {
			return r.fake.Message(member("alice"), botAt+" status", botMention)
		}, "status", nil, ""},
		{"html wrapped", func() teamsfake.Activity {
			return r.fake.Message(member("alice"), "<p>help&nbsp;</p>")
		}, "help", nil, ""},
		{"helpdesk push with a 29: mention", func() teamsfake.Activity {
			return r.fake.Message(member("alice"), "for "+at, mention)
		}, "for " + bot.Mention(flows.ChatIdentity{Platform: "teams", UserID: aadOf("jdoe")}), []string{aadOf("jdoe")}, ""},
		{"mention entity not in the text is ignored", func() teamsfake.Activity {
			return r.fake.Message(member("alice"), "for someone", mention)
		}, "for someone", nil, ""},
		{"typed mention token neutralised", func() teamsfake.Activity {
			return r.fake.Message(member("alice"), "for &lt;@teams:"+aadOf("jdoe")+"&gt;")
		}, "for < @teams:" + aadOf("jdoe") + ">", nil, ""},
		// Identity by email never comes from the activity: an address
		// there is not what the tenant verified for the sender (the
		// nOAuth class of takeovers); the core asks UserEmail instead.
		{"from.email of the activity ignored", func() teamsfake.Activity {
			a := r.fake.Message(member("alice"), "reset")
			a.From.Email = "ceo@example.test"
			return a
		}, "reset", nil, ""},
		{"from.userPrincipalName of the activity ignored", func() teamsfake.Activity {
			a := r.fake.Message(member("alice"), "reset")
			a.From.UserPrincipalName = "ceo@example.test"
			return a
		}, "reset", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.h.mu.Lock()
			before := len(r.h.requests)
			r.h.mu.Unlock()
			if status, body := r.postSigned(t, tc.activity()); status != http.StatusOK {
				t.Fatalf("%d %s", status, body)
			}
			r.h.mu.Lock()
			got := r.h.requests[before:]
			r.h.mu.Unlock()
			if len(got) != 1 {
				t.Fatalf("%d requests, want 1", len(got))
			}
			req := got[0]
			var ids []string
			for _, m := range req.Mentions {
				ids = append(ids, m.ID.UserID)
			}
			if req.Text != tc.text || !equal(ids, tc.mentions) {
				t.Fatalf("text %q mentions %v, want %q %v", req.Text, ids, tc.text, tc.mentions)
			}
			if tc.name == "habit of the slash command" {
				if cmd, err := bot.ParseCommand(req.Text, req.Mentions); err != nil || cmd.Verb != bot.VerbEnroll {
					t.Fatalf("the core reads %q as %v, %v; want enroll", req.Text, cmd.Verb, err)
				}
			}
			if req.From.ID.Platform != "teams" || req.From.ID.UserID != aadOf("alice") {
				t.Fatalf("from %+v, want alice's object id", req.From.ID)
			}
			if req.From.Email != tc.email {
				t.Fatalf("email %q, want %q", req.From.Email, tc.email)
			}
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestClick: an Action.Execute invoke reaches the core as an Action from
// the clicker, answered in the invoke response; a redelivered invoke does
// not reach it again.
func TestClick(t *testing.T) {
	r := newRig(t)
	r.h.reply = bot.Message{Summary: "Working on it"}
	_, err := r.app.Messenger().PostHelpdesk(context.Background(), bot.Message{Summary: "parent", Buttons: []bot.Button{{ActionID: bot.ActionApprove, Value: "flow-1", Label: "Approve"}}})
	if err != nil {
		t.Fatal(err)
	}
	th := r.fake.Threads()[0]
	c, err := th.Parent.Card()
	if err != nil || len(c.Actions) != 1 {
		t.Fatalf("parent card %+v, %v", c, err)
	}
	a := r.fake.Invoke(member("jdoe"), th, c.Actions[0])
	for i := 0; i < 2; i++ {
		status, body := r.postSigned(t, a)
		var resp struct {
			StatusCode int    `json:"statusCode"`
			Type       string `json:"type"`
			Value      string `json:"value"`
		}
		if status != http.StatusOK || json.Unmarshal([]byte(body), &resp) != nil || resp.StatusCode != 200 || resp.Type != "application/vnd.microsoft.activity.message" {
			t.Fatalf("delivery %d: %d %s", i, status, body)
		}
		if i == 0 && resp.Value != "Working on it" {
			t.Fatalf("invoke answer %q, want the core's first reply", resp.Value)
		}
	}
	if len(r.h.actions) != 1 {
		t.Fatalf("%d actions for one click, want 1", len(r.h.actions))
	}
	got := r.h.actions[0]
	if got.ActionID != bot.ActionApprove || got.Value != "flow-1" || got.From.ID.UserID != aadOf("jdoe") {
		t.Fatalf("action %+v", got)
	}
}
