package teams

import (
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/resetbot/resetbot/bot/platform"
)

// Option tunes New. The defaults suit production; tests inject the fake's
// HTTP client and a clock.
type Option = platform.Option[own]

// own are Teams' settings besides the shared ones.
type own struct {
	pace time.Duration
}

type options = platform.Options[own]

// WithCallMeter counts every call to Teams's API on m, by outcome.
func WithCallMeter(m platform.CallMeter) Option { return platform.WithCallMeter[own](Platform, m) }

// WithHTTPClient sets the client for every outbound call (metadata, keys,
// tokens, connector), e.g. one with a corporate proxy.
func WithHTTPClient(c *http.Client) Option { return platform.WithHTTPClient[own](c) }

// WithLogger sets the logger; the default discards.
func WithLogger(l *slog.Logger) Option { return platform.WithLogger[own](l) }

// WithClock sets the clock that token expiry is checked against, so tests
// can move time instead of sleeping.
func WithClock(now func() time.Time) Option { return platform.WithNow[own](now) }

func newOptions(opts []Option) options {
	return platform.Apply(options{
		Client: &http.Client{Timeout: 30 * time.Second},
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:    time.Now,
		Own:    own{pace: defaultPace},
	}, opts)
}

// defaultPace keeps a bot under Teams' limit per conversation (60 messages
// in 30 seconds; the shared pacer adds its margin).
const defaultPace = 500 * time.Millisecond

// WithPace sets the minimum gap between two messages posted to one
// conversation (default 500 ms plus the pacer's margin). Zero disables
// pacing (tests of Teams' own rate limiting).
func WithPace(d time.Duration) Option { return func(o *options) { o.Own.pace = max(d, 0) } }
