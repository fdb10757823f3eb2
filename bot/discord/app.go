package discord

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/resetbot/resetbot/bot"
)

// dedupTTL is how long an interaction id is remembered. Signatures older
// than five minutes are refused, so nothing older can arrive; twice that
// leaves room for clock skew.
const dedupTTL = 10 * time.Minute

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
	acks       *ackCache
	bg         sync.WaitGroup
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
		acks:       newAckCache(4096, dedupTTL),
	}, nil
}

// Wait blocks until the answers this package sends after a first response
// have been sent (or timed out). Call it at shutdown, after the server
// stopped.
func (a *App) Wait() { a.bg.Wait() }

// background runs fn after the response, detached from the request that
// triggered it, within backgroundTimeout.
func (a *App) background(ctx context.Context, fn func(context.Context)) {
	a.bg.Add(1)
	go func() {
		defer a.bg.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), backgroundTimeout)
		defer cancel()
		fn(ctx)
	}()
}
