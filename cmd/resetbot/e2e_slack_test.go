package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/internal/testenv"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// slackRig is `resetbot serve` built from a configuration file, with a real
// Redis, the example directory and a fake Slack, serving on localhost.
type slackRig struct {
	t    *testing.T
	s    *server
	fake *slackfake.Server
	base string
	n    int
	// confirmations counts approval links sent to the approver so far.
	confirmations int
	// clicked holds the flows whose Approve button was already pressed.
	clicked map[string]bool
}

// clickNextApprove waits for the Approve button of a flow not clicked yet
// (the previous parent loses its buttons only when the paced thread
// catches up) and presses it as each user in turn.
func (r *slackRig) clickNextApprove(users ...string) {
	r.t.Helper()
	if r.clicked == nil {
		r.clicked = map[string]bool{}
	}
	var flow string
	r.eventually(func() bool { flow = newestButton(r); return flow != "" && !r.clicked[flow] })
	r.clicked[flow] = true
	for _, u := range users {
		r.click(u, bot.ActionApprove)
	}
}

func newSlackRig(t *testing.T, approverPasskey bool) *slackRig {
	t.Helper()
	addr := testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")
	fake := slackfake.New("xoxb-test")
	t.Cleanup(fake.Close)
	fake.AddChannel("C0HELPDESK")
	for _, u := range []string{"U0PWUSER", "U0ALICE", "U0JDOE"} {
		fake.AddUser(slackfake.User{ID: u, Name: strings.ToLower(u[2:])})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	path := writeTestConfig(t, t.TempDir(), testConfig{
		PublicBaseURL: base, RedisAddr: addr, KeyPrefix: fmt.Sprintf("e2e%d", time.Now().UnixNano()),
		SlackAPI: fake.APIURL(), ApproverPasskey: approverPasskey,
	})
	cfg, err := loadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := build(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	mln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { done <- s.run(ctx, ln, mln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		s.close()
		// Leave nothing behind in the shared Redis.
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		defer rdb.Close()
		iter := rdb.Scan(context.Background(), 0, cfg.Redis.KeyPrefix+"*", 1000).Iterator()
		for iter.Next(context.Background()) {
			rdb.Del(context.Background(), iter.Val())
		}
	})
	return &slackRig{t: t, s: s, fake: fake, base: base}
}

// post sends a signed request to the server as Slack would.
func (r *slackRig) post(req *http.Request) {
	r.t.Helper()
	u, _ := req.URL.Parse(r.base + req.URL.Path)
	req.URL, req.Host = u, u.Host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		r.t.Fatalf("%s: status %d", req.URL.Path, resp.StatusCode)
	}
}

// command types "/reset text" as user.
func (r *slackRig) command(user, text string) {
	r.t.Helper()
	r.n++
	r.post(slackfake.SignedCommand(testSigningSecret, slackfake.CommandForm(user, text, r.fake.ResponseURL(fmt.Sprint("cmd", r.n))), time.Now()))
}

// click presses a button of the newest helpdesk parent as user.
func (r *slackRig) click(user, actionID string) {
	r.t.Helper()
	parents := r.fake.Messages("C0HELPDESK")
	var flow string
	for i := len(parents) - 1; i >= 0 && flow == ""; i-- {
		latest, _ := r.fake.Message(parents[i].TS)
		flow = buttonValue(latest.Blocks, actionID)
	}
	if flow == "" {
		r.t.Fatalf("no %s button in the helpdesk channel", actionID)
	}
	r.n++
	r.post(slackfake.SignedInteraction(testSigningSecret, slackfake.BlockActions(user, "C0HELPDESK", actionID, flow, r.fake.ResponseURL(fmt.Sprint("click", r.n))), time.Now()))
}

// buttonValue finds the value of a button in Block Kit JSON.
func buttonValue(blocks json.RawMessage, actionID string) string {
	var bs []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	_ = json.Unmarshal(blocks, &bs)
	for _, b := range bs {
		for _, e := range b.Elements {
			if e.ActionID == actionID {
				return e.Value
			}
		}
	}
	return ""
}

// link waits for the user's n-th direct message with a link and returns it.
func (r *slackRig) link(user string, n int) string {
	r.t.Helper()
	var found string
	r.eventually(func() bool {
		count := 0
		for _, m := range r.fake.DMs(user) {
			b := string(m.Blocks)
			if i := strings.Index(b, r.base+"/r/"); i >= 0 {
				count++
				if count == n {
					found = b[i : i+strings.IndexByte(b[i:], '"')]
					return true
				}
			}
		}
		return false
	})
	return found
}

// thread returns the step lines of the helpdesk parent whose text
// contains title: those in its body, then those of its replies.
func (r *slackRig) thread(title string) (parent string, replies []string) {
	for _, m := range r.fake.Messages("C0HELPDESK") {
		if strings.Contains(m.Text, title) {
			latest, _ := r.fake.Message(m.TS)
			// A flow that ended before its turn to be posted (the
			// channel busy with another thread) carries its steps in
			// its parent's body; a reply may hold several steps: the
			// thread coalesces them when posting is paced (about one
			// message per second).
			replies = bodyStepLines(latest.Blocks)
			for _, rep := range r.fake.Thread(m.TS) {
				replies = append(replies, strings.Split(visibleText(rep.Blocks), "\n")...)
			}
			return latest.Text + "\n" + visibleText(latest.Blocks), replies
		}
	}
	return "", nil
}

// eventually polls an asynchronous delivery for up to 20 seconds; on
// failure it shows every call the fake Slack received.
func (r *slackRig) eventually(cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			var calls []string
			for _, c := range r.fake.Calls() {
				calls = append(calls, fmt.Sprintf("%+v", c))
			}
			r.t.Fatalf("condition not met within 20 s; Slack saw:\n%s", strings.Join(calls, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *slackRig) user(account string) *directory.User {
	r.t.Helper()
	u, err := r.s.dir.Find(context.Background(), directory.Lookup{Kind: directory.ByAccountName, Value: account})
	if err != nil {
		r.t.Fatal(err)
	}
	return u
}

// TestSlackEndToEnd is the whole product on one machine: signed slash
// commands from Slack, links in direct messages, passkeys in a real
// Chromium on a phone-sized screen, the password in the directory, and a
// helpdesk thread that tells every step in order. The privileged user's
// reset waits for a second helpdesk member's click.
func TestSlackEndToEnd(t *testing.T) {
	r := newSlackRig(t, false)
	browser := webauthtest.NewBrowser(t, filepath.Join("testdata", "screenshots"), "slack")
	browser.Authenticator(true)
	ctx := context.Background()

	t.Run("standard user", func(t *testing.T) {
		r.t = t
		r.command("U0PWUSER", "enroll")
		browser.Enroll(r.link("U0PWUSER", 1), memory.ExamplePassword)
		r.command("U0PWUSER", "")
		next := webauthtest.RandomPassword()
		browser.Reset(r.link("U0PWUSER", 2), next)
		pw := r.user("pwuser")
		if err := r.s.dir.VerifyPassword(ctx, pw, next); err != nil {
			t.Fatalf("the new password does not work: %v", err)
		}
		if err := r.s.dir.VerifyPassword(ctx, pw, memory.ExamplePassword); err == nil {
			t.Fatal("the old password still works")
		}
		// "Link sent" is recorded once the chat API accepted the message,
		// or, when a browser as fast as this test's opens the link first,
		// by the opening, before it: in this order either way.
		steps := []string{"Requested by <@U0PWUSER>", "Link sent to the user by", "Link opened", "Link used", "Verified with passkey",
			"Writing to the directory", "New password written", "Completed"}
		var parent string
		var replies []string
		r.eventually(func() bool {
			parent, replies = r.thread("Password reset")
			// The last step, not a count: a reply may carry several steps
			// and a note when posting is paced.
			return strings.Contains(parent, "Completed") && strings.Contains(strings.Join(replies, "\n"), "· Completed")
		})
		at := 0
		for _, reply := range replies {
			if at < len(steps) && strings.Contains(reply, steps[at]) {
				at++
			}
		}
		if at != len(steps) {
			t.Fatalf("thread lacks step %q in order:\n%s", steps[at], strings.Join(replies, "\n"))
		}
		if all := strings.Join(replies, "\n"); !strings.Contains(all, "Link sent to the user by direct message") &&
			!strings.Contains(all, "Link sent to the user by private message (its delivery confirmed when the user opened the link)") {
			t.Fatalf("thread does not say how the link was sent:\n%s", strings.Join(replies, "\n"))
		}
		r.eventually(func() bool {
			dms := r.fake.DMs("U0PWUSER")
			return strings.Contains(dms[len(dms)-1].Text, "Your password was changed")
		})
	})

	t.Run("privileged user needs a helpdesk approval", func(t *testing.T) {
		r.t = t
		approve := func() {
			r.eventually(func() bool { return lastHasButton(r) })
			r.click("U0ALICE", bot.ActionApprove)  // the target herself: refused
			r.click("U0PWUSER", bot.ActionApprove) // not helpdesk: refused
			r.click("U0JDOE", bot.ActionApprove)   // helpdesk: counts
		}
		r.command("U0ALICE", "enroll")
		browser.EnrollApproved(r.link("U0ALICE", 1), memory.ExamplePassword, approve)
		r.command("U0ALICE", "")
		next := webauthtest.RandomPassword()
		browser.ResetApproved(r.link("U0ALICE", 2), next, approve)
		if err := r.s.dir.VerifyPassword(ctx, r.user("alice"), next); err != nil {
			t.Fatalf("the new password does not work: %v", err)
		}
		var refusals []string
		for _, resp := range r.fake.Responses() {
			refusals = append(refusals, resp.Text)
		}
		joined := strings.Join(refusals, "\n")
		for _, want := range []string{"Only helpdesk members can approve", "Approved."} {
			if !strings.Contains(joined, want) {
				t.Errorf("clickers were not told %q:\n%s", want, joined)
			}
		}
		var parent string
		r.eventually(func() bool {
			parent, _ = r.thread("Password reset for Alice Admin")
			return strings.Contains(parent, "Completed")
		})
		if !strings.Contains(parent, "Approved by <@U0JDOE>") || lastHasButton(r) {
			t.Fatalf("parent after approval still offers buttons or does not name the approver:\n%s", parent)
		}
	})
}

// visibleText joins every text in Block Kit JSON (what Slack shows), one
// per line, in document order.
func visibleText(blocks json.RawMessage) string {
	var v any
	_ = json.Unmarshal(blocks, &v)
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			if t, ok := x["text"]; ok {
				walk(t)
			}
			if e, ok := x["elements"]; ok {
				walk(e)
			}
			if f, ok := x["fields"]; ok {
				walk(f)
			}
		}
	}
	walk(v)
	return strings.Join(out, "\n")
}

// lastHasButton reports whether a helpdesk parent offers Approve.
func lastHasButton(r *slackRig) bool { return newestButton(r) != "" }

// newestButton returns the flow id of the newest Approve button in the
// helpdesk channel, or "".
func newestButton(r *slackRig) string {
	ms := r.fake.Messages("C0HELPDESK")
	for i := len(ms) - 1; i >= 0; i-- {
		if latest, ok := r.fake.Message(ms[i].TS); ok {
			if v := buttonValue(latest.Blocks, bot.ActionApprove); v != "" {
				return v
			}
		}
	}
	return ""
}

// TestSlackApproverConfirmsWithPasskey: with helpdesk.approver_passkey, the
// helpdesk member's click only sends them a link; the privileged user's
// page moves on once the approver confirmed in their own browser with
// their own passkey.
func TestSlackApproverConfirmsWithPasskey(t *testing.T) {
	r := newSlackRig(t, true)
	alice := webauthtest.NewBrowser(t, filepath.Join("testdata", "screenshots"), "confirm-alice")
	alice.Authenticator(true)
	helpdesk := webauthtest.NewBrowser(t, filepath.Join("testdata", "screenshots"), "confirm-jdoe")
	helpdesk.Authenticator(true)

	r.command("U0JDOE", "enroll") // the approver needs a passkey of their own
	helpdesk.Enroll(r.link("U0JDOE", 1), memory.ExamplePassword)

	approve := func() {
		r.clickNextApprove("U0JDOE")
		helpdesk.ConfirmApproval(r.link("U0JDOE", 2+r.confirmations))
		r.confirmations++
	}
	r.command("U0ALICE", "enroll")
	alice.EnrollApproved(r.link("U0ALICE", 1), memory.ExamplePassword, approve)
	r.command("U0ALICE", "")
	next := webauthtest.RandomPassword()
	alice.ResetApproved(r.link("U0ALICE", 2), next, approve)
	if err := r.s.dir.VerifyPassword(context.Background(), r.user("alice"), next); err != nil {
		t.Fatalf("the new password does not work: %v", err)
	}
	var replies []string
	r.eventually(func() bool {
		// Wait for the reset's own last steps: the confirmation flow has a
		// "Completed" of its own in this thread.
		// The confirmation's steps live on the approver's audit stream,
		// the reset's on alice's: they reach the thread in either order.
		_, replies = r.thread("Password reset for Alice Admin")
		all := strings.Join(replies, "\n")
		return strings.Contains(all, "Approved by <@U0JDOE>") && strings.Contains(all, "New password written") &&
			strings.Contains(all, "Approval confirmation by <@U0JDOE>: Verified with passkey")
	})
	joined := strings.Join(replies, "\n")
	for _, want := range []string{"Approval confirmation by <@U0JDOE>", "Verified with passkey", "Approved by <@U0JDOE>"} {
		if !strings.Contains(joined, want) {
			t.Errorf("thread lacks %q:\n%s", want, joined)
		}
	}
}
