package console_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/bot/console"
	"github.com/resetbot/resetbot/internal/i18n"
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
	got := console.Render(i18n.For("en"), bot.Message{
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

// newConsoleRig is a console on a real bot core for jdoe, alice and
// pwuser, whose chat ids are their account names.
func newConsoleRig(t *testing.T) (*bottest.Rig, *console.Console, *syncBuffer) {
	t.Helper()
	rig := bottest.NewRig(t, bottest.Options{
		Identity: map[string]bot.IdentityRule{console.Platform: {By: bot.IdentityByChatID}},
		ChatIDs:  func(account string) (string, string) { return console.Platform, account },
	})
	out := &syncBuffer{}
	c := console.New(out, rig.Bot, []string{"jdoe", "alice", "pwuser"})
	rig.Bot.AddPlatform(console.Platform, c)
	return rig, c, out
}

// waitOutput waits until out ends with suffix; the bound is for a stuck
// console, not a speed expectation.
func waitOutput(t *testing.T, out *syncBuffer, suffix string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.HasSuffix(out.String(), suffix) {
		if time.Now().After(deadline) {
			t.Fatalf("the console output does not end with %q:\n%s", suffix, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestConsolePromptAfterIncoming: a message that arrives while the console
// waits for a line (a DM once the web page finished, a thread update) is
// printed with the prompt drawn again below it, so the terminal always
// ends at a prompt.
func TestConsolePromptAfterIncoming(t *testing.T) {
	_, c, out := newConsoleRig(t)
	r, w := io.Pipe()
	done := make(chan struct{})
	go func() { c.Run(context.Background(), r); close(done) }()
	defer func() { w.Close(); <-done }()
	waitOutput(t, out, "jdoe> ")
	if _, err := io.WriteString(w, "as alice\n"); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, out, "alice> ")
	before := len(out.String())
	if err := c.SendPrivate(context.Background(), console.Identity("alice"), bot.Message{Summary: "Your password was changed."}); err != nil {
		t.Fatal(err)
	}
	if err := c.ReplyHelpdesk(context.Background(), "T1", bot.Message{Summary: "Completed"}); err != nil {
		t.Fatal(err)
	}
	got := out.String()[before:]
	if want := "\n┌ DM bot → alice\n│ Your password was changed.\n└\nalice> \n  #helpdesk thread 1 ↳ Completed\nalice> "; got != want {
		t.Fatalf("after two incoming messages:\n%q\nwant\n%q", got, want)
	}
}

// TestConsoleInput: unknown input is answered "I did not understand"
// before the help; "as" takes only demo users; the helpdesk thread names
// its own number in the buttons' hint, and approve takes it with or
// without the heading's "#".
func TestConsoleInput(t *testing.T) {
	rig, c, out := newConsoleRig(t)
	run := func(lines string) string {
		t.Helper()
		before := len(out.String())
		c.Run(context.Background(), strings.NewReader(lines))
		rig.Settle(t)
		return out.String()[before:]
	}
	got := run("hello bot\nusers please\n")
	for _, want := range []string{"I did not understand \"hello bot\".\nType a command", "I did not understand \"users please\"."} {
		if !strings.Contains(got, want) {
			t.Errorf("unknown input:\n%s\nlacks %q", got, want)
		}
	}
	got = run("as nobody\n/reset status\n")
	if !strings.Contains(got, "nobody is not a demo user; the demo users are alice, jdoe, pwuser\njdoe> ") || strings.Contains(got, "nobody> ") {
		t.Fatalf("as nobody:\n%s", got)
	}
	got = run("as @alice\n/reset\n")
	if !strings.Contains(got, "#helpdesk thread 1\n") {
		t.Fatalf("no thread 1:\n%s", got)
	}
	link := got[strings.Index(got, bottest.BaseURL+"/r/"):]
	before := len(out.String())
	rig.Verify(t, strings.TrimPrefix(strings.Fields(link)[0], bottest.BaseURL+"/r/"))
	rig.Settle(t)
	// Alice verified: the thread asks for an approval, with buttons.
	if got = out.String()[before:]; !strings.Contains(got, "#helpdesk thread 1 (updated)") || !strings.Contains(got, "[Approve] [Deny]  (type approve 1 / deny 1)") || strings.Contains(got, "approve N") {
		t.Fatalf("the thread's buttons do not name its number:\n%s", got)
	}
	if got = run("as jdoe\napprove #1\n"); !strings.Contains(got, "Approved by @jdoe") {
		t.Fatalf("approve #1:\n%s", got)
	}
	if got = run("approve 7\n"); !strings.Contains(got, "thread 7 has no approve button now") {
		t.Fatalf("approve of no thread:\n%s", got)
	}
}
