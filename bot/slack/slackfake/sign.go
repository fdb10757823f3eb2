package slackfake

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The request paths the signed helpers target, matching the Slack app
// manifest. Point a request elsewhere by changing its URL.
const (
	CommandsPath      = "/slack/commands"
	InteractivityPath = "/slack/interactivity"
	EventsPath        = "/slack/events"
)

// Sign computes Slack's v0 signature headers for body sent at ts:
// X-Slack-Request-Timestamp and X-Slack-Signature =
// "v0=" + hex(HMAC-SHA256(secret, "v0:{ts}:{body}")).
func Sign(secret string, ts time.Time, body []byte) (timestamp, signature string) {
	timestamp = strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + timestamp + ":"))
	mac.Write(body)
	return timestamp, "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// SignedRequest builds a POST to path with body, signed as Slack signs it.
// The URL is "http://slack.invalid"+path: serve it with a handler's
// ServeHTTP, or set URL and Host to send it to a live server.
func SignedRequest(secret, path, contentType string, body []byte, ts time.Time) *http.Request {
	r, err := http.NewRequest(http.MethodPost, "http://slack.invalid"+path, bytes.NewReader(body))
	if err != nil {
		panic(err) // path is a constant in every caller
	}
	timestamp, sig := Sign(secret, ts, body)
	r.Header.Set("Content-Type", contentType)
	r.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	r.Header.Set("X-Slack-Request-Timestamp", timestamp)
	r.Header.Set("X-Slack-Signature", sig)
	return r
}

// SignedCommand is a slash command delivery: the form (see CommandForm)
// url-encoded and signed.
func SignedCommand(secret string, form url.Values, ts time.Time) *http.Request {
	return SignedRequest(secret, CommandsPath, "application/x-www-form-urlencoded", []byte(form.Encode()), ts)
}

// SignedInteraction is an interactivity delivery: payload (see
// BlockActions) as JSON in the "payload" form field, signed.
func SignedInteraction(secret string, payload any, ts time.Time) *http.Request {
	b, err := json.Marshal(payload)
	if err != nil {
		panic(err)
	}
	form := url.Values{"payload": {string(b)}}
	return SignedRequest(secret, InteractivityPath, "application/x-www-form-urlencoded", []byte(form.Encode()), ts)
}

// SignedEvent is an Events API delivery: event as a JSON body, signed.
func SignedEvent(secret string, event any, ts time.Time) *http.Request {
	b, err := json.Marshal(event)
	if err != nil {
		panic(err)
	}
	return SignedRequest(secret, EventsPath, "application/json", b, ts)
}
