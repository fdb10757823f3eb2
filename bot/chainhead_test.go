package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
)

// TestChainHeadPostedOncePerPeriod (#8 §6): the audit chain head goes to
// the helpdesk channel of every platform once per period, whichever of
// several replicas on one Redis ticks; it says the record count, the head
// hash's prefix, the time and how to check with `audit verify -after`.
func TestChainHeadPostedOncePerPeriod(t *testing.T) {
	rig := bottest.NewRig(t, bottest.Options{})
	now := time.Date(2026, 12, 2, 14, 0, 30, 0, time.UTC)
	clock := func() time.Time { return now }
	slack, discord := bottest.NewMessenger(), bottest.NewMessenger()
	var replicas []*bot.Bot
	for range 2 {
		b, err := bot.New(bot.Config{PublicBaseURL: bottest.BaseURL, HelpdeskGroup: bottest.HelpdeskGroup},
			bot.Deps{Engine: rig.Engine, Directory: rig.Dir, Store: rig.Store, Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(b.Close)
		b.AddPlatform("slack", slack)
		b.AddPlatform("discord", discord)
		replicas = append(replicas, b)
	}
	const hash = "3f1a9c0d5e7b2a4c6d8e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e"
	head := bot.ChainHead{Seq: 1234, Hash: hash}
	ctx := context.Background()
	publish := func() int {
		n := 0
		for _, b := range replicas {
			posted, err := b.PublishChainHead(ctx, time.Hour, head)
			if err != nil {
				t.Fatal(err)
			}
			if posted {
				n++
			}
		}
		return n
	}
	if n := publish(); n != 1 {
		t.Fatalf("%d replicas posted in one period, want 1", n)
	}
	if n := publish(); n != 0 {
		t.Fatalf("%d posts on a second tick in the same period, want none", n)
	}
	for name, ms := range map[string]*bottest.Messenger{"slack": slack, "discord": discord} {
		posts := ms.HelpdeskThreads()
		if len(posts) != 1 {
			t.Fatalf("%s: %d helpdesk posts, want 1", name, len(posts))
		}
		text := posts[0].Parent.Text
		for _, w := range []string{"1234 records", hash[:16], "14:00", "resetbot audit verify", "-after 1234:" + hash} {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the post lacks %q:\n%s", name, w, text)
			}
		}
	}
	now = now.Add(time.Hour)
	if n := publish(); n != 1 {
		t.Fatalf("%d posts in the next period, want 1", n)
	}
	if posted, err := replicas[0].PublishChainHead(ctx, 0, head); posted || err != nil {
		t.Fatalf("an interval of 0 posted (%t, %v)", posted, err)
	}
}
