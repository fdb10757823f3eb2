package slack

import (
	"context"
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

// App is Slack's side of the bot: the ingress, which verifies and
// translates what Slack sends and hands it to the core, and the Messenger
// the core sends through. Build it once with New, then serve Routes (HTTP
// mode) or Run (socket mode); it has the shape of every platform
// (platform.App).
type App struct {
	cfg        Config
	handler    bot.Handler
	log        *slog.Logger
	client     *http.Client
	deliveries *platform.Deliveries
	bg         *platform.Background
	messenger  bot.Messenger
}

var _ platform.App = (*App)(nil)

// New builds the ingress and the Messenger for cfg. handler is the core;
// once recognises redeliveries (shared by all replicas, so a retry that
// lands elsewhere is still recognised).
func New(cfg Config, handler bot.Handler, once bot.Once, opts ...Option) (*App, error) {
	if errs := cfg.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("slack config: %w", errors.Join(errs...))
	}
	if handler == nil || once == nil {
		return nil, errors.New("slack: New needs a handler and a bot.Once")
	}
	o := newOptions(opts)
	m, err := NewMessenger(cfg, opts...)
	if err != nil {
		return nil, err
	}
	return &App{
		cfg:        cfg,
		handler:    handler,
		log:        o.Log.With("platform", Platform),
		client:     o.Client,
		deliveries: platform.NewDeliveries(once, dedupTTL, maxAcks, time.Now),
		bg:         platform.NewBackground(backgroundTimeout),
		messenger:  m,
	}, nil
}

// Messenger is what the core sends through: bot.AddPlatform(Platform,
// app.Messenger()). It also implements bot.EmailResolver, and
// bot.GroupResolver when helpdesk_usergroup is set.
func (a *App) Messenger() bot.Messenger { return a.messenger }

// Path is the prefix of Slack's request URLs, for mounting Routes.
func (a *App) Path() string { return pathPrefix }

// Run keeps the Socket Mode connection in socket mode until ctx ends; in
// HTTP mode Slack calls Routes and Run returns at once.
func (a *App) Run(ctx context.Context) error {
	if a.cfg.mode() != ModeSocket {
		return nil
	}
	return a.RunSocketMode(ctx)
}

// Close waits for the answers this package posts after an ack. Call it at
// shutdown, after the server stopped.
func (a *App) Close() { a.Wait() }

// Wait blocks until the answers this package posts after an ack have been
// sent (or timed out).
func (a *App) Wait() { a.bg.Wait() }
