package platform

import (
	"log/slog"
	"net/http"
	"time"
)

// Options are the settings every platform package takes (a logger, the
// HTTP client of every outbound call, a clock) plus the platform's own, T.
// Each package names its instantiation (type Option =
// platform.Option[own]) and keeps its own defaults, so the plumbing of
// functional options is written once and the three packages' WithLogger,
// WithHTTPClient and WithClock (WithNow here) behave alike.
type Options[T any] struct {
	// Log receives the package's log lines; never nil after Apply.
	Log *slog.Logger
	// Client makes every outbound call.
	Client *http.Client
	// Now is the clock that expiries and signature times are checked
	// against, so tests move time instead of sleeping.
	Now func() time.Time
	// Own are the platform's own settings.
	Own T

	// meter, when set by WithCallMeter, counts every call of Client.
	meter     CallMeter
	meterName string
}

// Option adjusts Options.
type Option[T any] func(*Options[T])

// Apply returns defaults adjusted by opts, in order.
func Apply[T any](defaults Options[T], opts []Option[T]) Options[T] {
	o := defaults
	for _, opt := range opts {
		opt(&o)
	}
	if o.meter != nil && o.Client != nil {
		o.Client = metered(o.Client, o.meterName, o.meter)
	}
	return o
}

// WithLogger sets the logger; nil keeps the default.
func WithLogger[T any](l *slog.Logger) Option[T] {
	return func(o *Options[T]) {
		if l != nil {
			o.Log = l
		}
	}
}

// WithHTTPClient sets the client of every outbound call (a proxy, custom
// CAs, a test fake's client); nil keeps the default.
func WithHTTPClient[T any](c *http.Client) Option[T] {
	return func(o *Options[T]) {
		if c != nil {
			o.Client = c
		}
	}
}

// WithNow sets the clock; nil keeps the default.
func WithNow[T any](now func() time.Time) Option[T] {
	return func(o *Options[T]) {
		if now != nil {
			o.Now = now
		}
	}
}
