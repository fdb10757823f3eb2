package discord

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/resetbot/resetbot/bot/platform"
)

// Option adjusts an App or a Messenger. The defaults are production
// values; options exist for wiring (logger, HTTP client) and for tests
// (clock, deferral deadline).
type Option = platform.Option[own]

// own are Discord's settings besides the shared ones.
type own struct {
	deferAfter time.Duration
	pace       time.Duration
}

// defaultPace is Discord's per-channel posting limit (5 messages per 5
// seconds); the shared pacer adds its margin.
const defaultPace = time.Second

type options = platform.Options[own]

// defaultDeferAfter leaves a second of Discord's three for the network.
const defaultDeferAfter = 2 * time.Second

func newOptions(opts []Option) options {
	return platform.Apply(options{
		Log:    slog.Default(),
		Client: &http.Client{Timeout: 10 * time.Second},
		Now:    time.Now,
		Own:    own{deferAfter: defaultDeferAfter, pace: defaultPace},
	}, opts)
}

// WithLogger sets the structured logger. Nothing this package logs carries
// the bot token, an interaction token or message content.
func WithLogger(l *slog.Logger) Option { return platform.WithLogger[own](l) }

// WithCallMeter counts every call to Discord's API on m, by outcome.
func WithCallMeter(m platform.CallMeter) Option { return platform.WithCallMeter[own](Platform, m) }

// WithHTTPClient sets the client REST calls go through (a proxy, custom
// CAs, a test server's client). Its Transport is wrapped so requests go to
// Config.APIURL and nowhere else.
func WithHTTPClient(c *http.Client) Option { return platform.WithHTTPClient[own](c) }

// WithClock sets the clock signature timestamps are checked against.
func WithClock(now func() time.Time) Option { return platform.WithNow[own](now) }

// WithDeferAfter sets how long a command's first reply may take before the
// response becomes a deferred one (type 5). It must stay well under
// Discord's 3-second deadline; tests shorten it.
func WithDeferAfter(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.Own.deferAfter = d
		}
	}
}

// WithPace sets the minimum gap between two messages posted to one channel
// (default one second, Discord's per-channel limit, plus the pacer's
// margin). Zero disables pacing (tests of Discord's own rate limiting).
func WithPace(d time.Duration) Option {
	return func(o *options) { o.Own.pace = max(d, 0) }
}
