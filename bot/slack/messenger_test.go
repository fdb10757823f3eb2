package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/flows"
)

func newTestMessenger(t *testing.T, pace time.Duration, change ...func(*Config)) (*Messenger, *slackfake.Server) {
	t.Helper()
	fake := slackfake.New(testToken)
	t.Cleanup(fake.Close)
	fake.AddChannel(testChannel)
	cfg := testConfig(fake.APIURL())
	for _, c := range change {
		c(&cfg)
	}
	m, err := NewMessenger(cfg, WithHTTPClient(fake.Client()), WithPace(pace))
	if err != nil {
		t.Fatal(err)
	}
	switch m := m.(type) {
	case *Messenger:
		return m, fake
	case *groupMessenger:
		return m.Messenger, fake
	}
	t.Fatalf("NewMessenger returned %T", m)
	return nil, nil
}

func alice() flows.ChatIdentity { return flows.ChatIdentity{Platform: "slack", UserID: "U0ALICE"} }

// TestSendPrivatePostsByUserID: a private message is one chat.postMessage
// with the user's id as channel, which Slack posts in the app's DM with
// them; no conversations.open (Tier 3, app-wide), not for the first
// message and not for the next.
func TestSendPrivatePostsByUserID(t *testing.T) {
	m, fake := newTestMessenger(t, 0)
	msg := bot.Message{Summary: "Your link", Link: &bot.Link{URL: "https://reset.example.com/r/x", Label: "Reset"}}
	for range 2 {
		if err := m.SendPrivate(context.Background(), alice(), msg); err != nil {
			t.Fatal(err)
		}
	}
	var calls []string
	for _, c := range fake.Calls() {
		calls = append(calls, c.Method+" "+c.User+" "+c.Channel+" "+c.Error)
	}
	want := "chat.postMessage U0ALICE D0ALICE |chat.postMessage U0ALICE D0ALICE "
	if strings.Join(calls, "|") != want {
		t.Errorf("calls %q, want %q: two posts by user id, landing in the DM, and no open", calls, want)
	}
	dms := fake.DMs("U0ALICE")
	if len(dms) != 2 || dms[0].Text != "Your link" || !strings.Contains(string(dms[0].Blocks), `"url":"https://reset.example.com/r/x"`) {
		t.Errorf("DMs = %+v", dms)
	}
	if got := fake.Messages(testChannel); len(got) != 0 {
		t.Errorf("a private message reached the helpdesk channel: %+v", got)
	}
}

// TestSendPrivateOpensWhereTheIMIsNotOpen: where Slack answers a post by
// user id with channel_not_found, the DM is opened once and the message
// posted there; the next message goes by user id again, without an open.
func TestSendPrivateOpensWhereTheIMIsNotOpen(t *testing.T) {
	m, fake := newTestMessenger(t, 0)
	fake.NeedsOpen("U0ALICE")
	for _, text := range []string{"first", "second"} {
		if err := m.SendPrivate(context.Background(), alice(), bot.Message{Summary: text}); err != nil {
			t.Fatalf("%s: %v", text, err)
		}
	}
	var calls []string
	for _, c := range fake.Calls() {
		calls = append(calls, c.Method+" "+c.Channel+" "+c.Error)
	}
	want := "chat.postMessage U0ALICE channel_not_found|conversations.open D0ALICE |chat.postMessage D0ALICE |chat.postMessage D0ALICE "
	if strings.Join(calls, "|") != want {
		t.Errorf("calls %q, want %q", calls, want)
	}
	var texts []string
	for _, dm := range fake.DMs("U0ALICE") {
		texts = append(texts, dm.Text)
	}
	if strings.Join(texts, ",") != "first,second" {
		t.Errorf("DMs %q, want first,second", texts)
	}
}

// TestSendPrivateRefusedDMs: a DM Slack refuses is an error for the
// caller (which answers in the request instead), after at most one
// conversations.open, and permanent where no retry helps; nothing lands
// in the DM.
func TestSendPrivateRefusedDMs(t *testing.T) {
	tests := []struct {
		name      string
		refusal   slackfake.DMRefusal
		opens     int
		permanent bool
	}{
		{"deactivated member", slackfake.DMRefusal{Post: "channel_not_found", Open: "user_disabled"}, 1, true},
		{"bot user", slackfake.DMRefusal{Post: "channel_not_found", Open: "cannot_dm_bot"}, 1, true},
		{"DM refused even once open", slackfake.DMRefusal{Post: "channel_not_found"}, 1, true},
		{"posting restricted", slackfake.DMRefusal{Post: "restricted_action"}, 0, true},
		{"unknown refusal", slackfake.DMRefusal{Post: "fatal_error"}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, fake := newTestMessenger(t, 0)
			fake.RefuseDM("U0ALICE", tt.refusal)
			err := m.SendPrivate(context.Background(), alice(), bot.Message{Summary: "x"})
			if err == nil {
				t.Fatal("SendPrivate succeeded")
			}
			if bot.IsPermanent(err) != tt.permanent {
				t.Errorf("err %v: permanent %v, want %v", err, bot.IsPermanent(err), tt.permanent)
			}
			opens := 0
			for _, c := range fake.Calls() {
				if c.Method == "conversations.open" {
					opens++
				}
			}
			if opens != tt.opens {
				t.Errorf("%d conversations.open, want %d", opens, tt.opens)
			}
			if n := len(fake.DMs("U0ALICE")); n != 0 {
				t.Errorf("%d messages in a refused DM", n)
			}
		})
	}
}

func TestSendPrivateRefusesOtherPlatforms(t *testing.T) {
	m, fake := newTestMessenger(t, 0)
	err := m.SendPrivate(context.Background(), flows.ChatIdentity{Platform: "teams", UserID: "U0ALICE"}, bot.Message{Summary: "x"})
	if err == nil || len(fake.Calls()) != 0 {
		t.Errorf("err %v after %d calls", err, len(fake.Calls()))
	}
}

func TestHelpdeskThread(t *testing.T) {
	m, fake := newTestMessenger(t, 0)
	ctx := context.Background()
	thread, err := m.PostHelpdesk(ctx, bot.Message{Summary: "Reset for alice: requested", Title: "Password reset: alice"})
	if err != nil {
		t.Fatal(err)
	}
	channel, ts, ok := strings.Cut(thread, "/")
	if !ok || channel != testChannel || ts == "" {
		t.Fatalf("thread reference %q is not CHANNEL/TS", thread)
	}
	for _, line := range []string{"Requested", "Link sent", "Link opened"} {
		if err := m.ReplyHelpdesk(ctx, thread, bot.Message{Summary: line}); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.UpdateHelpdesk(ctx, thread, bot.Message{Summary: "Reset for alice: link opened", Title: "Password reset: alice"}); err != nil {
		t.Fatal(err)
	}

	top := fake.Messages(testChannel)
	if len(top) != 1 || top[0].TS != ts {
		t.Fatalf("top-level messages %+v, want only the parent", top)
	}
	if top[0].Edits != 1 || top[0].Text != "Reset for alice: link opened" {
		t.Errorf("parent not edited in place: %+v", top[0])
	}
	replies := fake.Thread(ts)
	var texts []string
	seen := map[string]bool{ts: true}
	for _, r := range replies {
		texts = append(texts, r.Text)
		if seen[r.TS] {
			t.Errorf("timestamp %s used twice", r.TS)
		}
		seen[r.TS] = true
	}
	if strings.Join(texts, "|") != "Requested|Link sent|Link opened" {
		t.Errorf("thread %q, want the replies in order", texts)
	}
	if ups := fake.Updates(); len(ups) != 1 || ups[0].TS != ts || ups[0].Channel != testChannel {
		t.Errorf("updates %+v", ups)
	}
}

func TestBadThreadReference(t *testing.T) {
	m, fake := newTestMessenger(t, 0)
	for _, ref := range []string{"", "C0HELPDESK", "/1.2", "C0HELPDESK/"} {
		if err := m.ReplyHelpdesk(context.Background(), ref, bot.Message{Summary: "x"}); err == nil {
			t.Errorf("reply to %q succeeded", ref)
		}
		if err := m.UpdateHelpdesk(context.Background(), ref, bot.Message{Summary: "x"}); err == nil {
			t.Errorf("update of %q succeeded", ref)
		}
	}
	if n := len(fake.Calls()); n != 0 {
		t.Errorf("%d calls for bad references", n)
	}
}

func TestRateLimitBecomesRetryAfter(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*slackfake.Server)
		call  func(*Messenger) error
		want  time.Duration
	}{
		{"postMessage 429", func(f *slackfake.Server) { f.FailNext("chat.postMessage", 1, 3*time.Second) },
			func(m *Messenger) error {
				_, err := m.PostHelpdesk(context.Background(), bot.Message{Summary: "x"})
				return err
			}, 3 * time.Second},
		{"update 429", func(f *slackfake.Server) { f.FailNext("chat.update", 1, 2*time.Second) },
			func(m *Messenger) error {
				return m.UpdateHelpdesk(context.Background(), testChannel+"/1700000000.000001", bot.Message{Summary: "x"})
			}, 2 * time.Second},
		{"DM post 429", func(f *slackfake.Server) { f.FailNext("chat.postMessage", 1, 4*time.Second) },
			func(m *Messenger) error {
				return m.SendPrivate(context.Background(), alice(), bot.Message{Summary: "x"})
			}, 4 * time.Second},
		{"conversations.open 429", func(f *slackfake.Server) {
			f.NeedsOpen("U0ALICE")
			f.FailNext("conversations.open", 1, 5*time.Second)
		},
			func(m *Messenger) error {
				return m.SendPrivate(context.Background(), alice(), bot.Message{Summary: "x"})
			}, 5 * time.Second},
		{"channel limit without pacing", func(f *slackfake.Server) { f.LimitChannels(time.Minute) },
			func(m *Messenger) error {
				thread, err := m.PostHelpdesk(context.Background(), bot.Message{Summary: "parent"})
				if err != nil {
					return fmt.Errorf("first post: %w", err)
				}
				return m.ReplyHelpdesk(context.Background(), thread, bot.Message{Summary: "too soon"})
			}, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, fake := newTestMessenger(t, 0)
			tt.setup(fake)
			err := tt.call(m)
			var ra *bot.RetryAfterError
			if !errors.As(err, &ra) {
				t.Fatalf("err = %v, want a *bot.RetryAfterError", err)
			}
			if ra.After != tt.want {
				t.Errorf("retry after %s, want %s", ra.After, tt.want)
			}
		})
	}
}

func TestPacingKeepsOrderWithinSlackLimit(t *testing.T) {
	// Slack-side limit 100ms per channel, our pace 250ms: paced posts never
	// hit the limit and arrive in the order they were made.
	m, fake := newTestMessenger(t, 250*time.Millisecond)
	fake.LimitChannels(100 * time.Millisecond)
	ctx := context.Background()
	thread, err := m.PostHelpdesk(ctx, bot.Message{Summary: "parent"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"one", "two", "three", "four"}
	for _, s := range want {
		if err := m.ReplyHelpdesk(ctx, thread, bot.Message{Summary: s}); err != nil {
			t.Fatalf("reply %q: %v", s, err)
		}
	}
	_, ts, _ := strings.Cut(thread, "/")
	var got []string
	for _, r := range fake.Thread(ts) {
		got = append(got, r.Text)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("thread %v, want %v", got, want)
	}
	calls := fake.Calls()
	for i := 1; i < len(calls); i++ {
		if calls[i].Error != "" {
			t.Errorf("call %d was refused: %s", i, calls[i].Error)
		}
		if gap := calls[i].At.Sub(calls[i-1].At); gap < 100*time.Millisecond {
			t.Errorf("posts %d and %d only %s apart", i-1, i, gap)
		}
	}
}

func TestUserEmail(t *testing.T) {
	m, fake := newTestMessenger(t, 0)
	fake.AddUser(slackfake.User{ID: "U0ALICE", Name: "alice", Email: "alice@example.com"})
	fake.AddUser(slackfake.User{ID: "U0HIDDEN", Name: "hidden"})
	tests := []struct {
		name, user, want string
		wantErr          bool
	}{
		{"profile email", "U0ALICE", "alice@example.com", false},
		{"no visible email", "U0HIDDEN", "", true},
		{"unknown user", "U0NOBODY", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := m.UserEmail(context.Background(), tt.user)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("UserEmail = %q, %v", got, err)
			}
		})
	}
}

func TestGroupResolverOnlyWhenConfigured(t *testing.T) {
	fake := slackfake.New(testToken)
	defer fake.Close()
	fake.AddUsergroup("S0HELP", "U0BOB", "U0CAROL")

	plain, err := NewMessenger(testConfig(fake.APIURL()), WithHTTPClient(fake.Client()))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := plain.(bot.GroupResolver); ok {
		t.Error("GroupResolver offered without a configured user group")
	}
	if _, ok := plain.(bot.EmailResolver); !ok {
		t.Error("EmailResolver missing")
	}

	cfg := testConfig(fake.APIURL())
	cfg.HelpdeskUsergroup = "S0HELP"
	withGroup, err := NewMessenger(cfg, WithHTTPClient(fake.Client()))
	if err != nil {
		t.Fatal(err)
	}
	g, ok := withGroup.(bot.GroupResolver)
	if !ok {
		t.Fatal("GroupResolver missing with a configured user group")
	}
	for user, want := range map[string]bool{"U0BOB": true, "U0CAROL": true, "U0ALICE": false} {
		got, err := g.InHelpdeskGroup(context.Background(), user)
		if err != nil || got != want {
			t.Errorf("InHelpdeskGroup(%s) = %v, %v; want %v", user, got, err, want)
		}
	}
}

func TestCheck(t *testing.T) {
	m, _ := newTestMessenger(t, 0)
	if err := m.Check(context.Background()); err != nil {
		t.Errorf("Check with the right token: %v", err)
	}
	bad, _ := newTestMessenger(t, 0, func(c *Config) { c.BotToken = "xoxb-wrong" })
	err := bad.Check(context.Background())
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Errorf("Check with a wrong token: %v", err)
	}
	if strings.Contains(err.Error(), "xoxb-wrong") {
		t.Errorf("error shows the token: %v", err)
	}
}

func TestResponderRateLimit(t *testing.T) {
	fake := slackfake.New(testToken)
	defer fake.Close()
	fake.FailNext("response_url", 1, 4*time.Second)
	r := responseURL{client: fake.Client(), url: fake.ResponseURL("r")}
	var ra *bot.RetryAfterError
	if err := r.Respond(context.Background(), bot.Message{Summary: "x"}); !errors.As(err, &ra) || ra.After != 4*time.Second {
		t.Errorf("err = %v, want retry after 4s", err)
	}
	if err := r.Respond(context.Background(), bot.Message{Summary: "x"}); err != nil {
		t.Errorf("second try: %v", err)
	}
	if err := r.Respond(context.Background(), bot.Message{}); err != nil || len(fake.Responses()) != 1 {
		t.Errorf("an empty message was posted (%v, %d responses)", err, len(fake.Responses()))
	}
}

// TestRetryAfterPostsOnce: Slack refuses a paced reply with a short
// Retry-After; the messenger waits it out and sends the same reply again,
// so the caller sees success and the thread holds the line exactly once
// (a refused post was never accepted, so resending it doubles nothing).
func TestRetryAfterPostsOnce(t *testing.T) {
	m, fake := newTestMessenger(t, 10*time.Millisecond)
	ctx := context.Background()
	thread, err := m.PostHelpdesk(ctx, bot.Message{Summary: "parent"})
	if err != nil {
		t.Fatal(err)
	}
	fake.FailNext("chat.postMessage", 1, time.Second)
	if err := m.ReplyHelpdesk(ctx, thread, bot.Message{Summary: "the one line"}); err != nil {
		t.Fatalf("reply after a short Retry-After: %v", err)
	}
	_, ts, _ := strings.Cut(thread, "/")
	var got []string
	for _, r := range fake.Thread(ts) {
		got = append(got, r.Text)
	}
	if strings.Join(got, "|") != "the one line" {
		t.Errorf("thread %q, want the line exactly once", got)
	}
	var outcomes []string
	for _, c := range fake.Calls() {
		if c.Method == "chat.postMessage" {
			outcomes = append(outcomes, c.Error)
		}
	}
	if strings.Join(outcomes, ",") != ",ratelimited," {
		t.Errorf("chat.postMessage outcomes %q, want parent ok, reply refused once then accepted", outcomes)
	}
}

// TestPermanentRefusalsAreTyped: a deleted parent or a channel the bot
// cannot post in is a *bot.PermanentError, so the core stops retrying it;
// a transient failure is not.
func TestPermanentRefusalsAreTyped(t *testing.T) {
	m, _ := newTestMessenger(t, 0)
	ctx := context.Background()
	if err := m.UpdateHelpdesk(ctx, testChannel+"/1700000000.000100", bot.Message{Summary: "x"}); !bot.IsPermanent(err) {
		t.Errorf("update of a deleted parent = %v, want permanent", err)
	}
	if err := m.ReplyHelpdesk(ctx, testChannel+"/1700000000.000100", bot.Message{Summary: "x"}); !bot.IsPermanent(err) {
		t.Errorf("reply under a deleted parent = %v, want permanent", err)
	}
	m2, _ := newTestMessenger(t, 0, func(c *Config) { c.HelpdeskChannel = "C0GONE" })
	if _, err := m2.PostHelpdesk(ctx, bot.Message{Summary: "x"}); !bot.IsPermanent(err) {
		t.Errorf("post to a missing channel = %v, want permanent", err)
	}
	if err := apiError("chat.postMessage", errors.New("connection reset")); bot.IsPermanent(err) {
		t.Errorf("a network error is permanent: %v", err)
	}
}

// TestUserIDByEmail: users.lookupByEmail finds the member by verified
// email (any case); an unknown email and a deactivated member are
// bot.ErrNoChatUser (counted, never messaged); a rate limit stays a
// retryable *bot.RetryAfterError.
func TestUserIDByEmail(t *testing.T) {
	m, fake := newTestMessenger(t, 0)
	fake.AddUser(slackfake.User{ID: "U0ALICE", Name: "alice", Email: "alice@example.com"})
	fake.AddUser(slackfake.User{ID: "U0LEFT", Name: "left", Email: "left@example.com", Deleted: true})
	tests := []struct {
		name, email, want string
		nobody            bool
	}{
		{"verified email", "alice@example.com", "U0ALICE", false},
		{"other case", "Alice@Example.COM", "U0ALICE", false},
		{"unknown email", "bob@example.com", "", true},
		{"deactivated member", "left@example.com", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := m.UserIDByEmail(context.Background(), tt.email)
			if got != tt.want || errors.Is(err, bot.ErrNoChatUser) != tt.nobody || (err == nil) == tt.nobody {
				t.Errorf("UserIDByEmail(%q) = %q, %v", tt.email, got, err)
			}
		})
	}
	fake.FailNext("users.lookupByEmail", 1, 0)
	var limited *bot.RetryAfterError
	if _, err := m.UserIDByEmail(context.Background(), "alice@example.com"); !errors.As(err, &limited) || errors.Is(err, bot.ErrNoChatUser) {
		t.Errorf("rate limited lookup: %v, want a *bot.RetryAfterError", err)
	}
}

// TestUserLocale: users.info's tz and locale are the member's locale, the
// locale as the catalogue language it matches ("de-DE" is German); an
// unknown member is an error, which the core treats as "not known".
func TestUserLocale(t *testing.T) {
	m, fake := newTestMessenger(t, 0)
	fake.AddUser(slackfake.User{ID: "U0ANNA", Name: "anna", TZ: "Europe/Berlin", Locale: "de-DE"})
	got, err := m.UserLocale(context.Background(), "U0ANNA")
	if err != nil || got != (flows.Locale{Lang: "de", TimeZone: "Europe/Berlin"}) {
		t.Errorf("UserLocale = %+v, %v", got, err)
	}
	if _, err := m.UserLocale(context.Background(), "U0NOBODY"); err == nil {
		t.Error("UserLocale of an unknown member: no error")
	}
}
