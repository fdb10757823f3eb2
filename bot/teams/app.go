package teams

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
)

// dedupTTL is how long an activity id is remembered. Bot Framework tokens
// live about an hour (plus leeway), so no signed redelivery can arrive
// later than that.
const dedupTTL = 2 * time.Hour

// replyTimeout bounds the immediate reply, well inside Teams' 15 seconds.
const replyTimeout = 10 * time.Second

// App is the Teams ingress and messenger: it verifies and translates the
// activities Teams sends, hands them to the core, and gives the core a
// Messenger. Build it once with New, serve Routes at Path, and add
// Messenger() to the bot under Platform; it has the shape of every
// platform (platform.App).
type App struct {
	cfg        Config
	handler    bot.Handler
	deliveries *platform.Deliveries
	log        *slog.Logger
	verify     *verifier
	keys       *keySource
	conn       *connector
	seen       *seen
	messenger  *Messenger
	stop       context.CancelFunc
}

// New builds the Teams connection for cfg. handler is the core; once
// recognises redelivered activities (shared by all replicas, so a retry
// that lands elsewhere is still recognised).
func New(cfg Config, handler bot.Handler, once bot.Once, opts ...Option) (*App, error) {
	if errs := cfg.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("teams config: %w", errors.Join(errs...))
	}
	if handler == nil || once == nil {
		return nil, errors.New("teams: New needs a handler and a bot.Once")
	}
	o := newOptions(opts)
	log := o.Log.With("platform", Platform)
	life, stop := context.WithCancel(context.Background())
	keys := &keySource{metadataURL: cfg.metadataURL(), client: o.Client, log: log, now: o.Now, life: life}
	conn := &connector{client: o.Client, tokens: &tokenSource{
		url: cfg.tokenURL(), clientID: cfg.AppID, secret: cfg.AppPassword, client: o.Client, now: o.Now,
	}}
	s := newSeen()
	return &App{
		cfg:        cfg,
		handler:    handler,
		deliveries: platform.NewDeliveries(once, dedupTTL, 0, o.Now),
		log:        log,
		verify:     &verifier{appID: cfg.AppID, keys: keys, now: o.Now},
		keys:       keys,
		conn:       conn,
		seen:       s,
		messenger:  &Messenger{cfg: cfg, conn: conn, seen: s, pace: platform.NewPacer(o.Own.pace), personals: bot.NewDMCache(0, 0, o.Now)},
		stop:       stop,
	}, nil
}

var _ platform.App = (*App)(nil)

// Messenger is what the core sends through: bot.AddPlatform(Platform,
// app.Messenger()). It is a *Messenger, which also implements
// bot.EmailResolver.
func (a *App) Messenger() bot.Messenger { return a.messenger }

// Path is the messaging endpoint, for mounting Routes.
func (a *App) Path() string { return PathMessages }

// Run returns at once: Teams reaches the bot only through Routes, and the
// signing keys refresh on their own until Close.
func (a *App) Run(context.Context) error { return nil }

// Close stops the background refresh of the signing keys. Call it at
// shutdown, after the server stopped.
func (a *App) Close() {
	a.keys.close()
	a.stop()
}
