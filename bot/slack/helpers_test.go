package slack

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/slack/slackfake"
)

const (
	testSecret  = "8f742231b10e8888abcd99yyyzzz85a5"
	testToken   = "xoxb-test-token"
	testChannel = "C0HELPDESK"
)

// memOnce is an in-memory bot.Once, as a shared store would behave on one
// replica.
type memOnce struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (o *memOnce) First(_ context.Context, key string, _ time.Duration) (bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.seen == nil {
		o.seen = map[string]bool{}
	}
	if o.seen[key] {
		return false, nil
	}
	o.seen[key] = true
	return true, nil
}

// recordingHandler is a fake core: it records what it was given, answers
// with a fixed first reply and, if set, starts background work the way
// the real core does.
type recordingHandler struct {
	reply      bot.Message
	background func(Responder bot.Responder)

	mu       sync.Mutex
	commands []bot.Request
	actions  []bot.Action
}

func (h *recordingHandler) HandleCommand(_ context.Context, r bot.Request) bot.Message {
	h.mu.Lock()
	h.commands = append(h.commands, r)
	h.mu.Unlock()
	if h.background != nil {
		go h.background(r.Respond)
	}
	return h.reply
}

func (h *recordingHandler) HandleAction(_ context.Context, a bot.Action) bot.Message {
	h.mu.Lock()
	h.actions = append(h.actions, a)
	h.mu.Unlock()
	if h.background != nil {
		go h.background(a.Respond)
	}
	return h.reply
}

func (h *recordingHandler) Commands() []bot.Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]bot.Request(nil), h.commands...)
}

func (h *recordingHandler) Actions() []bot.Action {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]bot.Action(nil), h.actions...)
}

func testConfig(apiURL string) Config {
	return Config{
		Mode:            ModeHTTP,
		SigningSecret:   testSecret,
		BotToken:        testToken,
		APIURL:          apiURL,
		HelpdeskChannel: testChannel,
	}
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newTestApp builds an App on a fresh fake Slack.
func newTestApp(t *testing.T, h bot.Handler) (*App, *slackfake.Server) {
	t.Helper()
	fake := slackfake.New(testToken)
	t.Cleanup(fake.Close)
	app, err := New(testConfig(fake.APIURL()), h, &memOnce{}, WithLogger(quiet), WithHTTPClient(fake.Client()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Wait)
	return app, fake
}
