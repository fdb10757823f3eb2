package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"sync"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/auditlog"
)

// runServe runs the bot: the HTTP endpoints (health, and the web app and
// chat webhooks as they are wired), the audit stream consumers and the
// expiry sweeper, until ctx is cancelled.
func runServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	path := fs.String("config", "", "configuration file (YAML)")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
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
	rdb, err := newRedis(cfg.Redis)
	if err != nil {
		return err
	}
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	dir, err := newDirectory(cfg.Directory)
	if err != nil {
		return fmt.Errorf("directory: %w", err)
	}
	if c, ok := dir.(io.Closer); ok {
		defer c.Close()
	}
	if p, ok := dir.(interface{ Ping(context.Context) error }); ok {
		// Fail at start on a wrong service-account password or CA, not at
		// the first user's reset.
		if err := p.Ping(ctx); err != nil {
			return fmt.Errorf("directory: %w", err)
		}
	}
	store := newStore(rdb, cfg)
	engine := flows.NewEngine(store, dir, engineConfig(cfg), flows.WithLogger(log))

	var sinks []flows.Sink
	if cfg.Audit.LogFile != "" {
		sink, err := auditlog.Open(cfg.Audit.LogFile)
		if err != nil {
			return fmt.Errorf("audit log: %w", err)
		}
		defer sink.Close()
		sinks = append(sinks, sink)
	}

	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return err
	}
	log.Info("resetbot serving", "listen", ln.Addr().String(), "public_base_url", cfg.Server.PublicBaseURL,
		"directory", cfg.Directory.Flavour, "redis", cfg.Redis.Mode)

	// The background work stops with the server, whichever ends first.
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { background(ctx, store, engine, sinks, log) })
	h := healthMux(nil, func(ctx context.Context) error { return rdb.Ping(ctx).Err() })
	err = serveHTTP(ctx, ln, h, cfg.Server.TLS.CertFile, cfg.Server.TLS.KeyFile, log)
	cancel()
	wg.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
