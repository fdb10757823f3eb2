package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/slack/slackfake"
	"github.com/resetbot/resetbot/flows"
)

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestSignatureVerification(t *testing.T) {
	now := time.Now()
	form := func() url.Values { return slackfake.CommandForm("U0ALICE", "", "https://hooks.slack.invalid/r") }
	tests := []struct {
		name string
		req  func() *http.Request
		want int
	}{
		{"valid", func() *http.Request { return slackfake.SignedCommand(testSecret, form(), now) }, http.StatusOK},
		{"valid at 4 minutes old", func() *http.Request { return slackfake.SignedCommand(testSecret, form(), now.Add(-4*time.Minute)) }, http.StatusOK},
		{"tampered body", func() *http.Request {
			r := slackfake.SignedCommand(testSecret, form(), now)
			other := form()
			other.Set("user_id", "U0MALLORY")
			body := other.Encode()
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader(body)), int64(len(body))
			return r
		}, http.StatusUnauthorized},
		{"wrong secret", func() *http.Request { return slackfake.SignedCommand("not-the-secret", form(), now) }, http.StatusUnauthorized},
		{"stale timestamp", func() *http.Request { return slackfake.SignedCommand(testSecret, form(), now.Add(-6*time.Minute)) }, http.StatusUnauthorized},
		{"future timestamp", func() *http.Request { return slackfake.SignedCommand(testSecret, form(), now.Add(6*time.Minute)) }, http.StatusUnauthorized},
		{"timestamp changed after signing", func() *http.Request {
			r := slackfake.SignedCommand(testSecret, form(), now)
			r.Header.Set("X-Slack-Request-Timestamp", "1")
			return r
		}, http.StatusUnauthorized},
		{"missing signature", func() *http.Request {
			r := slackfake.SignedCommand(testSecret, form(), now)
			r.Header.Del("X-Slack-Signature")
			return r
		}, http.StatusUnauthorized},
		{"missing timestamp", func() *http.Request {
			r := slackfake.SignedCommand(testSecret, form(), now)
			r.Header.Del("X-Slack-Request-Timestamp")
			return r
		}, http.StatusUnauthorized},
		{"other signature version", func() *http.Request {
			r := slackfake.SignedCommand(testSecret, form(), now)
			r.Header.Set("X-Slack-Signature", "v1="+strings.TrimPrefix(r.Header.Get("X-Slack-Signature"), "v0="))
			return r
		}, http.StatusUnauthorized},
		{"signature not hex", func() *http.Request {
			r := slackfake.SignedCommand(testSecret, form(), now)
			r.Header.Set("X-Slack-Signature", "v0=zz")
			return r
		}, http.StatusUnauthorized},
		{"unsigned interaction", func() *http.Request {
			r := slackfake.SignedInteraction(testSecret, slackfake.BlockActions("U0BOB", testChannel, bot.ActionApprove, "f", "https://h.invalid/r"), now)
			r.Header.Del("X-Slack-Signature")
			return r
		}, http.StatusUnauthorized},
		{"unsigned event", func() *http.Request {
			r := slackfake.SignedEvent("wrong", map[string]any{"type": "url_verification", "challenge": "c"}, now)
			return r
		}, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &recordingHandler{reply: bot.Message{Summary: "ok"}}
			app, _ := newTestApp(t, h)
			w := serve(app.Routes(), tt.req())
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d (%s)", w.Code, tt.want, w.Body)
			}
			calls := len(h.Commands()) + len(h.Actions())
			if tt.want == http.StatusUnauthorized {
				if calls != 0 {
					t.Errorf("the core was called %d times for a rejected request", calls)
				}
				if got := strings.TrimSpace(w.Body.String()); got != "Unauthorized" {
					t.Errorf("401 body %q gives details", got)
				}
			} else if calls != 1 {
				t.Errorf("the core was called %d times, want 1", calls)
			}
		})
	}
}

func TestSlashCommandTranslation(t *testing.T) {
	reply := bot.Message{Summary: "Check your DMs", Body: []string{"I sent you a *link*."}}
	h := &recordingHandler{reply: reply}
	app, fake := newTestApp(t, h)
	form := slackfake.CommandForm("U0ALICE", "for <@U0BOB|bob> &amp; co", fake.ResponseURL("cmd-1"))

	w := serve(app.Routes(), slackfake.SignedCommand(testSecret, form, time.Now()))

	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, content type %q", w.Code, w.Header().Get("Content-Type"))
	}
	want, _ := ephemeralJSON(reply)
	if !bytes.Equal(w.Body.Bytes(), want) {
		t.Errorf("ack body\n%s\nwant the rendered reply\n%s", w.Body, want)
	}
	var ack map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &ack); err != nil || ack["response_type"] != "ephemeral" {
		t.Errorf("ack is not an ephemeral answer: %s", w.Body)
	}
	cmds := h.Commands()
	if len(cmds) != 1 {
		t.Fatalf("core got %d commands", len(cmds))
	}
	got := cmds[0]
	wantFrom := bot.User{ID: flows.ChatIdentity{Platform: "slack", UserID: "U0ALICE"}, Name: "user-U0ALICE"}
	if got.From != wantFrom {
		t.Errorf("From = %+v, want %+v", got.From, wantFrom)
	}
	if bot.ShowMentions(got.Text) != "for <@slack:U0BOB> & co" {
		t.Errorf("Text = %q", got.Text)
	}
	wantMentions := []bot.User{{ID: flows.ChatIdentity{Platform: "slack", UserID: "U0BOB"}, Name: "bob"}}
	if !reflect.DeepEqual(got.Mentions, wantMentions) {
		t.Errorf("Mentions = %+v", got.Mentions)
	}

	// The Responder answers later through the response URL, privately.
	if err := got.Respond.Respond(context.Background(), bot.Message{Summary: "Done"}); err != nil {
		t.Fatal(err)
	}
	resp := fake.Responses()
	if len(resp) != 1 || resp[0].ID != "cmd-1" || resp[0].ResponseType != "ephemeral" || resp[0].ReplaceOriginal || resp[0].Text != "Done" {
		t.Errorf("responses = %+v", resp)
	}
}

func TestSlashCommandSilentReply(t *testing.T) {
	h := &recordingHandler{}
	app, fake := newTestApp(t, h)
	w := serve(app.Routes(), slackfake.SignedCommand(testSecret, slackfake.CommandForm("U0ALICE", "", fake.ResponseURL("x")), time.Now()))
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Errorf("zero reply answered %d %q, want an empty 200", w.Code, w.Body)
	}
}

func TestRetryIsDeduplicated(t *testing.T) {
	h := &recordingHandler{reply: bot.Message{Summary: "Check your DMs"}}
	app, fake := newTestApp(t, h)
	form := slackfake.CommandForm("U0ALICE", "", fake.ResponseURL("cmd"))

	first := serve(app.Routes(), slackfake.SignedCommand(testSecret, form, time.Now()))
	retry := slackfake.SignedCommand(testSecret, form, time.Now())
	retry.Header.Set("X-Slack-Retry-Num", "1")
	retry.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	second := serve(app.Routes(), retry)

	if first.Code != http.StatusOK || second.Code != http.StatusOK {
		t.Fatalf("status %d then %d", first.Code, second.Code)
	}
	if !bytes.Equal(first.Body.Bytes(), second.Body.Bytes()) {
		t.Errorf("redelivery answered %q, first delivery %q", second.Body, first.Body)
	}
	if n := len(h.Commands()); n != 1 {
		t.Errorf("core called %d times, want 1", n)
	}

	// A different command from the same user is not a redelivery.
	serve(app.Routes(), slackfake.SignedCommand(testSecret, slackfake.CommandForm("U0ALICE", "", fake.ResponseURL("cmd")), time.Now()))
	if n := len(h.Commands()); n != 2 {
		t.Errorf("core called %d times after a new command, want 2", n)
	}
}

// TestAckDoesNotWait proves the ack does not wait for the core's
// background work or for Slack: the work blocks on a channel that is not
// closed until the ack is in hand. If the ack waited, the test would hang.
func TestAckDoesNotWait(t *testing.T) {
	tests := []struct {
		name  string
		block func(fake *slackfake.Server, never chan struct{}) func(bot.Responder)
	}{
		{"core work blocks", func(_ *slackfake.Server, never chan struct{}) func(bot.Responder) {
			return func(bot.Responder) { <-never }
		}},
		{"response URL blocks", func(fake *slackfake.Server, never chan struct{}) func(bot.Responder) {
			fake.Hold("response_url")
			return func(r bot.Responder) { _ = r.Respond(context.Background(), bot.Message{Summary: "later"}) }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			never := make(chan struct{})
			started := make(chan struct{})
			h := &recordingHandler{reply: bot.Message{Summary: "Working on it", Title: "Reset"}}
			app, fake := newTestApp(t, h)
			work := tt.block(fake, never)
			h.background = func(r bot.Responder) { close(started); work(r) }

			w := serve(app.Routes(), slackfake.SignedCommand(testSecret, slackfake.CommandForm("U0ALICE", "", fake.ResponseURL("c")), time.Now()))

			<-started // the background work is running and cannot finish
			if w.Code != http.StatusOK {
				t.Fatalf("status %d", w.Code)
			}
			want, _ := ephemeralJSON(h.reply)
			if !bytes.Equal(w.Body.Bytes(), want) {
				t.Errorf("ack %s, want the rendered first reply %s", w.Body, want)
			}
			close(never)
		})
	}
}

func TestInteraction(t *testing.T) {
	h := &recordingHandler{reply: bot.Message{Summary: "Approval recorded"}}
	app, fake := newTestApp(t, h)
	release := fake.Hold("response_url")
	payload := slackfake.BlockActions("U0BOB", testChannel, bot.ActionApprove, "flow-1", fake.ResponseURL("click-1"))

	w := serve(app.Routes(), slackfake.SignedInteraction(testSecret, payload, time.Now()))

	// The ack came back while the first reply is still held by Slack.
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("ack %d %q, want an empty 200", w.Code, w.Body)
	}
	acts := h.Actions()
	if len(acts) != 1 {
		t.Fatalf("core got %d actions", len(acts))
	}
	a := acts[0]
	if a.ActionID != bot.ActionApprove || a.Value != "flow-1" || a.From.ID != (flows.ChatIdentity{Platform: "slack", UserID: "U0BOB"}) {
		t.Errorf("action = %+v", a)
	}
	release()
	app.Wait()
	resp := fake.Responses()
	if len(resp) != 1 || resp[0].ID != "click-1" || resp[0].Text != "Approval recorded" || resp[0].ReplaceOriginal || resp[0].ResponseType != "ephemeral" {
		t.Errorf("first reply went out as %+v", resp)
	}

	// The same click delivered again reaches the core once.
	serve(app.Routes(), slackfake.SignedInteraction(testSecret, payload, time.Now()))
	if n := len(h.Actions()); n != 1 {
		t.Errorf("redelivered click reached the core: %d actions", n)
	}
}

func TestLinkButtonClickIsAcknowledgedOnly(t *testing.T) {
	h := &recordingHandler{reply: bot.Message{Summary: "x"}}
	app, fake := newTestApp(t, h)
	payload := slackfake.BlockActions("U0ALICE", "D0ALICE", ActionLink, "", fake.ResponseURL("l"))
	w := serve(app.Routes(), slackfake.SignedInteraction(testSecret, payload, time.Now()))
	if w.Code != http.StatusOK || len(h.Actions()) != 0 {
		t.Errorf("status %d, %d actions reached the core", w.Code, len(h.Actions()))
	}
}

func TestEvents(t *testing.T) {
	h := &recordingHandler{}
	app, _ := newTestApp(t, h)

	w := serve(app.Routes(), slackfake.SignedEvent(testSecret, map[string]any{
		"token": "unused", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"}, time.Now()))
	if w.Code != http.StatusOK || w.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" ||
		!strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		t.Errorf("url_verification answered %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Body)
	}

	ev := map[string]any{"type": "event_callback", "event_id": "Ev0001", "event": map[string]any{"type": "app_home_opened", "user": "U0ALICE"}}
	for retry := range 2 {
		r := slackfake.SignedEvent(testSecret, ev, time.Now())
		if retry > 0 {
			r.Header.Set("X-Slack-Retry-Num", "1")
		}
		if w := serve(app.Routes(), r); w.Code != http.StatusOK || w.Body.Len() != 0 {
			t.Errorf("delivery %d answered %d %q", retry, w.Code, w.Body)
		}
	}
	if len(h.Commands())+len(h.Actions()) != 0 {
		t.Error("an event reached the core")
	}
}

func TestMalformedRequests(t *testing.T) {
	now := time.Now()
	form := func(change func(url.Values)) url.Values {
		f := slackfake.CommandForm("U0ALICE", "", "https://hooks.slack.invalid/r")
		change(f)
		return f
	}
	interaction := func(payload string) *http.Request {
		body := url.Values{"payload": {payload}}.Encode()
		return slackfake.SignedRequest(testSecret, PathInteractivity, "application/x-www-form-urlencoded", []byte(body), now)
	}
	tests := []struct {
		name       string
		req        *http.Request
		wantStatus int
		wantText   string
	}{
		{"command without user", slackfake.SignedCommand(testSecret, form(func(f url.Values) { f.Del("user_id") }), now), 400, "malformed slash command"},
		{"command with a channel as user", slackfake.SignedCommand(testSecret, form(func(f url.Values) { f.Set("user_id", "C0123") }), now), 400, "malformed slash command"},
		{"command without trigger", slackfake.SignedCommand(testSecret, form(func(f url.Values) { f.Del("trigger_id") }), now), 400, "malformed slash command"},
		{"command with odd response url", slackfake.SignedCommand(testSecret, form(func(f url.Values) { f.Set("response_url", "file:///etc/passwd") }), now), 400, "malformed slash command"},
		{"command as JSON", slackfake.SignedRequest(testSecret, PathCommands, "application/json", []byte(`{"user_id":"U0A"}`), now), 400, "malformed slash command"},
		{"command with bad escape", slackfake.SignedRequest(testSecret, PathCommands, "application/x-www-form-urlencoded", []byte("user_id=%zz"), now), 400, "malformed slash command"},
		{"interaction without payload", interaction(""), 400, "malformed interaction payload"},
		{"interaction not JSON", interaction("{"), 400, "malformed interaction payload"},
		{"interaction without user", interaction(`{"type":"block_actions","response_url":"https://h.invalid/r","actions":[{"action_id":"a","block_id":"b","action_ts":"1"}]}`), 400, "malformed interaction payload"},
		{"event not JSON", slackfake.SignedRequest(testSecret, PathEvents, "application/json", []byte("nope"), now), 400, "malformed event"},
		{"event without type", slackfake.SignedEvent(testSecret, map[string]any{"event_id": "Ev1"}, now), 400, "malformed event"},
		{"challenge without challenge", slackfake.SignedEvent(testSecret, map[string]any{"type": "url_verification"}, now), 400, "malformed event"},
		{"body over the limit", slackfake.SignedRequest(testSecret, PathCommands, "application/x-www-form-urlencoded", bytes.Repeat([]byte("a"), maxBody+1), now), 413, "request too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &recordingHandler{reply: bot.Message{Summary: "x"}}
			app, _ := newTestApp(t, h)
			w := serve(app.Routes(), tt.req)
			if w.Code != tt.wantStatus || strings.TrimSpace(w.Body.String()) != tt.wantText {
				t.Errorf("answered %d %q, want %d %q", w.Code, w.Body, tt.wantStatus, tt.wantText)
			}
			if len(h.Commands())+len(h.Actions()) != 0 {
				t.Error("a malformed request reached the core")
			}
		})
	}
}

func TestOnlyPOST(t *testing.T) {
	app, _ := newTestApp(t, &recordingHandler{})
	r := slackfake.SignedCommand(testSecret, slackfake.CommandForm("U0A1", "", "https://h.invalid/r"), time.Now())
	r.Method = http.MethodGet
	if w := serve(app.Routes(), r); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET answered %d", w.Code)
	}
}

// failingOnce is a bot.Once whose store is down.
type failingOnce struct{}

func (failingOnce) First(context.Context, string, time.Duration) (bool, error) {
	return false, context.DeadlineExceeded
}

// TestDedupStoreDownAnswersUnavailable is the regression test for a slash
// command answered 503 (Slack shows "dispatch_failed") when Redis is down:
// the user now reads "temporarily unavailable, try again in a moment" at
// once, and the core does not run, since the delivery could be a retry.
func TestDedupStoreDownAnswersUnavailable(t *testing.T) {
	h := &recordingHandler{reply: bot.Message{Summary: "x"}}
	app, err := New(testConfig(""), h, failingOnce{}, WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	w := serve(app.Routes(), slackfake.SignedCommand(testSecret, slackfake.CommandForm("U0A1", "", "https://h.invalid/r"), time.Now()))
	if w.Code != http.StatusOK || len(h.Commands()) != 0 {
		t.Fatalf("answered %d with %d core calls; want 200 and no core call", w.Code, len(h.Commands()))
	}
	var body struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", w.Body.String(), err)
	}
	if body.ResponseType != "ephemeral" || !strings.Contains(body.Text, "temporarily unavailable") || !strings.Contains(body.Text, "try again in a moment") {
		t.Errorf("answer = %+v, want the ephemeral unavailable words", body)
	}
}
