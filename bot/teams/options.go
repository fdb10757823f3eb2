package teams

import (
	"io"
	"log/slog"
	"net/http"
	"time"
)

// Option tunes New. The defaults suit production; tests inject the fake's
// HTTP client and a clock.
type Option func(*options)

type options struct {
	client *http.Client
	log    *slog.Logger
	now    func() time.Time
	pace   time.Duration
}

// WithHTTPClient sets the client for every outbound call (metadata, keys,
// tokens, connector), e.g. one with a corporate proxy.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithLogger sets the logger; the default discards.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithClock sets the clock that token expiry is checked against, so tests
// can move time instead of sleeping.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

func newOptions(opts []Option) options {
	o := options{
		client: &http.Client{Timeout: 30 * time.Second},
		log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		now:    time.Now,
		pace:   defaultPace,
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// defaultPace keeps a bot under Teams' limit per conversation (60 messages
// in 30 seconds; the shared pacer adds its margin).
const defaultPace = 500 * time.Millisecond

// WithPace sets the minimum gap between two messages posted to one
// conversation (default 500 ms plus the pacer's margin). Zero disables
// pacing (tests of Teams' own rate limiting).
func WithPace(d time.Duration) Option { return func(o *options) { o.pace = max(d, 0) } }
