package console_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/bot/console"
)

// syncBuffer is a bytes.Buffer safe for the console's concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestConsoleWalkThrough(t *testing.T) {
	rig := bottest.NewRig(t, bottest.Options{
		Identity: map[string]bot.IdentityRule{console.Platform: {By: bot.IdentityByChatID}},
		ChatIDs:  func(account string) (string, string) { return console.Platform, account },
	})
	out := &syncBuffer{}
	c := console.New(out, rig.Bot, []string{"jdoe", "alice", "pwuser"})
	rig.Bot.AddPlatform(console.Platform, c)

	run := func(lines string) {
		c.Run(context.Background(), strings.NewReader(lines))
		rig.Settle(t)
	}
	run("as alice\n/reset\n")
	text := out.String()
	for _, want := range []string{"alice> ", "Got it", "DM bot → alice", "RESET YOUR PASSWORD", bottest.BaseURL + "/r/", "#helpdesk thread 1", "Requested by @alice"} {
		if !strings.Contains(text, want) {
			t.Errorf("console output lacks %q:\n%s", want, text)
		}
	}
	// Alice verifies on her phone; the helpdesk approves from the console.
	link := text[strings.Index(text, bottest.BaseURL+"/r/"):]
	link = strings.Fields(link)[0]
	rig.Verify(t, strings.TrimPrefix(link, bottest.BaseURL+"/r/"))
	rig.Settle(t)
	run("as jdoe\napprove 1\n")
	if text := out.String(); !strings.Contains(text, "Approved. The user can now finish") || !strings.Contains(text, "Approved by @jdoe") {
		t.Fatalf("approval not shown:\n%s", text)
	}
	run("as pwuser\n/reset report\n")
	if text := out.String(); !strings.Contains(text, "Only members of the helpdesk can do that") {
		t.Fatalf("report by a non-member:\n%s", text)
	}
}

func TestRenderMentionsAndButtons(t *testing.T) {
	got := console.Render(bot.Message{
		Title:   "Password reset",
		Body:    []string{"Requested by " + bot.Mention(console.Identity("jdoe"))},
		Buttons: []bot.Button{{ActionID: bot.ActionApprove, Label: "Approve"}},
	}, true)
	for _, want := range []string{"PASSWORD RESET", "Requested by @jdoe", "[Approve]", "approve N"} {
		if !strings.Contains(got, want) {
			t.Errorf("render lacks %q:\n%s", want, got)
		}
	}
}
