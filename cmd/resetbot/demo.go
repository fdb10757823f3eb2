package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/console"
	"github.com/resetbot/resetbot/credentials/rediscreds"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/auditlog"
	"github.com/resetbot/resetbot/flows/redisstore"
	"github.com/resetbot/resetbot/webauth"
)

// demo is everything `resetbot demo` runs in one process: an embedded Redis
// (miniredis, with keys expiring in real time), the in-memory directory of
// the example company, the flow engine, the audit sinks and the HTTP server.
// Later pieces (the web app, the console chat) plug into this struct.
type demo struct {
	redis  *miniredis.Miniredis
	rdb    *redis.Client
	store  *redisstore.Store
	dir    *memory.Directory
	engine *flows.Engine
	bot    *bot.Bot
	chat   *console.Console
	web    *webauth.Server
	base   string
	sinks  []flows.Sink
	ln     net.Listener
	mln    net.Listener // management: /metrics, /healthz, /readyz
	audit  string
	log    *slog.Logger
}

// runDemo runs resetbot with no external service, for trying it out.
func runDemo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8080", "address of the web app (use port 0 for any free port)")
	management := fs.String("management-listen", "127.0.0.1:0", "address of /metrics, /healthz and /readyz (port 0: any free port)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	d, err := newDemo(*listen, *management, os.Stdout, os.Stderr)
	if err != nil {
		return err
	}
	defer d.close()
	d.describe(os.Stdout)
	go d.chat.Run(ctx, os.Stdin)
	return d.run(ctx)
}

// demoHelpdeskGroup and demoPrivilegedGroup are groups of the example
// company.
const (
	demoHelpdeskGroup   = "cn=helpdesk,ou=Groups,dc=example,dc=test"
	demoPrivilegedGroup = "cn=tier0-admins,ou=Groups,dc=example,dc=test"
)

// newDemo starts the embedded parts. Its audit log goes to a temporary
// directory that is printed, so `resetbot audit verify` can be tried on it.
// The console chat prints to out.
func newDemo(listen, management string, out, logw io.Writer) (*demo, error) {
	d := &demo{log: slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	var err error
	if d.redis, err = miniredis.Run(); err != nil {
		return nil, fmt.Errorf("embedded redis: %w", err)
	}
	d.rdb = redis.NewClient(&redis.Options{Addr: d.redis.Addr()})
	d.store = redisstore.New(d.rdb, redisstore.Options{Prefix: "demo"})
	seed := memory.ExampleSeed()
	var accounts []string
	for i, u := range seed.Users {
		seed.Users[i].ChatIDs[console.Platform] = u.AccountName
		accounts = append(accounts, u.AccountName)
	}
	if d.dir, err = memory.New(seed); err != nil {
		d.close()
		return nil, err
	}
	d.engine = flows.NewEngine(d.store, d.dir, flows.Config{
		Policy: flows.Policy{PrivilegedGroups: []string{demoPrivilegedGroup}},
	}, flows.WithLogger(d.log))
	if d.ln, err = net.Listen("tcp", listen); err != nil {
		d.close()
		return nil, err
	}
	if d.mln, err = net.Listen("tcp", management); err != nil {
		d.close()
		return nil, err
	}
	// Links use localhost, which browsers treat as a secure context and
	// WebAuthn accepts as a relying party (an IP address is refused).
	_, port, _ := net.SplitHostPort(d.ln.Addr().String())
	d.base = "http://localhost:" + port
	d.bot, err = bot.New(bot.Config{
		PublicBaseURL:   d.base,
		Identity:        map[string]bot.IdentityRule{console.Platform: {By: bot.IdentityByChatID}},
		HelpdeskGroup:   demoHelpdeskGroup,
		HelpdeskContact: "the helpdesk (jdoe in this demo)",
		CostPerTicket:   70,
	}, bot.Deps{Engine: d.engine, Directory: d.dir, Store: d.store, Log: d.log})
	if err != nil {
		d.close()
		return nil, err
	}
	// Throwaway keys: the demo's Redis lives in memory and dies with it.
	csrfKey, totpKey := make([]byte, 32), make([]byte, 32)
	_, _ = rand.Read(csrfKey)
	_, _ = rand.Read(totpKey)
	creds, err := rediscreds.New(d.rdb, rediscreds.Options{Prefix: "demo", Key: totpKey})
	if err != nil {
		d.close()
		return nil, err
	}
	d.web, err = webauth.New(webauth.Config{
		PublicBaseURL: d.base,
		RPName:        "resetbot demo",
		AllowTOTP:     true,
		CSRFKey:       csrfKey,
		TOTPKey:       totpKey,
		KeyPrefix:     "demoweb",
	}, webauth.Deps{Engine: d.engine, Directory: d.dir, Credentials: creds, Redis: d.rdb, Logger: d.log})
	if err != nil {
		d.close()
		return nil, err
	}
	d.chat = console.New(out, d.bot, accounts)
	d.bot.AddPlatform(console.Platform, d.chat)
	d.sinks = append(d.sinks, d.bot.Sinks()...)
	dir, err := os.MkdirTemp("", "resetbot-demo-")
	if err != nil {
		d.close()
		return nil, err
	}
	d.audit = filepath.Join(dir, "audit.jsonl")
	sink, err := auditlog.Open(d.audit)
	if err != nil {
		d.close()
		return nil, err
	}
	d.sinks = append(d.sinks, sink)
	return d, nil
}

// describe prints what runs and how to use it.
func (d *demo) describe(w io.Writer) {
	fmt.Fprintf(w, `resetbot demo — everything in this process, nothing to install

  embedded Redis   %s (miniredis; keys expire in real time)
  directory        in memory: the example company (dc=example,dc=test)
  web app          %s/
  management       http://%s/   (/metrics, /healthz, /readyz)
  audit log        %s
                   check it with: resetbot audit verify %s

  demo users (password %q):
    jdoe     John Doe      Engineering   helpdesk member
    alice    Alice Admin   IT            privileged (tier0-admins, nested): passkey + approval
    bob      Bob Gone      Sales         disabled: gets the same reply as anyone
    pwuser, policyuser, lockme, spare1..3  ordinary accounts

Below is a chat in this terminal. Press Ctrl-C to stop.
`, d.redis.Addr(), d.base, d.mln.Addr(), d.audit, d.audit, memory.ExamplePassword)
}

// run serves until ctx ends.
func (d *demo) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { d.tickRedis(ctx) })
	wg.Go(func() { background(ctx, d.store, d.engine, d.sinks, flows.DefaultClaimIdle, nil, d.log) })
	ready := &readiness{
		redis:   func(ctx context.Context) error { return d.rdb.Ping(ctx).Err() },
		timeout: checkTimeout, dirEvery: dirCheckEvery, now: time.Now,
	}
	wg.Go(func() { _ = serveHTTP(ctx, d.mln, managementHandler(prometheus.NewRegistry(), ready), "", "", d.log) })
	err := serveHTTP(ctx, d.ln, d.web, "", "", d.log)
	cancel()
	wg.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// tickRedis advances miniredis's clock with the wall clock: miniredis only
// expires keys when told time passed, and the demo wants real TTLs.
func (d *demo) tickRedis(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			d.redis.FastForward(now.Sub(last))
			last = now
		}
	}
}

// close stops everything newDemo started.
func (d *demo) close() {
	for _, s := range d.sinks {
		if c, ok := s.(io.Closer); ok {
			c.Close()
		}
	}
	if d.bot != nil {
		d.bot.Close()
	}
	if d.ln != nil {
		d.ln.Close()
	}
	if d.mln != nil {
		d.mln.Close()
	}
	if d.rdb != nil {
		d.rdb.Close()
	}
	if d.redis != nil {
		d.redis.Close()
	}
}
