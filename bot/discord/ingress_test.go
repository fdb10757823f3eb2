package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/bot/discord/discordfake"
	"github.com/resetbot/resetbot/bot/platform"
)

var working = bot.Message{Summary: "Got it", Body: []string{"Got it: I'm preparing a password reset."}}

func TestSignatureIsCheckedBeforeAnything(t *testing.T) {
	r := newRig(t)
	h := &recorder{reply: working}
	r.serve(t, h, &bottest.MemOnce{})
	body := r.fake.Command(testGuild, r.general, CommandName, SubPassword, fakeUser("pwuser"), nil).Body
	other := discordfake.NewSigner("someone else")
	now := time.Now()
	for _, tc := range []struct {
		name   string
		req    func() *http.Request
		status int
	}{
		{"valid", func() *http.Request { return r.signer.Request(r.srv.URL+PathInteractions, body, now) }, 200},
		{"tampered body", func() *http.Request {
			req := r.signer.Request(r.srv.URL+PathInteractions, body, now)
			req.Body = io.NopCloser(bytes.NewReader(bytes.Replace(body, []byte("password"), []byte("unlock\x20\x20"), 1)))
			return req
		}, 401},
		{"wrong key", func() *http.Request { return other.Request(r.srv.URL+PathInteractions, body, now) }, 401},
		{"stale timestamp", func() *http.Request {
			return r.signer.Request(r.srv.URL+PathInteractions, body, now.Add(-6*time.Minute))
		}, 401},
		{"future timestamp", func() *http.Request { return r.signer.Request(r.srv.URL+PathInteractions, body, now.Add(time.Minute)) }, 401},
		{"missing signature", func() *http.Request {
			req := r.signer.Request(r.srv.URL+PathInteractions, body, now)
			req.Header.Del(HeaderSignature)
			return req
		}, 401},
		{"missing timestamp", func() *http.Request {
			req := r.signer.Request(r.srv.URL+PathInteractions, body, now)
			req.Header.Del(HeaderTimestamp)
			return req
		}, 401},
		{"signature not hex", func() *http.Request {
			req := r.signer.Request(r.srv.URL+PathInteractions, body, now)
			req.Header.Set(HeaderSignature, "zz"+req.Header.Get(HeaderSignature)[2:])
			return req
		}, 401},
		{"timestamp rewritten", func() *http.Request {
			req := r.signer.Request(r.srv.URL+PathInteractions, body, now)
			req.Header.Set(HeaderTimestamp, "1"+req.Header.Get(HeaderTimestamp))
			return req
		}, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := h.counts()
			resp, err := r.srv.Client().Do(tc.req())
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, got)
			}
			after, _ := h.counts()
			if tc.status == 401 && after != before {
				t.Errorf("the handler ran for a request that failed verification")
			}
			if tc.status == 401 && strings.TrimSpace(string(got)) != errUnauthorized.Text {
				t.Errorf("body %q, want the catalogued %q", got, errUnauthorized.Text)
			}
		})
	}
}

func TestPingIsAnsweredWithPong(t *testing.T) {
	r := newRig(t)
	h := &recorder{}
	r.serve(t, h, &bottest.MemOnce{})
	resp, err := r.srv.Client().Do(r.signer.Request(r.srv.URL+PathInteractions, r.fake.PingBody(), time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct{ Type int }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 || got.Type != 1 {
		t.Fatalf("status %d, type %d, err %v; want 200 and PONG (1)", resp.StatusCode, got.Type, err)
	}
	if c, a := h.counts(); c+a != 0 {
		t.Errorf("a ping reached the core")
	}
}

func TestCommandsReachTheCoreTranslated(t *testing.T) {
	r := newRig(t)
	h := &recorder{reply: working}
	r.serve(t, h, &bottest.MemOnce{})
	target := discordfake.User{ID: snowflakeOf("spare1"), Username: "spare1", GlobalName: "Spare One"}
	for _, tc := range []struct {
		name, sub string
		target    *discordfake.User
		text      string
	}{
		{"password is the default reset", SubPassword, nil, ""},
		{"unlock", SubUnlock, nil, "unlock"},
		{"enroll", SubEnroll, nil, "enroll"},
		{"status", SubStatus, nil, "status"},
		{"cancel", SubCancel, nil, "cancel"},
		{"help", SubHelp, nil, "help"},
		{"report", SubReport, nil, "report"},
		{"for a user", SubFor, &target, "for " + bot.Mention(identity(target.ID))},
		{"enroll-for a user", SubEnrollFor, &target, "enroll-for " + bot.Mention(identity(target.ID))},
		{"who a user", SubWho, &target, "who " + bot.Mention(identity(target.ID))},
		{"bare command", "", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := r.deliver(t, r.fake.Command(testGuild, r.general, CommandName, tc.sub, fakeUser("jdoe"), tc.target))
			if resp.Status != 200 || resp.Type != 4 || resp.Message == nil || resp.Message.Flags&discordfake.Ephemeral == 0 {
				t.Fatalf("answer %d type %d %s, want an ephemeral message", resp.Status, resp.Type, resp.Body)
			}
			h.mu.Lock()
			got := h.commands[len(h.commands)-1]
			h.mu.Unlock()
			if got.Text != tc.text {
				t.Errorf("text %q, want %q", got.Text, tc.text)
			}
			if got.From.ID != identity(snowflakeOf("jdoe")) || got.From.Email != "" {
				t.Errorf("from %+v, want jdoe's Discord id and no email", got.From)
			}
			if tc.target != nil && (len(got.Mentions) != 1 || got.Mentions[0].ID.UserID != target.ID || got.Mentions[0].Name != "Spare One") {
				t.Errorf("mentions %+v, want the resolved target", got.Mentions)
			}
			if _, err := bot.ParseCommand(got.Text, got.Mentions); err != nil {
				t.Errorf("the core does not understand %q: %v", got.Text, err)
			}
		})
	}
}

func TestRedeliveryReachesTheCoreOnce(t *testing.T) {
	r := newRig(t)
	h := &recorder{reply: working}
	r.serve(t, h, &bottest.MemOnce{})
	cmd := r.fake.Command(testGuild, r.general, CommandName, SubPassword, fakeUser("pwuser"), nil)
	first, again := r.deliver(t, cmd), r.deliver(t, cmd)
	if c, _ := h.counts(); c != 1 {
		t.Fatalf("the core ran %d times for one interaction", c)
	}
	if !bytes.Equal(first.Body, again.Body) || again.Status != 200 {
		t.Errorf("redelivery answered %d %s, want the first answer %s", again.Status, again.Body, first.Body)
	}
	click := r.fake.Button(testGuild, discordfake.Message{ID: "1", ChannelID: r.helpdesk}, mustCustomID(t, bot.ActionApprove, "f1"), fakeUser("jdoe"))
	r.deliver(t, click)
	r.deliver(t, click)
	if _, a := h.counts(); a != 1 {
		t.Fatalf("the core ran %d times for one click", a)
	}
}

func mustCustomID(t *testing.T, action, value string) string {
	t.Helper()
	id, err := encodeCustomID(action, value)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// The first reply goes out while the core's background work is still
// blocked; the later answer follows on the interaction's webhook.
func TestFirstReplyDoesNotWaitForBackgroundWork(t *testing.T) {
	r := newRig(t)
	release, answered := make(chan struct{}), make(chan error, 1)
	h := &recorder{reply: working, later: func(req bot.Request) {
		<-release
		answered <- req.Respond.Respond(context.Background(), bot.Message{Summary: "Link sent", Body: []string{"Check your DMs."}})
	}}
	r.serve(t, h, &bottest.MemOnce{})
	resp := r.deliver(t, r.fake.Command(testGuild, r.general, CommandName, SubPassword, fakeUser("pwuser"), nil))
	if resp.Type != 4 || !strings.Contains(resp.Message.Text(), "Got it") {
		t.Fatalf("first answer type %d %s, want the core's first reply", resp.Type, resp.Body)
	}
	close(release)
	if err := <-answered; err != nil {
		t.Fatalf("follow-up: %v", err)
	}
	private := r.fake.Private(snowflakeOf("pwuser"))
	if len(private) != 2 || !strings.Contains(private[1].Text(), "Link sent") || private[1].Flags&discordfake.Ephemeral == 0 {
		t.Fatalf("user saw %+v, want the first reply and an ephemeral follow-up", private)
	}
}

// A first reply slower than the deferral deadline: Discord gets a
// deferred response while the core is still blocked, and the reply fills
// it in when it comes.
func TestSlowFirstReplyIsDeferred(t *testing.T) {
	r := newRig(t)
	h := &recorder{reply: working, block: make(chan struct{})}
	r.serve(t, h, &bottest.MemOnce{}, WithDeferAfter(time.Millisecond))
	resp := r.deliver(t, r.fake.Command(testGuild, r.general, CommandName, SubPassword, fakeUser("pwuser"), nil))
	if resp.Type != 5 || !bytes.Contains(resp.Body, []byte(`"flags":64`)) {
		t.Fatalf("answer type %d %s, want a deferred ephemeral response (5)", resp.Type, resp.Body)
	}
	if got := r.fake.Private(snowflakeOf("pwuser")); len(got) != 0 {
		t.Fatalf("user saw %+v before the core answered", got)
	}
	close(h.block)
	r.app.Wait()
	got := r.fake.Private(snowflakeOf("pwuser"))
	if len(got) != 1 || !strings.Contains(got[0].Text(), "Got it") || got[0].Edits != 1 {
		t.Fatalf("user saw %+v, want the deferred response filled in with the first reply", got)
	}
}

func TestClickIsAcknowledgedAndTranslated(t *testing.T) {
	r := newRig(t)
	h := &recorder{reply: bot.Message{Summary: "Working on it"}}
	r.serve(t, h, &bottest.MemOnce{})
	resp := r.deliver(t, r.fake.Button(testGuild, discordfake.Message{ID: "7", ChannelID: r.helpdesk}, mustCustomID(t, bot.ActionDeny, "0a-flow:1"), fakeUser("jdoe")))
	if resp.Status != 200 || resp.Type != 6 {
		t.Fatalf("answer %d type %d, want a deferred update (6)", resp.Status, resp.Type)
	}
	r.app.Wait()
	h.mu.Lock()
	a := h.actions[0]
	h.mu.Unlock()
	if a.ActionID != bot.ActionDeny || a.Value != "0a-flow:1" || a.From.ID != identity(snowflakeOf("jdoe")) {
		t.Errorf("action %+v", a)
	}
	if got := r.fake.Private(snowflakeOf("jdoe")); len(got) != 1 || !strings.Contains(got[0].Text(), "Working on it") {
		t.Errorf("clicker saw %+v, want the first reply as an ephemeral follow-up", got)
	}
}

func TestMalformedInteractionsAreRefused(t *testing.T) {
	r := newRig(t)
	h := &recorder{reply: working}
	r.serve(t, h, &bottest.MemOnce{})
	good := r.fake.Command(testGuild, r.general, CommandName, SubPassword, fakeUser("pwuser"), nil)
	edit := func(f func(map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(good.Body, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	for _, tc := range []struct {
		name string
		body []byte
		want *platform.Problem
	}{
		{"not JSON", []byte("{"), errBadInteraction},
		{"trailing data", append(append([]byte{}, good.Body...), "{}"...), errBadInteraction},
		{"other application", edit(func(m map[string]any) { m["application_id"] = "42" }), errBadInteraction},
		{"no user", edit(func(m map[string]any) { delete(m, "member") }), errBadInteraction},
		{"token with a path", edit(func(m map[string]any) { m["token"] = "../../channels" }), errBadInteraction},
		{"autocomplete", edit(func(m map[string]any) { m["type"] = 4 }), errUnsupported},
		{"other command", edit(func(m map[string]any) { m["data"] = map[string]any{"name": "ban"} }), errUnsupported},
		{"option not a subcommand", edit(func(m map[string]any) {
			m["data"] = map[string]any{"name": CommandName, "options": []any{map[string]any{"name": "user", "type": 6, "value": "1"}}}
		}), errBadInteraction},
		{"user option not an id", edit(func(m map[string]any) {
			m["data"] = map[string]any{"name": CommandName, "options": []any{map[string]any{"name": "for", "type": 1,
				"options": []any{map[string]any{"name": "user", "type": 6, "value": "<@everyone>"}}}}}
		}), errBadInteraction},
		{"unknown custom_id", edit(func(m map[string]any) {
			m["type"] = 3
			m["data"] = map[string]any{"custom_id": "approve", "component_type": 2}
		}), errBadCustomID},
		{"select menu", edit(func(m map[string]any) {
			m["type"] = 3
			m["data"] = map[string]any{"custom_id": "rb1:a:b", "component_type": 3}
		}), errUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := r.srv.Client().Do(r.signer.Request(r.srv.URL+PathInteractions, tc.body, time.Now()))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want.Status || strings.TrimSpace(string(got)) != tc.want.Text {
				t.Errorf("answer %d %q, want %d %q", resp.StatusCode, got, tc.want.Status, tc.want.Text)
			}
		})
	}
	if c, a := h.counts(); c+a != 0 {
		t.Errorf("malformed interactions reached the core (%d commands, %d clicks)", c, a)
	}
}

func TestOversizedBodyIsRefused(t *testing.T) {
	r := newRig(t)
	r.serve(t, &recorder{}, &bottest.MemOnce{})
	body := bytes.Repeat([]byte(" "), maxBody+1)
	resp, err := r.srv.Client().Do(r.signer.Request(r.srv.URL+PathInteractions, body, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", resp.StatusCode)
	}
}

// When the first response fails (here: a reply the renderer cannot turn
// into a message), the core's later answers give up instead of waiting
// for an interaction that was never answered.
func TestAnswersGiveUpWhenTheFirstResponseFailed(t *testing.T) {
	r := newRig(t)
	unrenderable := bot.Message{Buttons: []bot.Button{{ActionID: "x", Value: strings.Repeat("v", 100), Label: "x"}}}
	answered := make(chan error, 1)
	h := &recorder{reply: unrenderable, later: func(req bot.Request) {
		answered <- req.Respond.Respond(context.Background(), working)
	}}
	r.serve(t, h, &bottest.MemOnce{})
	resp := r.deliver(t, r.fake.Command(testGuild, r.general, CommandName, SubPassword, fakeUser("pwuser"), nil))
	if resp.Status != http.StatusInternalServerError {
		t.Fatalf("answer %d %s, want 500", resp.Status, resp.Body)
	}
	if err := <-answered; err == nil {
		t.Fatal("an answer to an interaction that was never answered went out")
	}
}
