package discord

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
)

// dedupTTL is how long an interaction id is remembered. Signatures older
// than five minutes are refused, so nothing older can arrive; twice that
// leaves room for clock skew.
const dedupTTL = 10 * time.Minute

// maxAcks bounds the command answers kept for redeliveries (see
// App.command). A redelivery that finds none is acknowledged with a
// deferred response; bot.Once still keeps it from the core.
const maxAcks = 4096

// backgroundTimeout bounds the answers this package sends on its own after
// the first response (a click's first reply, a deferred command's reply);
// interaction tokens live 15 minutes.
const backgroundTimeout = time.Minute

// App is Discord's side of the bot: the ingress, which verifies and
// translates the interactions Discord sends and hands them to the core,
// and the Messenger the core sends through. Build it once with New and
// serve Routes at Path; it has the shape of every platform (platform.App).
type App struct {
	cfg        Config
	key        ed25519.PublicKey
	handler    bot.Handler
	s          *discordgo.Session
	log        *slog.Logger
	now        func() time.Time
	deferAfter time.Duration
	deliveries *platform.Deliveries
	bg         *platform.Background
	messenger  *Messenger
}

var (
	_ platform.App     = (*App)(nil)
	_ platform.Checker = (*App)(nil)
)

// New builds the ingress and the Messenger for cfg. handler is the core;
// once recognises redeliveries (shared by all replicas).
func New(cfg Config, handler bot.Handler, once bot.Once, opts ...Option) (*App, error) {
	if errs := cfg.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("discord config: %w", errors.Join(errs...))
	}
	if handler == nil || once == nil {
		return nil, errors.New("discord: New needs a handler and a bot.Once")
	}
	o := newOptions(opts)
	s, err := newSession(cfg, o)
	if err != nil {
		return nil, err
	}
	m, err := NewMessenger(cfg, opts...)
	if err != nil {
		return nil, err
	}
	return &App{
		cfg:        cfg,
		key:        ed25519.PublicKey(cfg.publicKey()),
		handler:    handler,
		s:          s,
		log:        o.Log.With("platform", Platform),
		now:        o.Now,
		deferAfter: o.Own.deferAfter,
		deliveries: platform.NewDeliveries(once, dedupTTL, maxAcks, o.Now),
		bg:         platform.NewBackground(backgroundTimeout),
		messenger:  m,
	}, nil
}

// Messenger is what the core sends through: bot.AddPlatform(Platform,
// app.Messenger()).
func (a *App) Messenger() bot.Messenger { return a.messenger }

// Path is the interactions endpoint, for mounting Routes.
func (a *App) Path() string { return PathInteractions }

// Check reads the bot's own user, so a wrong token or API URL fails at
// startup rather than at the first reset.
func (a *App) Check(ctx context.Context) error { return a.messenger.Check(ctx) }

// Run returns at once: Discord reaches the bot only through Routes.
func (a *App) Run(context.Context) error { return nil }

// Close waits for the answers this package sends after a first response.
// Call it at shutdown, after the server stopped.
func (a *App) Close() { a.Wait() }

// Wait blocks until the answers this package sends after a first response
// have been sent (or timed out).
func (a *App) Wait() { a.bg.Wait() }
