package slack

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/slack-go/slack/socketmode"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/bottest"
	"github.com/resetbot/resetbot/bot/slack/slackfake"
)

// TestForeignWorkspaceRefused: a command or click signed with our secret
// but naming another workspace, organisation or app is refused (403) with
// no reply, and the core never hears of it.
func TestForeignWorkspaceRefused(t *testing.T) {
	now := time.Now()
	command := func(change func(url.Values)) func(*slackfake.Server) *http.Request {
		return func(fake *slackfake.Server) *http.Request {
			f := slackfake.CommandForm("U0ALICE", "", fake.ResponseURL("c1"))
			change(f)
			return slackfake.SignedCommand(testSecret, f, now)
		}
	}
	click := func(change func(map[string]any)) func(*slackfake.Server) *http.Request {
		return func(fake *slackfake.Server) *http.Request {
			p := slackfake.BlockActions("U0ALICE", testChannel, bot.ActionApprove, "flow-1", fake.ResponseURL("i1"))
			change(p)
			return slackfake.SignedInteraction(testSecret, p, now)
		}
	}
	tests := []struct {
		name   string
		config func(*Config)
		req    func(*slackfake.Server) *http.Request
		want   int
	}{
		{"command of our workspace", nil, command(func(url.Values) {}), http.StatusOK},
		{"click of our workspace", nil, click(func(map[string]any) {}), http.StatusOK},
		{"command of another workspace", nil, command(func(f url.Values) { f.Set("team_id", "T0OTHER") }), http.StatusForbidden},
		{"command without workspace", nil, command(func(f url.Values) { f.Del("team_id") }), http.StatusForbidden},
		{"command of another app", nil, command(func(f url.Values) { f.Set("api_app_id", "A0OTHER") }), http.StatusForbidden},
		{"click of another workspace", nil, click(func(p map[string]any) { p["team"] = map[string]any{"id": "T0OTHER", "domain": "other"} }), http.StatusForbidden},
		{"click of another app", nil, click(func(p map[string]any) { p["api_app_id"] = "A0OTHER" }), http.StatusForbidden},
		{"any app when app_id is not set", func(c *Config) { c.AppID = "" }, command(func(f url.Values) { f.Set("api_app_id", "A0OTHER") }), http.StatusOK},
		{"organisation install: a workspace of ours", func(c *Config) { c.TeamID = "E0ORG" }, command(func(f url.Values) {
			f.Set("team_id", "T0SECOND")
			f.Set("enterprise_id", "E0ORG")
		}), http.StatusOK},
		{"organisation install: another organisation", func(c *Config) { c.TeamID = "E0ORG" }, command(func(f url.Values) {
			f.Set("enterprise_id", "E0OTHER")
		}), http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := slackfake.New(testToken)
			t.Cleanup(fake.Close)
			cfg := testConfig(fake.APIURL())
			if tt.config != nil {
				tt.config(&cfg)
			}
			h := &recordingHandler{reply: bot.Message{Summary: "first"}}
			app, err := New(cfg, h, &bottest.MemOnce{}, WithLogger(quiet), WithHTTPClient(fake.Client()))
			if err != nil {
				t.Fatal(err)
			}
			w := serve(app.Routes(), tt.req(fake))
			app.Wait()
			if w.Code != tt.want {
				t.Fatalf("answered %d %q, want %d", w.Code, w.Body, tt.want)
			}
			heard := len(h.Commands()) + len(h.Actions())
			if tt.want == http.StatusOK {
				if heard != 1 {
					t.Fatalf("core heard %d times of a request of ours, want 1", heard)
				}
				return
			}
			if heard != 0 {
				t.Fatal("a foreign request reached the core")
			}
			if w.Body.String() != "workspace or app not served\n" {
				t.Fatalf("answer %q, want only the refusal", w.Body)
			}
			if r := fake.Responses(); len(r) != 0 {
				t.Fatalf("replies to a foreign request: %+v", r)
			}
		})
	}
}

// TestSocketModeForeignWorkspaceRefused: over Socket Mode the envelope of
// a foreign command is acknowledged without an answer, and the core never
// hears of it.
func TestSocketModeForeignWorkspaceRefused(t *testing.T) {
	h := &recordingHandler{reply: bot.Message{Summary: "first"}}
	app, fake := newTestApp(t, h)
	acker := &recordingAcker{}
	payload := commandPayload("U0ALICE", "", fake.ResponseURL("s1"))
	payload["team_id"] = "T0OTHER"
	app.socketEvent(context.Background(), acker, socketEventFor(t, socketmode.EventTypeSlashCommand, "env-1", payload))
	click := slackfake.BlockActions("U0ALICE", testChannel, bot.ActionApprove, "flow-1", fake.ResponseURL("s2"))
	click["team"] = map[string]any{"id": "T0OTHER"}
	app.socketEvent(context.Background(), acker, socketEventFor(t, socketmode.EventTypeInteractive, "env-2", click))
	app.Wait()
	if len(acker.acks) != 2 || len(acker.acks[0].payload) != 0 || len(acker.acks[1].payload) != 0 {
		t.Fatalf("acks %+v, want two empty acks", acker.acks)
	}
	if len(h.Commands())+len(h.Actions()) != 0 {
		t.Fatal("a foreign request reached the core")
	}
}
