package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/flows"
)

// resetToDone runs pwuser's reset to the password write, delivering the
// events up to the link (so a test can then break something).
func resetToDone(t *testing.T, rig *bottest.Rig, ms *bottest.Messenger) {
	t.Helper()
	command(rig, "U0PWUSER", "")
	rig.Settle(t)
	f, binding := rig.Verify(t, bottest.TokenFrom(t, ms.DMs("U0PWUSER")[0]))
	rig.Complete(t, f, binding, "Correct-Horse-Battery-9")
}

func countReplies(ms *bottest.Messenger, thread, text string) int {
	n := 0
	for _, r := range ms.Replies(thread) {
		if strings.Contains(r, text) {
			n++
		}
	}
	return n
}

// TestRateLimitedDMNeverReplaysTheThread: the user's change notification
// is its own job; its rate limit retries the DM only, and the thread says
// "New password written" once.
func TestRateLimitedDMNeverReplaysTheThread(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	resetToDone(t, rig, ms)
	limited := 2
	ms.FailIf = func(p bottest.Posted) error {
		if p.Kind == "dm" && strings.Contains(p.Message.Summary, "password was changed") && limited > 0 {
			limited--
			return &bot.RetryAfterError{After: time.Second}
		}
		return nil
	}
	for i := 0; i < 2; i++ {
		var ra *bot.RetryAfterError
		if _, err := rig.Reader.Pump(context.Background()); !errors.As(err, &ra) {
			t.Fatalf("pump %d = %v, want the DM's rate limit", i, err)
		}
	}
	rig.Settle(t)
	th := ms.Threads()[0]
	if n := countReplies(ms, th, "New password written"); n != 1 {
		t.Fatalf("thread says \"New password written\" %d times:\n%s", n, strings.Join(ms.Replies(th), "\n"))
	}
	changed := 0
	for _, dm := range ms.DMs("U0PWUSER") {
		if strings.Contains(dm.Summary, "password was changed") {
			changed++
		}
	}
	if changed != 1 {
		t.Fatalf("%d change notifications, want 1", changed)
	}
}

// TestFailedAlertPostIsPostedLater: the alert a request triggered is
// remembered before it is posted, so a failed post is retried rather than
// lost behind a counter past its threshold.
func TestFailedAlertPostIsPostedLater(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{Alerts: bot.AlertConfig{SpikeRequests: 2}})
	down := true
	ms.FailIf = func(p bottest.Posted) error {
		if down && strings.HasPrefix(p.Message.Summary, "Alert:") {
			return errors.New("chat API 500")
		}
		return nil
	}
	command(rig, "U0JDOE", "")
	command(rig, "U0PWUSER", "")
	rig.Bot.Wait()
	if _, err := rig.Reader.Pump(context.Background()); err == nil {
		t.Fatal("the alert post did not fail")
	}
	down = false
	rig.Settle(t)
	var alerts []string
	for _, p := range ms.Posts() {
		if strings.HasPrefix(p.Message.Summary, "Alert:") {
			alerts = append(alerts, p.Message.Summary)
		}
	}
	if len(alerts) != 1 || !strings.Contains(alerts[0], "2 reset requests") {
		t.Fatalf("alerts = %q, want the spike alert once", alerts)
	}
	if n := len(ms.Threads()); n != 2+1 {
		t.Fatalf("%d top-level posts, want 2 threads and the alert", n)
	}
}

// TestDeletedThreadParentDoesNotWedge: a parent someone deleted makes the
// platform answer "message not found" for good; the sink starts a new
// thread and moves on, and another flow's events are not held up.
func TestDeletedThreadParentDoesNotWedge(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	command(rig, "U0PWUSER", "")
	rig.Settle(t)
	first := ms.Threads()[0]
	ms.DeleteThread(first)
	f, binding := rig.Verify(t, bottest.TokenFrom(t, ms.DMs("U0PWUSER")[0]))
	rig.Complete(t, f, binding, "Correct-Horse-Battery-9")
	command(rig, "U0JDOE", "")
	rig.Settle(t)
	threads := ms.Threads()
	if len(threads) != 3 {
		t.Fatalf("threads %v, want the deleted one, its replacement and jdoe's", threads)
	}
	var replaced string
	for _, th := range threads[1:] {
		if countReplies(ms, th, "New password written") == 1 {
			replaced = th
		}
	}
	if replaced == "" {
		t.Fatal("the reset's later steps reached no thread")
	}
	got, err := rig.Engine.Get(context.Background(), f.ID)
	if err != nil || got.Thread != replaced {
		t.Fatalf("flow's thread = %q, %v; want the new one %q", got.Thread, err, replaced)
	}
	jdoe := 0
	for _, th := range threads {
		if th != replaced && th != first && countReplies(ms, th, "Requested by") == 1 {
			jdoe++
		}
	}
	if jdoe != 1 {
		t.Fatal("the other flow's thread was held up")
	}
}

// TestGoneChannelIsSkippedNotRetried: a helpdesk channel the bot was
// removed from refuses every post for good; the events are let go (and
// logged) instead of blocking the user's own messages forever.
func TestGoneChannelIsSkippedNotRetried(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	ms.FailIf = func(p bottest.Posted) error {
		if p.Kind == "parent" || p.Kind == "reply" || p.Kind == "update" {
			return &bot.PermanentError{Code: "not_in_channel"}
		}
		return nil
	}
	resetToDone(t, rig, ms)
	rig.Settle(t)
	if n := len(ms.Threads()); n != 0 {
		t.Fatalf("%d threads in a channel that refuses posts", n)
	}
	last := ms.DMs("U0PWUSER")
	if len(last) != 2 || !strings.Contains(last[1].Summary, "password was changed") {
		t.Fatalf("user's messages = %+v, want the link and the change notification", last)
	}
}

// TestStatisticsDoNotWaitForTheThread: the statistics job counts an event
// while the helpdesk channel is failing, and does not count it again when
// the thread job's retries finally succeed.
func TestStatisticsDoNotWaitForTheThread(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	down := true
	ms.FailIf = func(p bottest.Posted) error {
		if down && p.Kind == "parent" {
			return errors.New("chat API 500")
		}
		return nil
	}
	command(rig, "U0PWUSER", "")
	rig.Bot.Wait()
	requested := func() int64 {
		t.Helper()
		st, err := rig.Bot.Collect(context.Background(), 1)
		if err != nil {
			t.Fatal(err)
		}
		return st.Requested[flows.KindReset]
	}
	for i := 0; i < 3; i++ {
		if _, err := rig.Reader.Pump(context.Background()); err == nil {
			t.Fatal("thread delivery succeeded during the outage")
		}
	}
	if n := requested(); n != 1 {
		t.Fatalf("during the outage the request is counted %d times, want 1", n)
	}
	down = false
	rig.Settle(t)
	if n := requested(); n != 1 {
		t.Fatalf("after the outage the request is counted %d times, want 1", n)
	}
}
