package slackfake

import (
	"context"
	"errors"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"
)

// TestPostByUserIDLandsInTheIM: a chat.postMessage with a user id as
// channel is answered with the IM's D... id, lands in the DM and opens it;
// conversations.open afterwards gives the same IM, already open.
func TestPostByUserIDLandsInTheIM(t *testing.T) {
	s := New("")
	defer s.Close()
	c := client(s, "xoxb-any")
	ch, _, err := c.PostMessageContext(context.Background(), "U0ANNA", slackgo.MsgOptionText("hello", false))
	if err != nil {
		t.Fatal(err)
	}
	if ch != "D0ANNA" || s.IMChannel("U0ANNA") != "D0ANNA" {
		t.Errorf("answer channel %q, IM %q; want D0ANNA", ch, s.IMChannel("U0ANNA"))
	}
	if dms := s.DMs("U0ANNA"); len(dms) != 1 || dms[0].Text != "hello" {
		t.Errorf("DMs %+v", dms)
	}
	if calls := s.Calls(); len(calls) != 1 || calls[0].User != "U0ANNA" || calls[0].Channel != "D0ANNA" {
		t.Errorf("calls %+v, want the post recorded with its member and IM", calls)
	}
	open, _, already, err := c.OpenConversationContext(context.Background(), &slackgo.OpenConversationParameters{Users: []string{"U0ANNA"}})
	if err != nil || open.ID != "D0ANNA" || !already {
		t.Errorf("conversations.open = %+v, already %v, %v", open, already, err)
	}
	if _, _, err := c.PostMessageContext(context.Background(), "C0NOTJOINED", slackgo.MsgOptionText("x", false)); err == nil || err.Error() != "channel_not_found" {
		t.Errorf("post to a channel id the bot is not in: %v, want channel_not_found", err)
	}
}

// TestNeedsOpenAndRefuseDM: NeedsOpen refuses posts by user id until
// conversations.open opened the IM; RefuseDM refuses posts by user id and
// by IM id and the open as it says, until it is lifted.
func TestNeedsOpenAndRefuseDM(t *testing.T) {
	s := New("")
	defer s.Close()
	c := client(s, "xoxb-any")
	ctx := context.Background()
	post := func(ch string) error {
		_, _, err := c.PostMessageContext(ctx, ch, slackgo.MsgOptionText("x", false))
		return err
	}
	open := func(user string) error {
		_, _, _, err := c.OpenConversationContext(ctx, &slackgo.OpenConversationParameters{Users: []string{user}})
		return err
	}
	s.NeedsOpen("U0BEN")
	if err := post("U0BEN"); err == nil || err.Error() != "channel_not_found" {
		t.Fatalf("post before the open: %v, want channel_not_found", err)
	}
	if err := open("U0BEN"); err != nil {
		t.Fatal(err)
	}
	if err := post("U0BEN"); err != nil {
		t.Errorf("post by user id once open: %v", err)
	}

	s.RefuseDM("U0BEN", DMRefusal{Post: "restricted_action", Open: "user_disabled"})
	for _, ch := range []string{"U0BEN", "D0BEN"} {
		if err := post(ch); err == nil || err.Error() != "restricted_action" {
			t.Errorf("post to %s: %v, want restricted_action", ch, err)
		}
	}
	if err := open("U0BEN"); err == nil || err.Error() != "user_disabled" {
		t.Errorf("open: %v, want user_disabled", err)
	}
	s.RefuseDM("U0BEN", DMRefusal{})
	if err := post("D0BEN"); err != nil {
		t.Errorf("post once the refusal is lifted: %v", err)
	}
	if n := len(s.DMs("U0BEN")); n != 2 {
		t.Errorf("%d DMs, want the 2 accepted posts", n)
	}
}

// TestLimitLikeSlackLimitsOpens: conversations.open is Tier 3, app-wide,
// under LimitLikeSlack: the burst passes, the next open to another member
// is refused with 429 until a token is back.
func TestLimitLikeSlackLimitsOpens(t *testing.T) {
	s := New("")
	defer s.Close()
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	s.SetLimitClock(func() time.Time { return now })
	s.LimitLikeSlack()
	c := client(s, "xoxb-any")
	open := func(i int) error {
		_, _, _, err := c.OpenConversationContext(context.Background(), &slackgo.OpenConversationParameters{Users: []string{"U0M" + string(rune('A'+i))}})
		return err
	}
	for i := range Tier3.Burst {
		if err := open(i); err != nil {
			t.Fatalf("open %d of the burst: %v", i+1, err)
		}
	}
	var rl *slackgo.RateLimitedError
	if err := open(Tier3.Burst); !errors.As(err, &rl) {
		t.Fatalf("open past the burst: %v, want 429", err)
	}
	now = now.Add(Tier3.Every)
	if err := open(Tier3.Burst + 1); err != nil {
		t.Errorf("open once a token is back: %v", err)
	}
	if n := s.RateLimited("conversations.open"); n != 1 {
		t.Errorf("RateLimited = %d, want 1", n)
	}
}
