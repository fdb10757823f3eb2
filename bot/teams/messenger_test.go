package teams_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/bot/teams"
	"github.com/resetbot/resetbot/flows"
)

func teamsUser(account string) flows.ChatIdentity {
	return flows.ChatIdentity{Platform: teams.Platform, UserID: aadOf(account)}
}

// TestTokenCached: concurrent sends share one client-credentials token,
// and a new one is fetched only when the cached one nears its expiry.
func TestTokenCached(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	r := newRig(t, teams.WithClock(func() time.Time { return time.Unix(0, now.Load()) }))
	ms := r.app.Messenger()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- ms.SendPrivate(context.Background(), teamsUser("alice"), bot.Message{Summary: "hi"})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := r.fake.Count("token"); n != 1 {
		t.Fatalf("%d token requests for 8 sends, want 1", n)
	}
	now.Add(int64(50 * time.Minute)) // the fake's tokens live 3599 s
	if err := ms.SendPrivate(context.Background(), teamsUser("alice"), bot.Message{Summary: "hi"}); err != nil {
		t.Fatal(err)
	}
	if n := r.fake.Count("token"); n != 1 {
		t.Fatalf("%d token requests 50 minutes in, want still 1", n)
	}
	now.Add(int64(6 * time.Minute))
	if err := ms.SendPrivate(context.Background(), teamsUser("alice"), bot.Message{Summary: "hi"}); err != nil {
		t.Fatal(err)
	}
	if n := r.fake.Count("token"); n != 2 {
		t.Fatalf("%d token requests near expiry, want 2", n)
	}
}

// TestSendPrivate opens the personal chat, then posts into it; the next
// private message to the user posts without a second createConversation.
func TestSendPrivate(t *testing.T) {
	r := newRig(t)
	for _, text := range []string{"Your link", "Again"} {
		if err := r.app.Messenger().SendPrivate(context.Background(), teamsUser("alice"), bot.Message{Summary: text, Body: []string{"Open it"}}); err != nil {
			t.Fatal(err)
		}
	}
	calls := r.fake.Calls()
	conv := r.fake.PersonalConversation(aadOf("alice"))
	if len(calls) != 3 || calls[0].Method != http.MethodPost || !strings.HasSuffix(calls[0].Path, "/v3/conversations") ||
		calls[0].Conversation != conv || calls[1].Conversation != conv || !strings.HasSuffix(calls[1].Path, "/activities") ||
		strings.HasSuffix(calls[2].Path, "/v3/conversations") || !strings.HasSuffix(calls[2].Path, "/activities") {
		t.Fatalf("calls %+v, want create conversation, then two posts into %s", calls, conv)
	}
	posts := r.botPosts(conv)
	if len(posts) != 2 || posts[0].Summary != "Your link" || posts[1].Summary != "Again" {
		t.Fatalf("personal chat %+v", posts)
	}
	if err := r.app.Messenger().SendPrivate(context.Background(), flows.ChatIdentity{Platform: "slack", UserID: "U1"}, bot.Message{Summary: "x"}); err == nil {
		t.Fatal("a Slack identity was sent to on Teams")
	}
}

// creates counts the createConversation calls the fake received.
func creates(r *rig) int {
	n := 0
	for _, c := range r.fake.Calls() {
		if c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/v3/conversations") {
			n++
		}
	}
	return n
}

// TestSendPrivateStaleConversationCreatedAgainOnce: when the remembered
// personal conversation answers ConversationNotFound, it is created again
// once and the message posted in the new one, which the next message and
// the next email look-up use.
func TestSendPrivateStaleConversationCreatedAgainOnce(t *testing.T) {
	r := newRig(t)
	ms := r.messenger()
	ctx := context.Background()
	if err := ms.SendPrivate(ctx, teamsUser("alice"), bot.Message{Summary: "first"}); err != nil {
		t.Fatal(err)
	}
	old := r.fake.PersonalConversation(aadOf("alice"))
	r.fake.EndPersonal(aadOf("alice"))
	for _, text := range []string{"second", "third"} {
		if err := ms.SendPrivate(ctx, teamsUser("alice"), bot.Message{Summary: text}); err != nil {
			t.Fatalf("%s: %v", text, err)
		}
	}
	conv := r.fake.PersonalConversation(aadOf("alice"))
	if conv == old {
		t.Fatal("the personal conversation was not created again")
	}
	var texts []string
	for _, a := range r.botPosts(conv) {
		texts = append(texts, a.Summary)
	}
	if strings.Join(texts, ",") != "second,third" {
		t.Errorf("the new personal chat holds %q", texts)
	}
	if n := creates(r); n != 2 {
		t.Errorf("%d createConversation calls, want 2 (the first, and one after ConversationNotFound)", n)
	}
	if _, err := ms.UserEmail(ctx, aadOf("alice")); err != nil {
		t.Fatalf("UserEmail: %v", err)
	}
	r.fake.EndPersonal(aadOf("alice"))
	if got, err := ms.UserEmail(ctx, aadOf("alice")); err != nil || got != "alice@example.test" {
		t.Errorf("UserEmail after the chat ended: %q, %v", got, err)
	}
	if n := creates(r); n != 3 {
		t.Errorf("%d createConversation calls, want 3 (one more for the look-up in an ended chat)", n)
	}
}

// TestHelpdeskThread: the parent starts a channel conversation, replies
// join its thread, and an update replaces the parent in place.
func TestHelpdeskThread(t *testing.T) {
	r := newRig(t)
	ms := r.app.Messenger()
	ctx := context.Background()
	ref, err := ms.PostHelpdesk(ctx, bot.Message{Summary: "parent v1", Buttons: []bot.Button{{ActionID: bot.ActionApprove, Value: "f1", Label: "Approve"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"step 1", "step 2"} {
		if err := ms.ReplyHelpdesk(ctx, ref, bot.Message{Summary: s}); err != nil {
			t.Fatal(err)
		}
	}
	if err := ms.UpdateHelpdesk(ctx, ref, bot.Message{Summary: "parent v2"}); err != nil {
		t.Fatal(err)
	}
	ths := r.fake.Threads()
	if len(ths) != 1 {
		t.Fatalf("%d threads, want 1", len(ths))
	}
	th := ths[0]
	if !strings.HasPrefix(th.Conversation, testHelpdesk+";messageid=") {
		t.Fatalf("thread conversation %q is not in the helpdesk channel", th.Conversation)
	}
	c, err := th.Parent.Card()
	if err != nil {
		t.Fatal(err)
	}
	if th.Parent.Summary != "parent v2" || len(c.Actions) != 0 {
		t.Fatalf("parent %q with %d actions, want the update without buttons", th.Parent.Summary, len(c.Actions))
	}
	if len(th.Replies) != 2 || th.Replies[0].Summary != "step 1" || th.Replies[1].Summary != "step 2" ||
		th.Replies[0].ReplyToID != th.Parent.ID {
		t.Fatalf("replies %+v", th.Replies)
	}
	if err := ms.ReplyHelpdesk(ctx, "not a ref", bot.Message{Summary: "x"}); err == nil {
		t.Fatal("a malformed thread ref was accepted")
	}
}

// TestRateLimited: a 429 is a *bot.RetryAfterError with the server's wait.
func TestRateLimited(t *testing.T) {
	r := newRig(t)
	r.fake.RateLimit(1, 7*time.Second)
	_, err := r.app.Messenger().PostHelpdesk(context.Background(), bot.Message{Summary: "x"})
	var ra *bot.RetryAfterError
	if !errors.As(err, &ra) || ra.After != 7*time.Second {
		t.Fatalf("error %v, want RetryAfterError of 7s", err)
	}
	if _, err := r.app.Messenger().PostHelpdesk(context.Background(), bot.Message{Summary: "x"}); err != nil {
		t.Fatalf("after the limit: %v", err)
	}
}

// TestUserEmail reads the email of a user from the connector.
func TestUserEmail(t *testing.T) {
	r := newRig(t)
	got, err := r.messenger().UserEmail(context.Background(), aadOf("alice"))
	if err != nil || got != "alice@example.test" {
		t.Fatalf("email %q, %v", got, err)
	}
}

// TestNoSecretInErrors: a refused client secret fails with the OAuth
// error code only.
func TestNoSecretInErrors(t *testing.T) {
	fake := newFake(t)
	cfg := testConfig(fake)
	cfg.AppPassword = "wrong-secret-value"
	app, err := teams.New(cfg, &recorder{}, &bottest.MemOnce{}, teams.WithHTTPClient(fake.Client()), teams.WithPace(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	fake.AddUser(member("alice"))
	err = app.Messenger().SendPrivate(context.Background(), teamsUser("alice"), bot.Message{Summary: "x"})
	if err == nil || strings.Contains(err.Error(), "wrong-secret-value") || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("error %v, want invalid_client without the secret", err)
	}
}

// TestPermanentRefusalsAreTyped: the connector's "don't retry" answers (a
// deleted parent, the bot removed from the helpdesk team, a request
// refused as such) are a *bot.PermanentError, so the core starts a new
// parent or lets the event go; transient ones (429, 5xx) are not, so it
// retries them.
func TestPermanentRefusalsAreTyped(t *testing.T) {
	ctx := context.Background()
	parent := bot.Message{Summary: "parent"}
	cases := []struct {
		name      string
		refuse    func(r *rig)
		call      func(ms bot.Messenger, ref string) error
		permanent bool
	}{
		{"update of a deleted parent", deleteParent, func(ms bot.Messenger, ref string) error {
			return ms.UpdateHelpdesk(ctx, ref, parent)
		}, true},
		{"reply under a deleted parent", deleteParent, func(ms bot.Messenger, ref string) error {
			return ms.ReplyHelpdesk(ctx, ref, bot.Message{Summary: "x"})
		}, true},
		{"reply with the bot removed from the team", func(r *rig) { r.fake.RemoveBot() }, func(ms bot.Messenger, ref string) error {
			return ms.ReplyHelpdesk(ctx, ref, bot.Message{Summary: "x"})
		}, true},
		{"new parent with the bot removed from the team", func(r *rig) { r.fake.RemoveBot() }, func(ms bot.Messenger, _ string) error {
			_, err := ms.PostHelpdesk(ctx, parent)
			return err
		}, true},
		{"request refused as malformed", func(r *rig) { r.fake.Refuse(1, http.StatusBadRequest, "BadArgument") }, func(ms bot.Messenger, ref string) error {
			return ms.ReplyHelpdesk(ctx, ref, bot.Message{Summary: "x"})
		}, true},
		{"private message to a user who blocked the bot", func(r *rig) { r.fake.Refuse(1, http.StatusForbidden, "ConversationBlockedByUser") }, func(ms bot.Messenger, _ string) error {
			return ms.SendPrivate(ctx, teamsUser("alice"), bot.Message{Summary: "x"})
		}, true},
		{"rate limited", func(r *rig) { r.fake.RateLimit(1, time.Second) }, func(ms bot.Messenger, ref string) error {
			return ms.ReplyHelpdesk(ctx, ref, bot.Message{Summary: "x"})
		}, false},
		{"service unavailable", func(r *rig) { r.fake.Refuse(1, http.StatusServiceUnavailable, "ServiceUnavailable") }, func(ms bot.Messenger, ref string) error {
			return ms.UpdateHelpdesk(ctx, ref, parent)
		}, false},
		{"internal error", func(r *rig) { r.fake.Refuse(1, http.StatusInternalServerError, "ServiceError") }, func(ms bot.Messenger, _ string) error {
			_, err := ms.PostHelpdesk(ctx, parent)
			return err
		}, false},
		{"timed out", func(*rig) {}, func(ms bot.Messenger, ref string) error {
			expired, cancel := context.WithDeadline(ctx, time.Unix(0, 0))
			defer cancel()
			return ms.ReplyHelpdesk(expired, ref, bot.Message{Summary: "x"})
		}, false},
		{"precondition failed", func(r *rig) { r.fake.Refuse(1, http.StatusPreconditionFailed, "PreconditionFailed") }, func(ms bot.Messenger, ref string) error {
			return ms.ReplyHelpdesk(ctx, ref, bot.Message{Summary: "x"})
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			ms := r.app.Messenger()
			ref, err := ms.PostHelpdesk(ctx, parent)
			if err != nil {
				t.Fatal(err)
			}
			tc.refuse(r)
			err = tc.call(ms, ref)
			if err == nil {
				t.Fatal("the call succeeded, want a refusal")
			}
			if bot.IsPermanent(err) != tc.permanent {
				t.Fatalf("error %v: permanent %v, want %v", err, bot.IsPermanent(err), tc.permanent)
			}
		})
	}
}

// deleteParent deletes the parent of the rig's only helpdesk thread.
func deleteParent(r *rig) {
	th := r.fake.Threads()[0]
	r.fake.DeleteActivity(th.Conversation, th.Parent.ID)
}
