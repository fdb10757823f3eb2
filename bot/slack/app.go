package slack

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
)

// dedupTTL is how long a delivery is remembered. Slack's signatures are
// valid for five minutes either way, so nothing older can arrive signed;
// twice that leaves room for clock skew.
const dedupTTL = 10 * time.Minute

// maxAcks bounds the slash command answers kept for redeliveries (see
// App.command). A redelivery that lands on another replica, or after
// eviction, gets an empty 200, which Slack shows as nothing, and the core
// still runs once (bot.Once is shared).
const maxAcks = 4096

// backgroundTimeout bounds the answers this package posts on its own
// after an ack (the core's first reply to a click).
const backgroundTimeout = 30 * time.Second

// App is Slack's ingress: it verifies and translates what Slack sends and
// hands it to the core. Build it once with New, then serve Routes (HTTP
// mode) or RunSocketMode (socket mode).
type App struct {
	cfg     Config
	handler bot.Handler
	once    bot.Once
	log     *slog.Logger
	client  *http.Client
	acks    *platform.AckCache
	bg      *platform.Background
}

// New builds the ingress for cfg. handler is the core; once recognises
// redeliveries (shared by all replicas, so a retry that lands elsewhere is
// still recognised).
func New(cfg Config, handler bot.Handler, once bot.Once, opts ...Option) (*App, error) {
	if errs := cfg.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("slack config: %w", errors.Join(errs...))
	}
	if handler == nil || once == nil {
		return nil, errors.New("slack: New needs a handler and a bot.Once")
	}
	o := newOptions(opts)
	return &App{
		cfg:     cfg,
		handler: handler,
		once:    once,
		log:     o.log.With("platform", Platform),
		client:  o.client,
		acks:    platform.NewAckCache(maxAcks, dedupTTL, time.Now),
		bg:      platform.NewBackground(backgroundTimeout),
	}, nil
}

// Wait blocks until the answers this package posts after an ack have been
// sent (or timed out). Call it at shutdown, after the server stopped.
func (a *App) Wait() { a.bg.Wait() }
