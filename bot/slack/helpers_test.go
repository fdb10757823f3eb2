package slack

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/bot/slack/slackfake"
)

const (
	testSecret  = "8f742231b10e8888abcd99yyyzzz85a5"
	testToken   = "xoxb-test-token"
	testChannel = "C0HELPDESK"
)

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
		TeamID:          slackfake.TeamID,
		AppID:           slackfake.AppID,
	}
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newTestApp builds an App on a fresh fake Slack.
func newTestApp(t *testing.T, h bot.Handler) (*App, *slackfake.Server) {
	t.Helper()
	fake := slackfake.New(testToken)
	t.Cleanup(fake.Close)
	app, err := New(testConfig(fake.APIURL()), h, &bottest.MemOnce{}, WithLogger(quiet), WithHTTPClient(fake.Client()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Wait)
	return app, fake
}
