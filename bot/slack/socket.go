package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode serves Slack over Socket Mode until ctx ends: an outbound
// WebSocket opened with the app-level token, for companies that cannot
// expose an HTTP endpoint. The connection itself authenticates Slack, so
// there is no signature; every envelope goes through the same translation
// and deduplication as HTTP requests and is acknowledged at once.
func (a *App) RunSocketMode(ctx context.Context) error {
	if a.cfg.AppToken == "" {
		return errors.New("slack: socket mode needs app_token")
	}
	api := slackgo.New(a.cfg.BotToken,
		slackgo.OptionAppLevelToken(a.cfg.AppToken),
		slackgo.OptionAPIURL(a.cfg.apiURL()),
		slackgo.OptionHTTPClient(a.client))
	sm := socketmode.New(api)
	errc := make(chan error, 1)
	go func() { errc <- sm.RunContext(ctx) }()
	for {
		select {
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack socket mode: %w", err)
		case evt := <-sm.Events:
			a.socketEvent(ctx, sm, evt)
		}
	}
}

// acker is the part of the Socket Mode client that acknowledges envelopes;
// an interface so the translation path is testable without a WebSocket.
type acker interface {
	Ack(req socketmode.Request, payload ...any) error
}

// socketEvent translates one Socket Mode event. Envelopes are always
// acknowledged, also when refused, so Slack does not redeliver a request
// that will never succeed; the refusal is logged.
func (a *App) socketEvent(ctx context.Context, ack acker, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive, socketmode.EventTypeEventsAPI:
	case socketmode.EventTypeInvalidAuth, socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError,
		socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		a.log.WarnContext(ctx, "slack socket mode: connection trouble", "event", string(evt.Type))
		return
	default:
		a.log.DebugContext(ctx, "slack socket mode", "event", string(evt.Type))
		return
	}
	if evt.Request == nil {
		a.log.WarnContext(ctx, "slack socket mode: event without envelope", "event", string(evt.Type))
		return
	}
	req := *evt.Request
	var (
		payload []byte
		err     error
	)
	switch data := evt.Data.(type) {
	case slackgo.SlashCommand:
		// The ack carries the immediate answer, as the HTTP response does.
		payload, err = a.command(ctx, data)
	case slackgo.InteractionCallback:
		a.ackEnvelope(ctx, ack, req, nil)
		if err := a.interaction(ctx, data); err != nil {
			a.log.InfoContext(ctx, "slack socket mode: interaction refused", "cause", err)
		}
		return
	case slackevents.EventsAPIEvent:
		a.ackEnvelope(ctx, ack, req, nil)
		var id string
		if cb, ok := data.Data.(*slackevents.EventsAPICallbackEvent); ok {
			id = cb.EventID
		}
		if err := a.event(ctx, id, data.Type, req.RetryAttempt); err != nil {
			a.log.InfoContext(ctx, "slack socket mode: event refused", "cause", err)
		}
		return
	default:
		err = fmt.Errorf("%w: unexpected %T", errBadCommand, evt.Data)
	}
	if err != nil {
		a.log.InfoContext(ctx, "slack socket mode: request refused", "event", string(evt.Type), "cause", err)
	}
	a.ackEnvelope(ctx, ack, req, payload)
}

// ackEnvelope acknowledges one envelope, with the answer if there is one.
func (a *App) ackEnvelope(ctx context.Context, ack acker, req socketmode.Request, payload []byte) {
	var err error
	if payload != nil {
		err = ack.Ack(req, json.RawMessage(payload))
	} else {
		err = ack.Ack(req)
	}
	if err != nil {
		a.log.WarnContext(ctx, "slack socket mode: ack failed", "event", req.Type, "err", err)
	}
}
