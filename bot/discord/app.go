package discord

import (
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

// App is Discord's ingress: it verifies and translates the interactions
// Discord sends and hands them to the core. Build it once with New and
// serve Routes.
type App struct {
	cfg        Config
	key        ed25519.PublicKey
	handler    bot.Handler
	once       bot.Once
	s          *discordgo.Session
	log        *slog.Logger
	now        func() time.Time
	deferAfter time.Duration
	acks       *platform.AckCache
	bg         *platform.Background
}

// New builds the ingress for cfg. handler is the core; once recognises
// redeliveries (shared by all replicas).
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
	return &App{
		cfg:        cfg,
		key:        ed25519.PublicKey(cfg.publicKey()),
		handler:    handler,
		once:       once,
		s:          s,
		log:        o.log.With("platform", Platform),
		now:        o.now,
		deferAfter: o.deferAfter,
		acks:       platform.NewAckCache(maxAcks, dedupTTL, o.now),
		bg:         platform.NewBackground(backgroundTimeout),
	}, nil
}

// Wait blocks until the answers this package sends after a first response
// have been sent (or timed out). Call it at shutdown, after the server
// stopped.
func (a *App) Wait() { a.bg.Wait() }
