package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// TestLinkLostBetweenIssuingAndSendingIsResent is the regression test for a
// crash between issuing a link and sending it: the flow was issued (as the
// command does before its DM) and nothing else happened. Before, the user
// got nothing and the helpdesk parent already said "Link sent". Now the
// parent says the link is not yet delivered; the link delivery job, once
// the resend delay passed, replaces the link and DMs the new one (retrying
// while DMs fail); the parent says "Link sent" only after, and the link
// the user got works.
func TestLinkLostBetweenIssuingAndSendingIsResent(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{LinkResendAfter: time.Millisecond})
	ctx := context.Background()
	is, err := rig.Engine.Start(ctx, flows.StartRequest{Kind: flows.KindReset,
		Lookup: directory.Lookup{Kind: directory.ByChatID, Platform: "slack", Value: "U0PWUSER"},
		Chat:   bottest.Slack("U0PWUSER"), RequestedBy: bottest.Slack("U0PWUSER")})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // past the resend delay

	ms.FailIf = func(p bottest.Posted) error {
		if p.Kind == "dm" {
			return errors.New("rate limited")
		}
		return nil
	}
	if _, err := rig.Reader.Pump(ctx); err == nil {
		t.Fatal("the failed DM was not reported for a retry")
	}
	threads := ms.Threads()
	if len(threads) != 1 {
		t.Fatalf("%d threads, want 1", len(threads))
	}
	parent, _ := ms.Parent(threads[0])
	if strings.Contains(parent.Summary, "Link sent") || !strings.Contains(parent.Summary, "not yet delivered") {
		t.Errorf("parent before any delivery = %q, want 'not yet delivered'", parent.Summary)
	}

	ms.FailIf = nil
	for i := 0; i < 5; i++ {
		if _, err := rig.Reader.Pump(ctx); err != nil {
			t.Fatalf("pump %d: %v", i, err)
		}
	}
	dms := ms.DMs("U0PWUSER")
	if len(dms) != 1 {
		t.Fatalf("%d DMs, want the one resent link", len(dms))
	}
	token := bottest.TokenFrom(t, dms[0])
	if token == is.Token {
		t.Fatal("the lost link was sent again; only its hash is stored, so it must be replaced")
	}
	if _, err := rig.Engine.Open(ctx, is.Token, flows.Client{}); err == nil {
		t.Error("the lost link still opens the flow after it was replaced")
	}
	parent, _ = ms.Parent(threads[0])
	if !strings.Contains(parent.Summary, "Link sent") {
		t.Errorf("parent after the resend = %q, want 'Link sent'", parent.Summary)
	}
	replies := strings.Join(ms.Replies(threads[0]), "\n")
	if n := strings.Count(replies, "Link sent to the user by direct message, resent"); n != 1 {
		t.Errorf("thread has %d 'Link sent' lines, want 1:\n%s", n, replies)
	}
	f, binding := rig.Verify(t, token)
	rig.Complete(t, f, binding, "Correct-Horse-Battery-9")
	rig.Settle(t)
	if got := ms.DMs("U0PWUSER"); len(got) != 2 || !strings.Contains(got[1].Summary, "Your password was changed") {
		t.Errorf("DMs after completing: %d, want the link and the change notice", len(got))
	}
}

// TestDeliveredLinkIsNotResent: a link the command delivered and recorded
// is never sent a second time by the delivery job, even once its resend
// delay has long passed; the parent says "Link sent".
func TestDeliveredLinkIsNotResent(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{LinkResendAfter: time.Millisecond})
	command(rig, "U0PWUSER", "")
	rig.Bot.Wait()
	time.Sleep(5 * time.Millisecond)
	rig.Settle(t)
	if dms := ms.DMs("U0PWUSER"); len(dms) != 1 {
		t.Fatalf("%d DMs, want one link", len(dms))
	}
	threads := ms.Threads()
	if len(threads) != 1 {
		t.Fatalf("%d threads, want 1", len(threads))
	}
	if parent, _ := ms.Parent(threads[0]); !strings.Contains(parent.Summary, "Link sent") {
		t.Errorf("parent = %q, want 'Link sent'", parent.Summary)
	}
	if replies := strings.Join(ms.Replies(threads[0]), "\n"); strings.Contains(replies, "replaced") {
		t.Errorf("a delivered link was replaced:\n%s", replies)
	}
}
