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
// Messenger. Build it once with New, serve it at PathMessages, and add
// Messenger() to the bot under Platform.
type App struct {
	cfg       Config
	handler   bot.Handler
	once      bot.Once
	log       *slog.Logger
	verify    *verifier
	keys      *keySource
	conn      *connector
	seen      *seen
	messenger *Messenger
	stop      context.CancelFunc
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
	log := o.log.With("platform", Platform)
	life, stop := context.WithCancel(context.Background())
	keys := &keySource{metadataURL: cfg.metadataURL(), client: o.client, log: log, now: o.now, life: life}
	conn := &connector{client: o.client, tokens: &tokenSource{
		url: cfg.tokenURL(), clientID: cfg.AppID, secret: cfg.AppPassword, client: o.client, now: o.now,
	}}
	s := newSeen()
	return &App{
		cfg:       cfg,
		handler:   handler,
		once:      once,
		log:       log,
		verify:    &verifier{appID: cfg.AppID, keys: keys, now: o.now},
		keys:      keys,
		conn:      conn,
		seen:      s,
		messenger: &Messenger{cfg: cfg, conn: conn, seen: s, pace: platform.NewPacer(o.pace)},
		stop:      stop,
	}, nil
}

// Messenger is what the core sends through: bot.AddPlatform(Platform,
// app.Messenger()).
func (a *App) Messenger() *Messenger { return a.messenger }

// Close stops the background refresh of the signing keys. Call it at
// shutdown, after the server stopped.
func (a *App) Close() {
	a.keys.close()
	a.stop()
}
