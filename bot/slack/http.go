package slack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/resetbot/resetbot/bot/platform"
)

// The request URLs to enter in the Slack app (see deploy/slack), under
// one prefix.
const (
	pathPrefix        = "/slack/"
	PathCommands      = "/slack/commands"
	PathInteractivity = "/slack/interactivity"
	PathEvents        = "/slack/events"
)

// Routes serves Slack's three request URLs. Mount it on the public
// listener at Path; every request is verified with the signing secret
// first. In socket mode Slack sends nothing over HTTP, and Routes is nil.
func (a *App) Routes() http.Handler {
	if a.cfg.mode() == ModeSocket {
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathCommands, a.verified(a.serveCommand))
	mux.HandleFunc("POST "+PathInteractivity, a.verified(a.serveInteraction))
	mux.HandleFunc("POST "+PathEvents, a.verified(a.serveEvent))
	return mux
}

// endpoint is one request URL after verification: it gets the verified
// body and returns the answer or an error carrying a catalogued problem.
type endpoint func(r *http.Request, body []byte) (answer, error)

// answer is a 200 response: a content type and a body (possibly empty).
type answer struct {
	contentType string
	body        []byte
}

// verified wraps an endpoint with signature verification and the single
// place where errors become status codes and log lines.
func (a *App) verified(next endpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := a.verifiedBody(w, r)
		var ans answer
		if err == nil {
			ans, err = next(r, body)
		}
		if err != nil {
			platform.Refuse(w, r, a.log, "slack: request refused", err)
			return
		}
		if ans.contentType != "" {
			w.Header().Set("Content-Type", ans.contentType)
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(ans.body)
	}
}

// formBody decodes a verified application/x-www-form-urlencoded body.
func formBody(r *http.Request, body []byte) (*http.Request, error) {
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.ContentLength = int64(len(body))
	r2.Form, r2.PostForm = nil, nil
	if err := r2.ParseForm(); err != nil {
		return nil, err
	}
	return r2, nil
}

// serveCommand answers a slash command with the core's first reply as the
// ephemeral response body.
func (a *App) serveCommand(r *http.Request, body []byte) (answer, error) {
	r2, err := formBody(r, body)
	if err != nil {
		return answer{}, fmt.Errorf("%w: %w", errBadCommand, err)
	}
	cmd, err := slackgo.SlashCommandParse(r2)
	if err != nil {
		return answer{}, fmt.Errorf("%w: %w", errBadCommand, err)
	}
	out, err := a.command(r.Context(), cmd)
	if err != nil || out == nil {
		return answer{}, err
	}
	return answer{contentType: "application/json", body: out}, nil
}

// serveInteraction acks a button click with an empty 200.
func (a *App) serveInteraction(r *http.Request, body []byte) (answer, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return answer{}, fmt.Errorf("%w: %w", errBadInteraction, err)
	}
	cb, err := parseInteraction(form.Get("payload"))
	if err != nil {
		return answer{}, err
	}
	return answer{}, a.interaction(r.Context(), cb)
}

// outerEvent is the part of an Events API envelope this package reads.
type outerEvent struct {
	Type      string `json:"type"`
	Challenge string `json:"challenge"`
	EventID   string `json:"event_id"`
}

// serveEvent answers url_verification and acks everything else.
func (a *App) serveEvent(r *http.Request, body []byte) (answer, error) {
	var ev outerEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return answer{}, fmt.Errorf("%w: %w", errBadEvent, err)
	}
	switch ev.Type {
	case slackevents.URLVerification:
		if ev.Challenge == "" {
			return answer{}, fmt.Errorf("%w: url_verification without challenge", errBadEvent)
		}
		return answer{contentType: "text/plain; charset=utf-8", body: []byte(ev.Challenge)}, nil
	case "":
		return answer{}, fmt.Errorf("%w: no type", errBadEvent)
	}
	retry, _ := strconv.Atoi(r.Header.Get("X-Slack-Retry-Num"))
	return answer{}, a.event(r.Context(), ev.EventID, ev.Type, retry)
}
