package slack

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/resetbot/resetbot/bot/platform"
)

// Option adjusts an App or a Messenger. The defaults are production
// values; options exist for wiring (logger, HTTP client) and for tests
// (pace).
type Option = platform.Option[own]

// own are Slack's settings besides the shared ones.
type own struct {
	pace time.Duration
}

type options = platform.Options[own]

func newOptions(opts []Option) options {
	return platform.Apply(options{
		Log:    slog.Default(),
		Client: &http.Client{Timeout: 10 * time.Second},
		Now:    time.Now,
		Own:    own{pace: time.Second},
	}, opts)
}

// WithLogger sets the structured logger. Nothing this package logs carries
// a token, a secret, a response URL or message content.
func WithLogger(l *slog.Logger) Option { return platform.WithLogger[own](l) }

// WithCallMeter counts every call to Slack's API on m, by outcome.
func WithCallMeter(m platform.CallMeter) Option { return platform.WithCallMeter[own](Platform, m) }

// WithHTTPClient sets the client for the Web API and response URLs (a
// proxy, custom CAs, or a test server's client).
func WithHTTPClient(c *http.Client) Option { return platform.WithHTTPClient[own](c) }

// WithPace sets the gap between two messages posted to one channel, to
// which the shared pacer adds its margin. Slack allows about one per second
// per channel and answers bursts with 429; waiting our turn is cheaper than
// being told to. Zero disables pacing (tests of Slack's own rate limiting).
func WithPace(d time.Duration) Option {
	return func(o *options) { o.Own.pace = max(d, 0) }
}
