package bot_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
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

// refusedForGood is a platform's permanent refusal of a direct message
// (the person blocked the app, a deactivated user).
func refusedForGood() error {
	return &bot.PermanentError{Code: "cannot_dm_user", Err: errors.New("cannot_dm_user")}
}

// TestLinkByReplyWhenDMRefusedAndReplyFailsOnce: the chat refuses the DM
// for good and the request's reply fails once for now; the request tries
// the reply again, so the person gets the link there, once, and the
// thread says "Link sent" by private reply. Only the reply is retried:
// the refused DM is not asked again.
func TestLinkByReplyWhenDMRefusedAndReplyFailsOnce(t *testing.T) {
	meter := &countMeter{}
	rig, ms := newCore(t, bottest.Options{Meter: meter})
	var mu sync.Mutex
	dms, replies := 0, 0
	ms.FailIf = func(p bottest.Posted) error {
		mu.Lock()
		defer mu.Unlock()
		switch p.Kind {
		case "dm":
			dms++
			return refusedForGood()
		case "response":
			replies++
			if replies == 1 {
				return errors.New("response_url: 503")
			}
		}
		return nil
	}
	who := user("U0PWUSER")
	rig.Bot.HandleCommand(context.Background(), bot.Request{From: who, Respond: ms.ResponderFor(who.ID)})
	rig.Settle(t)

	inbox := ms.Inbox("U0PWUSER")
	if len(inbox) != 1 || inbox[0].Link == "" {
		t.Fatalf("inbox = %+v, want the one link, by the reply", inbox)
	}
	mu.Lock()
	if dms != 1 || replies != 2 {
		t.Errorf("%d DM attempts and %d replies, want 1 and 2", dms, replies)
	}
	mu.Unlock()
	threads := ms.Threads()
	if len(threads) != 1 {
		t.Fatalf("%d threads, want 1", len(threads))
	}
	if parent, _ := ms.Parent(threads[0]); !strings.Contains(parent.Summary, "Link sent") {
		t.Errorf("parent = %q, want 'Link sent'", parent.Summary)
	}
	if n := meter.get("link/undeliverable"); n != 0 {
		t.Errorf("meter link/undeliverable = %d for a delivered link", n)
	}
	f, binding := rig.Verify(t, bottest.TokenFrom(t, bot.Message{Link: &bot.Link{URL: inbox[0].Link}}))
	rig.Complete(t, f, binding, "Correct-Horse-Battery-9")
}

// TestLinkUndeliverableEndsFlowAndTellsHelpdesk: the chat refuses both
// the DM and the request's reply for good, so no private channel reaches
// the person: the flow ends at once (no live link nobody holds), the
// helpdesk thread says to reach them another way, the meter counts it,
// and the delivery job, once due, sends nothing (no second link anywhere).
func TestLinkUndeliverableEndsFlowAndTellsHelpdesk(t *testing.T) {
	meter := &countMeter{}
	rig, ms := newCore(t, bottest.Options{Meter: meter, LinkResendAfter: time.Millisecond})
	ms.FailIf = func(p bottest.Posted) error {
		if p.Kind == "dm" || p.Kind == "response" {
			return refusedForGood()
		}
		return nil
	}
	who := user("U0PWUSER")
	rig.Bot.HandleCommand(context.Background(), bot.Request{From: who, Respond: ms.ResponderFor(who.ID)})
	rig.Bot.Wait()
	time.Sleep(5 * time.Millisecond) // past the resend delay
	rig.Settle(t)
	ms.FailIf = nil
	rig.Settle(t)

	if inbox := ms.Inbox("U0PWUSER"); len(inbox) != 0 {
		t.Fatalf("inbox = %+v, want nothing: every private channel refused", inbox)
	}
	if n := meter.get("link/undeliverable"); n != 1 {
		t.Errorf("meter link/undeliverable = %d, want 1", n)
	}
	threads := ms.Threads()
	if len(threads) != 1 {
		t.Fatalf("%d threads, want 1", len(threads))
	}
	all := strings.Join(append(ms.Replies(threads[0]), func() string { p, _ := ms.Parent(threads[0]); return p.Summary }()), "\n")
	if !strings.Contains(all, "could not reach the user privately") {
		t.Errorf("helpdesk thread does not say the link could not reach the user:\n%s", all)
	}
	acct, err := rig.Dir.Find(context.Background(), directory.Lookup{Kind: directory.ByChatID, Platform: "slack", Value: "U0PWUSER"})
	if err != nil {
		t.Fatal(err)
	}
	if id, err := rig.Store.LiveID(context.Background(), acct.ID, flows.KindReset); err != nil || id != "" {
		t.Errorf("live flow %q (err %v) after the link proved undeliverable, want none", id, err)
	}
}

// TestLinkBothPathsFailingForNowIsResentByTheJob: the DM and the reply
// both fail for now (a chat outage) when the request sends the link; once
// the chat answers again, the delivery job replaces the link and DMs the
// new one, so the person ends with one working link.
func TestLinkBothPathsFailingForNowIsResentByTheJob(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{LinkResendAfter: time.Millisecond})
	ms.FailIf = func(p bottest.Posted) error {
		if p.Kind == "dm" || p.Kind == "response" {
			return errors.New("chat unavailable")
		}
		return nil
	}
	who := user("U0PWUSER")
	rig.Bot.HandleCommand(context.Background(), bot.Request{From: who, Respond: ms.ResponderFor(who.ID)})
	rig.Bot.Wait()
	time.Sleep(5 * time.Millisecond) // past the resend delay
	ms.FailIf = nil
	rig.Settle(t)
	inbox := ms.Inbox("U0PWUSER")
	if len(inbox) != 1 || inbox[0].Link == "" {
		t.Fatalf("inbox = %+v, want the one resent link", inbox)
	}
	f, binding := rig.Verify(t, bottest.TokenFrom(t, bot.Message{Link: &bot.Link{URL: inbox[0].Link}}))
	rig.Complete(t, f, binding, "Correct-Horse-Battery-9")
}

// TestLinkJobRefusedForGoodEndsFlow: the delivery job's DM of a link that
// was never delivered is refused for good; the job has no other way to the
// person, so the flow ends, the helpdesk thread says so, and the job does
// not retry.
func TestLinkJobRefusedForGoodEndsFlow(t *testing.T) {
	meter := &countMeter{}
	rig, ms := newCore(t, bottest.Options{Meter: meter, LinkResendAfter: time.Millisecond})
	ctx := context.Background()
	if _, err := rig.Engine.Start(ctx, flows.StartRequest{Kind: flows.KindReset,
		Lookup: directory.Lookup{Kind: directory.ByChatID, Platform: "slack", Value: "U0PWUSER"},
		Chat:   bottest.Slack("U0PWUSER"), RequestedBy: bottest.Slack("U0PWUSER")}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // past the resend delay
	attempts := 0
	ms.FailIf = func(p bottest.Posted) error {
		if p.Kind == "dm" {
			attempts++
			return refusedForGood()
		}
		return nil
	}
	rig.Settle(t)
	rig.Settle(t)
	if attempts != 1 {
		t.Errorf("%d DM attempts, want 1 (a refusal for good is not retried)", attempts)
	}
	if n := meter.get("link/undeliverable"); n != 1 {
		t.Errorf("meter link/undeliverable = %d, want 1", n)
	}
	threads := ms.Threads()
	if len(threads) != 1 {
		t.Fatalf("%d threads, want 1", len(threads))
	}
	if replies := strings.Join(ms.Replies(threads[0]), "\n"); !strings.Contains(replies, "could not reach the user privately") {
		t.Errorf("thread does not say the link could not reach the user:\n%s", replies)
	}
}

// TestPushedLinkNotDeliveredIsNotCalledSent: the helpdesk member pushing a
// link is told "sent" only when it was; a DM refused for now is "not
// delivered yet" (the job keeps trying), one refused for good is "could
// not be delivered" and the flow ends.
func TestPushedLinkNotDeliveredIsNotCalledSent(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail error
		want string
	}{
		{"for now", errors.New("chat unavailable"), "not delivered yet"},
		{"for good", refusedForGood(), "could not be delivered"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rig, ms := newCore(t, bottest.Options{})
			ms.FailIf = func(p bottest.Posted) error {
				if p.Kind == "dm" && p.To.UserID == "U0ALICE" {
					return tc.fail
				}
				return nil
			}
			_, resp := command(rig, "U0JDOE", "for <@U0ALICE>", "U0ALICE")
			rig.Settle(t)
			got := resp.Messages()
			if len(got) != 1 || !strings.Contains(got[0].Summary, tc.want) {
				t.Fatalf("push answer: %+v, want %q", got, tc.want)
			}
		})
	}
}

// TestLinkExpiredUndeliveredTellsThePerson: the chat refused every DM of a
// link for now until the link expired; once it answers again, the job
// tells the person privately that the link could not reach them and
// nothing changed, with no link (the expired one opens nothing), once.
func TestLinkExpiredUndeliveredTellsThePerson(t *testing.T) {
	meter := &countMeter{}
	rig, ms := newCore(t, bottest.Options{Meter: meter, LinkResendAfter: time.Millisecond})
	ctx := context.Background()
	if _, err := rig.Engine.Start(ctx, flows.StartRequest{Kind: flows.KindReset,
		Lookup: directory.Lookup{Kind: directory.ByChatID, Platform: "slack", Value: "U0PWUSER"},
		Chat:   bottest.Slack("U0PWUSER"), RequestedBy: bottest.Slack("U0PWUSER"), Locale: flows.Locale{Lang: "fr"}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // past the resend delay
	ms.FailIf = func(p bottest.Posted) error {
		if p.Kind == "dm" {
			return errors.New("chat unavailable")
		}
		return nil
	}
	if _, err := rig.Reader.Pump(ctx); err == nil {
		t.Fatal("the failed DM was not reported for a retry")
	}
	rig.Advance(11 * time.Minute) // past the link's life
	ms.FailIf = nil
	rig.Settle(t)
	rig.Settle(t)
	dms := ms.DMs("U0PWUSER")
	if len(dms) != 1 {
		t.Fatalf("%d DMs, want the one saying the link expired undelivered: %+v", len(dms), dms)
	}
	if dms[0].Link != nil || !strings.Contains(dms[0].Summary, "n'a pas pu vous parvenir") {
		t.Errorf("DM = %+v, want the French words and no link", dms[0])
	}
	if n := meter.get("link/expired"); n != 1 {
		t.Errorf("meter link/expired = %d, want 1", n)
	}
}
