package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/platform"
	"github.com/resetbot/resetbot/cmd/resetbot/internal/config"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/auditlog"
	"github.com/resetbot/resetbot/flows/flowmetrics"
	"github.com/resetbot/resetbot/flows/redisstore"
)

// runServe runs the bot: the HTTP endpoints (web app, chat webhooks, health,
// metrics), the chat platforms, the audit stream consumers and the expiry
// sweeper, until ctx is cancelled.
func runServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	path := fs.String("config", "", "configuration file (YAML)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *path == "" {
		return usageError{"serve: --config FILE is required"}
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	log, err := newLogger(cfg.Log, os.Stderr)
	if err != nil {
		return err
	}
	redis.SetLogger(redisLog{log})
	s, err := build(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer s.close()
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return atKey("server.listen", err)
	}
	mln, err := net.Listen("tcp", cfg.Server.ManagementListen)
	if err != nil {
		ln.Close()
		return atKey("server.management_listen", err)
	}
	log.Info("resetbot serving", "listen", ln.Addr().String(), "management_listen", mln.Addr().String(), "public_base_url", cfg.Server.PublicBaseURL,
		"directory", cfg.Directory.Flavour, "redis", cfg.Redis.Mode, "platforms", s.platforms)
	return s.run(ctx, ln, mln)
}

// server is everything serve runs, built from the configuration.
type server struct {
	cfg    *config.Config
	log    *slog.Logger
	rdb    redis.UniversalClient
	ackRDB redis.UniversalClient // the acknowledgement's own (ackredis.go)
	// redisPools exports both clients' pools.
	redisPools *redisPoolCollector
	dir        directory.Directory
	store      *redisstore.Store
	engine     *flows.Engine
	bot        *bot.Bot
	apps       []platform.App // parallel to platforms
	web        http.Handler
	sinks      []flows.Sink
	streams    *flowmetrics.Streams
	audit      *auditlog.Sink
	registry   *prometheus.Registry
	httpm      *httpMetrics
	chatm      *chatMetrics
	platforms  []string
	reminders  *reminderJob  // nil when off
	campaigns  *campaignJobs // nil without campaigns
	extra      []chatPlatform
	closers    []func()
}

// build connects to Redis and the directory (failing early on a wrong
// password or CA rather than at the first reset) and wires every part. Every
// error names the configuration key to fix; on error, whatever was already
// opened is closed again. extra are platforms no configuration file can
// turn on (the demo's terminal chat), wired like the others when the
// configuration has an identity rule for them.
func build(ctx context.Context, cfg *config.Config, log *slog.Logger, extra ...chatPlatform) (*server, error) {
	s := &server{cfg: cfg, log: log, registry: prometheus.NewRegistry(), extra: extra}
	if err := s.wire(ctx); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// wire fills s from its configuration, registering a closer for everything
// it opens as soon as it is open.
func (s *server) wire(ctx context.Context) (err error) {
	cfg, log := s.cfg, s.log
	s.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), newBuildInfo())
	if s.rdb, err = newRedis(cfg.Redis); err != nil {
		return err
	}
	s.closers = append(s.closers, func() { s.rdb.Close() })
	s.redisPools = &redisPoolCollector{}
	s.redisPools.add(redisPoolMain, s.rdb)
	s.registry.MustRegister(s.redisPools)
	if err := pingRedis(ctx, s.rdb); err != nil {
		return err
	}
	dir, err := openDirectory(ctx, cfg.Directory)
	if err != nil {
		return err
	}
	dm, err := newDirMetrics(s.registry)
	if err != nil {
		return err
	}
	s.dir = instrumentDirectory(dir, dm)
	if c, ok := s.dir.(io.Closer); ok {
		s.closers = append(s.closers, func() { c.Close() })
	}
	logHistoryEnforcement(ctx, s.dir, log)
	s.store = newStore(s.rdb, cfg)
	s.engine = flows.NewEngine(s.store, s.dir, engineConfig(cfg), flows.WithLogger(log))

	keys, err := readTOTPKeys(cfg)
	if err != nil {
		return err
	}
	creds, err := keys.store(cfg, s.rdb)
	if err != nil {
		return err
	}

	if s.web, err = newWeb(cfg, s.engine, s.dir, creds, s.rdb, log); err != nil {
		return err
	}

	if cfg.Audit.LogFile != "" {
		sink, err := newAuditSink(cfg, s.rdb, s.store, s.registry, log)
		if err != nil {
			return atKey("audit.log_file", err)
		}
		s.closers = append(s.closers, func() { sink.Close() })
		s.sinks = append(s.sinks, sink)
		s.audit = sink
	}
	metrics, err := flowmetrics.New(s.registry)
	if err != nil {
		return err
	}
	s.sinks = append(s.sinks, metrics)
	if s.streams, err = flowmetrics.NewStreams(s.registry); err != nil {
		return err
	}
	if s.chatm, err = newChatMetrics(s.registry); err != nil {
		return err
	}
	if s.httpm, err = newHTTPMetrics(s.registry); err != nil {
		return err
	}

	workm, err := newWorkMetrics(s.registry)
	if err != nil {
		return err
	}
	if s.bot, err = newBot(cfg, s.engine, s.dir, s.store, creds, log, workm); err != nil {
		return err
	}
	s.closers = append(s.closers, s.bot.Close)
	s.sinks = append(s.sinks, s.bot.Sinks()...)
	once, err := s.openAckOnce(ctx)
	if err != nil {
		return err
	}
	if err := s.wirePlatforms(ctx, once); err != nil {
		return err
	}
	if s.reminders, err = newReminderJob(cfg.Reminders, s.bot, s.registry, log); err != nil {
		return atKey("reminders.enabled", err)
	}
	if s.campaigns, err = newCampaignJobs(cfg, s.bot, log); err != nil {
		return err
	}
	return nil
}

// handler routes the public endpoints: the web app and the chat webhooks,
// nothing else (metrics and probes are on the management listener).
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	s.mountPlatforms(mux)
	mux.Handle("/", s.web)
	return s.httpm.wrap(mux)
}

// management is the management listener's handler; readiness includes
// the audit readers.
func (s *server) management(readers []*flows.Reader) http.Handler {
	r := &readiness{
		redis:   redisReady(s.rdb),
		timeout: checkTimeout, dirEvery: dirCheckEvery, now: time.Now,
		readers: readersStalled(readers, readerStalledAfter),
	}
	if p, ok := s.dir.(interface{ Ping(context.Context) error }); ok {
		r.dir = p.Ping
	}
	return managementHandler(s.registry, r)
}

// run serves until ctx ends; the background work and Socket Mode stop with
// the server, whichever ends first.
func (s *server) run(ctx context.Context, ln, mln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	readers := auditReaders(s.store, s.sinks, s.cfg.Audit.ClaimIdle, s.log)
	wg.Go(func() { background(ctx, s.store, s.engine, readers, s.streams, s.log) })
	s.runPlatforms(ctx, &wg)
	if s.reminders != nil {
		wg.Go(func() { s.reminders.run(ctx, time.Minute) })
	}
	if s.campaigns != nil {
		wg.Go(func() { s.campaigns.run(ctx, time.Minute) })
	}
	if s.audit != nil {
		wg.Go(func() { auditUpkeep(ctx, s.audit, s.log) })
		if every := s.cfg.Audit.PublishHeadEvery; every > 0 {
			wg.Go(func() { publishChainHead(ctx, every, s.rdb, s.store, s.cfg.Redis.KeyPrefix, s.bot, s.log) })
		}
	}
	// The probes answer until the public server has drained; a failing
	// management server stops the public one too.
	mctx, stopManagement := context.WithCancel(context.Background())
	mdone := make(chan error, 1)
	go func() {
		err := serveHTTP(mctx, mln, s.management(readers), "", "", s.log)
		if err != nil {
			cancel()
		}
		mdone <- atKey("server.management_listen", err)
	}()
	err := serveHTTP(ctx, ln, s.handler(), s.cfg.Server.TLS.CertFile, s.cfg.Server.TLS.KeyFile, s.log)
	cancel()
	stopManagement()
	err = errors.Join(err, <-mdone)
	wg.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// close releases everything build acquired, last first.
func (s *server) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}
