package discord

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// newSession builds the discordgo REST session for cfg. discordgo computes
// its endpoints once, from package variables; instead of changing those
// (which would move every session in the process), the session's HTTP
// client rewrites discordgo's API base to cfg's and refuses anything else,
// so the bot token never travels to another host.
//
// Rate limits: discordgo's bucket limiter still waits for a bucket it
// knows is empty; a 429 is not retried in discordgo (the wait would not
// honour the caller's context) but returned, and apiError turns it into
// *bot.RetryAfterError.
func newSession(cfg Config, o options) (*discordgo.Session, error) {
	s, err := discordgo.New("Bot " + cfg.BotToken)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	from, err := url.Parse(discordgo.EndpointAPI)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	to, err := url.Parse(cfg.apiURL())
	if err != nil {
		return nil, fmt.Errorf("discord session: api_url: %w", err)
	}
	next := o.Client.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	client := *o.Client
	client.Transport = apiOnly{from: from, to: to, next: next}
	s.Client = &client
	s.ShouldRetryOnRateLimit = false
	return s, nil
}

// apiOnly is a RoundTripper that sends discordgo's requests for the
// public API base (from) to the configured one (to).
type apiOnly struct {
	from, to *url.URL
	next     http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t apiOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme != t.from.Scheme || r.URL.Host != t.from.Host || !strings.HasPrefix(r.URL.Path, t.from.Path) {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("discord: refusing a request outside the API (%s)", r.URL.Host)
	}
	r2 := r.Clone(r.Context())
	u := *r.URL
	u.Scheme, u.Host = t.to.Scheme, t.to.Host
	u.Path = t.to.Path + strings.TrimPrefix(r.URL.Path, t.from.Path)
	u.RawPath = ""
	r2.URL, r2.Host = &u, ""
	return t.next.RoundTrip(r2)
}
