package discord

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/flows"
)

var parentMsg = bot.Message{
	Summary: "Password reset for Alice Admin (alice): awaiting approval",
	Title:   "Password reset · Alice Admin (alice)",
	Fields:  []bot.Field{{Label: "Status", Value: "awaiting approval"}},
	Buttons: []bot.Button{
		{ActionID: bot.ActionApprove, Value: "0a-flow1", Label: "Approve", Style: bot.StylePrimary},
		{ActionID: bot.ActionDeny, Value: "0a-flow1", Label: "Deny", Style: bot.StyleDanger},
	},
}

func routeCalls(r *rig, route string) int {
	n := 0
	for _, c := range r.fake.Calls() {
		if c.Route == route {
			n++
		}
	}
	return n
}

// TestSendPrivateOpensTheDMAndPosts: the first private message to a user
// creates the DM channel, the second reuses it without a second create
// call.
func TestSendPrivateOpensTheDMAndPosts(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	to := identity(snowflakeOf("pwuser"))
	for i, text := range []string{"first", "second"} {
		if err := r.ms.SendPrivate(ctx, to, bot.Message{Summary: text, Body: []string{text}}); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	dm, ok := r.fake.DMChannel(to.UserID)
	if !ok {
		t.Fatal("no DM channel opened")
	}
	got := r.fake.ChannelMessages(dm)
	if len(got) != 2 || !strings.Contains(got[0].Text(), "first") || !strings.Contains(got[1].Text(), "second") {
		t.Fatalf("DM holds %+v", got)
	}
	if n := routeCalls(r, "POST /users/@me/channels"); n != 1 {
		t.Errorf("%d DM channel calls for two messages, want 1 (the channel is remembered)", n)
	}
	for _, tc := range []struct {
		name string
		to   flows.ChatIdentity
	}{
		{"another platform", flows.ChatIdentity{Platform: "slack", UserID: "U1"}},
		{"not a snowflake", identity("../../x")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := r.ms.SendPrivate(ctx, tc.to, bot.Message{Summary: "x"}); err == nil {
				t.Error("sent to a user that is not a Discord user")
			}
		})
	}
}

// TestSendPrivateStaleDMIsCreatedAgainOnce: when the remembered DM
// channel answers Unknown Channel, the DM is created again once and the
// message posted there; the next message uses the new channel.
func TestSendPrivateStaleDMIsCreatedAgainOnce(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	to := identity(snowflakeOf("staleuser"))
	if err := r.ms.SendPrivate(ctx, to, bot.Message{Summary: "first", Body: []string{"first"}}); err != nil {
		t.Fatal(err)
	}
	old, _ := r.fake.DMChannel(to.UserID)
	r.fake.CloseDM(to.UserID)
	for _, text := range []string{"second", "third"} {
		if err := r.ms.SendPrivate(ctx, to, bot.Message{Summary: text, Body: []string{text}}); err != nil {
			t.Fatalf("%s: %v", text, err)
		}
	}
	dm, ok := r.fake.DMChannel(to.UserID)
	if !ok || dm == old {
		t.Fatalf("DM channel %q (was %q): not created again", dm, old)
	}
	if got := r.fake.ChannelMessages(dm); len(got) != 2 || !strings.Contains(got[0].Text(), "second") || !strings.Contains(got[1].Text(), "third") {
		t.Errorf("the new DM holds %+v", got)
	}
	if n := routeCalls(r, "POST /users/@me/channels"); n != 2 {
		t.Errorf("%d DM channel calls, want 2 (the first, and one after Unknown Channel)", n)
	}
	refused := 0
	for _, c := range r.fake.Calls() {
		if c.Route == "POST /channels/{channel}/messages" && c.Status == http.StatusNotFound {
			refused++
		}
	}
	if refused != 1 {
		t.Errorf("%d posts answered 404, want the one to the stale channel", refused)
	}
	if n := len(r.fake.Private(to.UserID)); n != 3 {
		t.Errorf("the user saw %d messages, want 3", n)
	}
}

func TestHelpdeskThreadParentRepliesAndEdit(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	ref, err := r.ms.PostHelpdesk(ctx, parentMsg)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := parseThreadRef(ref)
	if err != nil || tr.channel != r.helpdesk || tr.thread == "" {
		t.Fatalf("ref %q (%v), want helpdesk channel, message and thread", ref, err)
	}
	id, name, ok := r.fake.Thread(tr.message)
	if !ok || id != tr.thread || name != "Password reset · Alice Admin (alice)" {
		t.Fatalf("thread %q %q %v", id, name, ok)
	}
	for _, step := range []string{"Requested by", "Link sent"} {
		if err := r.ms.ReplyHelpdesk(ctx, ref, bot.Message{Summary: step, Title: step}); err != nil {
			t.Fatal(err)
		}
	}
	replies := r.fake.ChannelMessages(tr.thread)
	if len(replies) != 2 || !strings.Contains(replies[0].Text(), "Requested by") || !strings.Contains(replies[1].Text(), "Link sent") {
		t.Fatalf("thread holds %+v", replies)
	}
	decided := parentMsg
	decided.Buttons, decided.Body = nil, []string{"Approved by " + bot.Mention(identity(snowflakeOf("jdoe")))}
	if err := r.ms.UpdateHelpdesk(ctx, ref, decided); err != nil {
		t.Fatal(err)
	}
	parents := r.fake.ChannelMessages(r.helpdesk)
	if len(parents) != 1 || parents[0].ID != tr.message || parents[0].Edits != 1 {
		t.Fatalf("helpdesk channel holds %+v, want the one parent edited in place", parents)
	}
	if len(parents[0].Buttons()) != 0 || !strings.Contains(parents[0].Text(), "Approved by <@"+snowflakeOf("jdoe")+">") {
		t.Errorf("parent after the decision: %q with buttons %+v", parents[0].Text(), parents[0].Buttons())
	}
}

func TestThreadStartedLaterIfTheFirstTryFails(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.fake.RateLimit("POST /channels/{channel}/messages/{message}/threads", 1, 10*time.Millisecond)
	ref, err := r.ms.PostHelpdesk(ctx, parentMsg)
	if err != nil {
		t.Fatalf("posting the parent failed although it was posted: %v", err)
	}
	tr, _ := parseThreadRef(ref)
	if tr.thread != "" {
		t.Fatalf("ref %q names a thread that was never started", ref)
	}
	if err := r.ms.ReplyHelpdesk(ctx, ref, bot.Message{Summary: "Requested by"}); err != nil {
		t.Fatal(err)
	}
	if _, name, ok := r.fake.Thread(tr.message); !ok || name != "Password reset · Alice Admin (alice)" {
		t.Fatalf("thread %q %v, want it started with the parent's title", name, ok)
	}
	if got := r.fake.ChannelMessages(tr.message); len(got) != 1 {
		t.Fatalf("thread holds %+v", got)
	}
	// A second reply with the same thread-less ref finds the thread.
	if err := r.ms.ReplyHelpdesk(ctx, ref, bot.Message{Summary: "Link sent"}); err != nil {
		t.Fatal(err)
	}
	if got := r.fake.ChannelMessages(tr.message); len(got) != 2 {
		t.Fatalf("thread holds %+v", got)
	}
}

func TestRateLimitSurfacesAsRetryAfter(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.fake.RateLimit("POST /channels/{channel}/messages", 1, time.Second)
	_, err := r.ms.PostHelpdesk(ctx, parentMsg)
	var ra *bot.RetryAfterError
	if !errors.As(err, &ra) || ra.After != time.Second {
		t.Fatalf("error %v, want *bot.RetryAfterError of 1s", err)
	}
	if got := r.fake.ChannelMessages(r.helpdesk); len(got) != 0 {
		t.Fatalf("a refused post shows: %+v", got)
	}
	// The retry the audit reader makes goes through.
	if _, err := r.ms.PostHelpdesk(ctx, parentMsg); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if got := r.fake.ChannelMessages(r.helpdesk); len(got) != 1 {
		t.Fatalf("helpdesk channel holds %d messages after the retry, want 1", len(got))
	}
}

func TestErrorsCarryNoSecrets(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	bad := r.cfg
	bad.BotToken = "wrong-token-value"
	ms, err := NewMessenger(bad, WithHTTPClient(r.fake.Client()), quiet())
	if err != nil {
		t.Fatal(err)
	}
	err = ms.Check(ctx)
	if err == nil || strings.Contains(err.Error(), "wrong-token-value") {
		t.Errorf("Check with a wrong token: %v", err)
	}
	if err := r.ms.Check(ctx); err != nil {
		t.Errorf("Check with the right token: %v", err)
	}
	fu := newFollowup(r.ms.s, testAppID, "secret-interaction-token")
	fu.responded()
	err = fu.Respond(ctx, bot.Message{Summary: "x"})
	if err == nil || strings.Contains(err.Error(), "secret-interaction-token") {
		t.Errorf("follow-up to an unknown interaction: %v", err)
	}
}

func TestRequestsGoToTheConfiguredAPIOnly(t *testing.T) {
	r := newRig(t)
	client := r.ms.s.Client
	req, _ := http.NewRequest(http.MethodGet, "https://example.com/api/v10/users/@me", nil)
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("a request outside Discord's API went out")
	}
	req, _ = http.NewRequest(http.MethodGet, DefaultAPIURL+"users/@me", nil)
	req.Header.Set("Authorization", "Bot "+testToken)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d from the fake", resp.StatusCode)
	}
}

// TestDeletedParentIsPermanent: editing a thread parent that is gone
// ("Unknown Message") is a *bot.PermanentError, so the core starts a new
// thread instead of retrying forever; a rate limit is not permanent.
func TestDeletedParentIsPermanent(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	ref, err := r.ms.PostHelpdesk(ctx, parentMsg)
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := parseThreadRef(ref)
	gone := threadRef{channel: tr.channel, message: "1234567890123456789", thread: tr.thread}
	if err := r.ms.UpdateHelpdesk(ctx, gone.String(), parentMsg); !bot.IsPermanent(err) {
		t.Fatalf("edit of a deleted parent = %v, want permanent", err)
	}
	r.fake.RateLimit("POST /channels/{channel}/messages", 1, time.Second)
	if err := r.ms.ReplyHelpdesk(ctx, ref, bot.Message{Summary: "x"}); err == nil || bot.IsPermanent(err) {
		t.Fatalf("rate-limited reply = %v, want a retryable error", err)
	}
}
