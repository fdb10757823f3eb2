package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/resetbot/resetbot/bot"
)

// dedupTTL is how long a delivery is remembered. Slack's signatures are
// valid for five minutes either way, so nothing older can arrive signed;
// twice that leaves room for clock skew.
const dedupTTL = 10 * time.Minute

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
	acks    *ackCache
	bg      sync.WaitGroup
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
		acks:    newAckCache(4096, dedupTTL),
	}, nil
}

// Wait blocks until the answers this package posts after an ack have been
// sent (or timed out). Call it at shutdown, after the server stopped.
func (a *App) Wait() { a.bg.Wait() }

// background runs fn after the ack, detached from the request that
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
