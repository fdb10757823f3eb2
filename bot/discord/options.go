package discord

import (
	"log/slog"
	"net/http"
	"time"
)

// Option adjusts an App or a Messenger. The defaults are production
// values; options exist for wiring (logger, HTTP client) and for tests
// (clock, deferral deadline).
type Option func(*options)

type options struct {
	log        *slog.Logger
	client     *http.Client
	now        func() time.Time
	deferAfter time.Duration
	pace       time.Duration
}

// defaultPace is Discord's per-channel posting limit (5 messages per 5
// seconds); the shared pacer adds its margin.
const defaultPace = time.Second

// defaultDeferAfter leaves a second of Discord's three for the network.
const defaultDeferAfter = 2 * time.Second

func newOptions(opts []Option) options {
	o := options{
		log:        slog.Default(),
		client:     &http.Client{Timeout: 10 * time.Second},
		now:        time.Now,
		deferAfter: defaultDeferAfter,
		pace:       defaultPace,
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithLogger sets the structured logger. Nothing this package logs carries
// the bot token, an interaction token or message content.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.log = l
		}
	}
}

// WithHTTPClient sets the client REST calls go through (a proxy, custom
// CAs, a test server's client). Its Transport is wrapped so requests go to
// Config.APIURL and nowhere else.
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) {
		if c != nil {
			o.client = c
		}
	}
}

// WithClock sets the clock signature timestamps are checked against.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithDeferAfter sets how long a command's first reply may take before the
// response becomes a deferred one (type 5). It must stay well under
// Discord's 3-second deadline; tests shorten it.
func WithDeferAfter(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.deferAfter = d
		}
	}
}

// WithPace sets the minimum gap between two messages posted to one channel
// (default one second, Discord's per-channel limit, plus the pacer's
// margin). Zero disables pacing (tests of Discord's own rate limiting).
func WithPace(d time.Duration) Option {
	return func(o *options) { o.pace = max(d, 0) }
}
