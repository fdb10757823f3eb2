package slack

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/slack/slackfake"
)

// recordingAcker stands in for the Socket Mode connection. A live Socket
// Mode test needs Slack's WebSocket endpoint, which no test can reach;
// these tests cover everything after the envelope is decoded.
type recordingAcker struct {
	mu   sync.Mutex
	acks []ack
}

type ack struct {
	envelope string
	payload  []any
}

func (a *recordingAcker) Ack(req socketmode.Request, payload ...any) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.acks = append(a.acks, ack{envelope: req.EnvelopeID, payload: payload})
	return nil
}

// socketEventFor turns a Socket Mode envelope payload into the event the
// socketmode client would emit, using the same decoding it uses.
func socketEventFor(t *testing.T, typ socketmode.EventType, envelope string, payload any) socketmode.Event {
	t.Helper()
	raw, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	req := &socketmode.Request{Type: string(typ), EnvelopeID: envelope, Payload: raw}
	var data any
	switch typ {
	case socketmode.EventTypeSlashCommand:
		var cmd slackgo.SlashCommand
		err = json.Unmarshal(raw, &cmd)
		data = cmd
	case socketmode.EventTypeInteractive:
		var cb slackgo.InteractionCallback
		err = json.Unmarshal(raw, &cb)
		data = cb
	case socketmode.EventTypeEventsAPI:
		data, err = slackevents.ParseEvent(raw, slackevents.OptionNoVerifyToken())
	}
	if err != nil {
		t.Fatal(err)
	}
	return socketmode.Event{Type: typ, Data: data, Request: req}
}

// commandPayload is a slash command as Socket Mode delivers it: the same
// fields as the HTTP form, as a JSON object.
func commandPayload(user, text, responseURL string) map[string]string {
	out := map[string]string{}
	for k, v := range slackfake.CommandForm(user, text, responseURL) {
		out[k] = v[0]
	}
	return out
}

func TestSocketModeSlashCommand(t *testing.T) {
	reply := bot.Message{Summary: "Check your DMs"}
	h := &recordingHandler{reply: reply}
	app, fake := newTestApp(t, h)
	acker := &recordingAcker{}
	payload := commandPayload("U0ALICE", "for <@U0BOB|bob>", fake.ResponseURL("s1"))

	app.socketEvent(context.Background(), acker, socketEventFor(t, socketmode.EventTypeSlashCommand, "env-1", payload))
	// Slack redelivers an envelope that was not acknowledged in time.
	app.socketEvent(context.Background(), acker, socketEventFor(t, socketmode.EventTypeSlashCommand, "env-1", payload))

	cmds := h.Commands()
	if len(cmds) != 1 {
		t.Fatalf("core got %d commands, want 1", len(cmds))
	}
	if bot.ShowMentions(cmds[0].Text) != "for <@slack:U0BOB>" || cmds[0].From.ID.UserID != "U0ALICE" || len(cmds[0].Mentions) != 1 {
		t.Errorf("request = %+v", cmds[0])
	}
	want, _ := ephemeralJSON(reply)
	if len(acker.acks) != 2 {
		t.Fatalf("%d acks, want one per delivery", len(acker.acks))
	}
	for i, a := range acker.acks {
		if a.envelope != "env-1" || len(a.payload) != 1 {
			t.Fatalf("ack %d = %+v", i, a)
		}
		got, _ := json.Marshal(a.payload[0])
		if string(got) != string(want) {
			t.Errorf("ack %d payload %s, want the rendered reply %s", i, got, want)
		}
	}
}

func TestSocketModeInteraction(t *testing.T) {
	h := &recordingHandler{reply: bot.Message{Summary: "Denied"}}
	app, fake := newTestApp(t, h)
	acker := &recordingAcker{}
	payload := slackfake.BlockActions("U0BOB", testChannel, bot.ActionDeny, "flow-9", fake.ResponseURL("s2"))

	app.socketEvent(context.Background(), acker, socketEventFor(t, socketmode.EventTypeInteractive, "env-2", payload))
	app.Wait()

	if len(acker.acks) != 1 || acker.acks[0].envelope != "env-2" || len(acker.acks[0].payload) != 0 {
		t.Errorf("acks = %+v, want one empty ack", acker.acks)
	}
	acts := h.Actions()
	if len(acts) != 1 || acts[0].ActionID != bot.ActionDeny || acts[0].Value != "flow-9" || acts[0].From.ID.UserID != "U0BOB" {
		t.Errorf("actions = %+v", acts)
	}
	if resp := fake.Responses(); len(resp) != 1 || resp[0].Text != "Denied" {
		t.Errorf("responses = %+v", resp)
	}
}

func TestSocketModeEventsAndRefusals(t *testing.T) {
	tests := []struct {
		name string
		evt  func(t *testing.T) socketmode.Event
	}{
		{"events api", func(t *testing.T) socketmode.Event {
			return socketEventFor(t, socketmode.EventTypeEventsAPI, "env-3", map[string]any{
				"type": "event_callback", "event_id": "Ev1", "event": map[string]any{"type": "app_home_opened", "user": "U0A1"}})
		}},
		{"malformed command", func(t *testing.T) socketmode.Event {
			return socketEventFor(t, socketmode.EventTypeSlashCommand, "env-3", map[string]string{"text": "no user"})
		}},
		{"malformed interaction", func(t *testing.T) socketmode.Event {
			return socketEventFor(t, socketmode.EventTypeInteractive, "env-3", map[string]any{"type": "block_actions"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &recordingHandler{reply: bot.Message{Summary: "x"}}
			app, _ := newTestApp(t, h)
			acker := &recordingAcker{}
			app.socketEvent(context.Background(), acker, tt.evt(t))
			if len(acker.acks) != 1 || acker.acks[0].envelope != "env-3" || len(acker.acks[0].payload) != 0 {
				t.Errorf("acks = %+v, want one empty ack (no redelivery of what cannot succeed)", acker.acks)
			}
			if len(h.Commands())+len(h.Actions()) != 0 {
				t.Error("reached the core")
			}
		})
	}
}

func TestSocketModeConnectionEventsAreNotAcked(t *testing.T) {
	app, _ := newTestApp(t, &recordingHandler{})
	acker := &recordingAcker{}
	for _, typ := range []socketmode.EventType{socketmode.EventTypeConnecting, socketmode.EventTypeHello, socketmode.EventTypeConnectionError} {
		app.socketEvent(context.Background(), acker, socketmode.Event{Type: typ})
	}
	if len(acker.acks) != 0 {
		t.Errorf("acked connection events: %+v", acker.acks)
	}
}
