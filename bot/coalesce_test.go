package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
)

// threadSteps returns every step line a thread shows: those its parent
// carries (a flow posted whole from a backlog), then its replies'.
func threadSteps(ms *bottest.Messenger, thread string) []string {
	var lines []string
	add := func(m bot.Message) {
		for _, p := range m.Body {
			for _, l := range strings.Split(p, "\n") {
				if strings.Contains(l, " · ") {
					lines = append(lines, l)
				}
			}
		}
	}
	if parent, ok := ms.Parent(thread); ok {
		add(parent)
	}
	for _, p := range ms.Posts() {
		if p.Kind == "reply" && p.Thread == thread {
			add(p.Message)
		}
	}
	return lines
}

// resetSteps are the words of a completed reset's steps, in order.
var resetSteps = []string{"Requested by", "Link sent", "Link used", "Verified with", "Writing to the directory", "New password written", "Completed"}

// TestBacklogPostsEachStepOnceThroughFaults: resets finished while the
// helpdesk channel was down, so a backlog waits. It goes out as one thread
// parent per flow carrying every step, and on the way one parent post is
// refused with a 429, one times out unanswered, and right after one is
// accepted Redis fails, so neither its thread reference nor its marks can
// be stored. Every flow's thread shows each step exactly once, in order:
// a refused post is sent again, an accepted one never.
func TestBacklogPostsEachStepOnceThroughFaults(t *testing.T) {
	rig, ms := newCore(t, bottest.Options{})
	ctx := context.Background()
	down := true
	parents := 0
	ms.FailIf = func(p bottest.Posted) error {
		if p.Kind == "dm" {
			return nil
		}
		if down {
			return errors.New("chat API down")
		}
		if p.Kind != "parent" {
			return nil
		}
		parents++
		switch parents {
		case 1:
			return &bot.RetryAfterError{After: time.Second}
		case 2:
			return fmt.Errorf("post thread parent: %w", context.DeadlineExceeded)
		case 3:
			rig.Redis.SetError("CLUSTERDOWN The cluster is down") // after this post is accepted
		}
		return nil
	}
	users := []string{"U0PWUSER", "U0SPARE1", "U0SPARE2"}
	for i, u := range users {
		command(rig, u, "")
		rig.Bot.Wait()
		f, binding := rig.Verify(t, bottest.TokenFrom(t, ms.DMs(u)[0]))
		rig.Complete(t, f, binding, fmt.Sprintf("Backlog-Tide-%d-Harbour!", i))
	}
	rig.Bot.Wait()
	if _, err := rig.Reader.Pump(ctx); err == nil {
		t.Fatal("delivery succeeded while the helpdesk channel was down")
	}
	down = false
	if _, err := rig.Reader.Pump(ctx); err == nil {
		t.Fatal("the pump meeting a 429, a timeout and Redis gone did not fail")
	}
	if parents < 3 {
		t.Fatalf("%d parent posts tried, want the three faults", parents)
	}
	rig.Redis.SetError("")
	rig.Settle(t)

	threads := ms.Threads()
	if len(threads) != len(users) {
		t.Fatalf("%d threads for %d flows", len(threads), len(users))
	}
	for _, th := range threads {
		lines := threadSteps(ms, th)
		ok := len(lines) == len(resetSteps)
		for i := 0; ok && i < len(lines); i++ {
			ok = strings.Contains(lines[i], resetSteps[i])
		}
		if !ok {
			t.Errorf("thread %s shows\n  %s\nwant each of %q once, in order", th, strings.Join(lines, "\n  "), resetSteps)
		}
		for _, p := range ms.Posts() {
			if p.Kind == "reply" && p.Thread == th {
				t.Errorf("thread %s has a reply %q: a finished flow's backlog is one post", th, p.Message.Summary)
			}
		}
	}
}
