package slack

import (
	"log/slog"
	"net/http"
	"time"
)

// Option adjusts an App or a Messenger. The defaults are production
// values; options exist for wiring (logger, HTTP client) and for tests
// (pace).
type Option func(*options)

type options struct {
	log    *slog.Logger
	client *http.Client
	pace   time.Duration
}

func newOptions(opts []Option) options {
	o := options{
		log:    slog.Default(),
		client: &http.Client{Timeout: 10 * time.Second},
		pace:   time.Second,
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithLogger sets the structured logger. Nothing this package logs carries
// a token, a secret, a response URL or message content.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.log = l
		}
	}
}

// WithHTTPClient sets the client for the Web API and response URLs (a
// proxy, custom CAs, or a test server's client).
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) {
		if c != nil {
			o.client = c
		}
	}
}

// WithPace sets the gap between two messages posted to one channel, to
// which the shared pacer adds its margin. Slack allows about one per second
// per channel and answers bursts with 429; waiting our turn is cheaper than
// being told to. Zero disables pacing (tests of Slack's own rate limiting).
func WithPace(d time.Duration) Option {
	return func(o *options) { o.pace = max(d, 0) }
}
