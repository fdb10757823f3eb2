package platform

import (
	"net/http"
)

// CallMeter counts a platform's chat API calls by outcome, for the
// dashboard: a platform refusing the bot's calls or rate-limiting it shows
// there before the helpdesk notices missing thread lines. The service
// implements it with a Prometheus counter; bot/platform does not depend
// on a metrics library.
type CallMeter interface {
	ChatCall(platform, outcome string)
}

// The outcomes a CallMeter is told.
const (
	// CallOK is a call the API answered with a success or client-side
	// answer that is not a refusal of the bot (2xx, 3xx).
	CallOK = "ok"
	// CallRateLimited is a 429: the platform asked the bot to slow down.
	CallRateLimited = "rate_limited"
	// CallError is a call that failed: no answer (a timeout, a refused
	// connection) or a 4xx/5xx other than 429.
	CallError = "error"
)

// WithCallMeter counts every outbound call of the platform named name
// (its Client's transport) on m. Platform packages expose it as their own
// WithCallMeter, so the counting is written once, here.
func WithCallMeter[T any](name string, m CallMeter) Option[T] {
	return func(o *Options[T]) {
		if m != nil {
			o.meter, o.meterName = m, name
		}
	}
}

// metered returns a copy of c whose transport tells m each call's outcome.
func metered(c *http.Client, name string, m CallMeter) *http.Client {
	cp := *c
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cp.Transport = meteredTransport{base: base, name: name, m: m}
	return &cp
}

// meteredTransport is the RoundTripper of metered.
type meteredTransport struct {
	base http.RoundTripper
	name string
	m    CallMeter
}

// RoundTrip implements http.RoundTripper.
func (t meteredTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	t.m.ChatCall(t.name, callOutcome(resp, err))
	return resp, err
}

// callOutcome classifies one call.
func callOutcome(resp *http.Response, err error) string {
	switch {
	case err != nil:
		return CallError
	case resp.StatusCode == http.StatusTooManyRequests:
		return CallRateLimited
	case resp.StatusCode >= 400:
		return CallError
	}
	return CallOK
}
