package teams_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/bot/teams"
	"github.com/resetbot/resetbot/bot/teams/teamsfake"
)

// recorder is a bot.Handler that records what it was given and answers
// with a fixed first reply. background, when set, runs after the reply
// the way the core continues its work.
type recorder struct {
	mu         sync.Mutex
	requests   []bot.Request
	actions    []bot.Action
	reply      bot.Message
	background func(r bot.Request)
}

func (h *recorder) HandleCommand(_ context.Context, r bot.Request) bot.Message {
	h.mu.Lock()
	h.requests = append(h.requests, r)
	bg := h.background
	h.mu.Unlock()
	if bg != nil {
		go bg(r)
	}
	return h.reply
}

func (h *recorder) HandleAction(_ context.Context, a bot.Action) bot.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.actions = append(h.actions, a)
	return h.reply
}

func (h *recorder) calls() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.requests) + len(h.actions)
}

// rig is an App on a fake with a recording handler.
type rig struct {
	fake *teamsfake.Server
	app  *teams.App
	h    *recorder
	url  string
}

func newRig(t *testing.T, opts ...teams.Option) *rig {
	t.Helper()
	fake := newFake(t)
	h := &recorder{reply: bot.Message{Summary: "first", Body: []string{"first"}}}
	app, err := teams.New(testConfig(fake), h, &bottest.MemOnce{}, append([]teams.Option{teams.WithHTTPClient(fake.Client()), teams.WithPace(0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Routes())
	t.Cleanup(func() { srv.Close(); app.Close() })
	for _, account := range []string{"alice", "jdoe"} {
		fake.AddUser(member(account))
	}
	return &rig{fake: fake, app: app, h: h, url: srv.URL + teams.PathMessages}
}

// send posts a request and returns the status and body.
func send(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// postSigned posts an activity with the token the Bot Framework would send.
func (r *rig) postSigned(t *testing.T, a teamsfake.Activity) (int, string) {
	t.Helper()
	req, err := r.fake.NewRequest(r.url, a)
	if err != nil {
		t.Fatal(err)
	}
	return send(t, req)
}

// postToken posts an activity with a given token.
func (r *rig) postToken(t *testing.T, a teamsfake.Activity, token string) (int, string) {
	t.Helper()
	req, err := r.fake.NewRequestWithToken(r.url, a, token)
	if err != nil {
		t.Fatal(err)
	}
	return send(t, req)
}

func nopBody(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

// messenger is the rig's Messenger with its Teams-only capabilities.
func (r *rig) messenger() *teams.Messenger { return r.app.Messenger().(*teams.Messenger) }
