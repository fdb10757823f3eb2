package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/resetbot/resetbot/bot"
	"github.com/resetbot/resetbot/bot/console"
	"github.com/resetbot/resetbot/bot/platform"
	"github.com/resetbot/resetbot/cmd/resetbot/internal/config"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
)

// demo is everything `resetbot demo` runs in one process: an embedded Redis
// (miniredis, with keys expiring in real time) and the server serve builds,
// from a configuration that names the in-memory example company, the
// terminal chat and a local web listener. One wiring path: whatever serve
// wires (the credentials store, metrics, the audit sink), the demo has.
type demo struct {
	redis  *miniredis.Miniredis
	srv    *server
	engine *flows.Engine
	chat   *console.Console
	base   string
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
	d, err := newDemo(*listen, *management, os.Stdin, os.Stdout, os.Stderr)
	if err != nil {
		return err
	}
	defer d.close()
	d.describe(os.Stdout)
	err = d.run(ctx)
	d.farewell(os.Stdout)
	return err
}

// demoHelpdeskGroup and demoPrivilegedGroup are groups of the example
// company.
const (
	demoHelpdeskGroup   = "cn=helpdesk,ou=Groups,dc=example,dc=test"
	demoPrivilegedGroup = "cn=tier0-admins,ou=Groups,dc=example,dc=test"
)

// demoConfig is the configuration the demo runs serve's wiring with: the
// example company in memory, the embedded Redis at redisAddr, the terminal
// chat as the one platform, links on base, the audit log at audit. Its keys
// are random: the demo's Redis lives in memory and dies with it.
func demoConfig(redisAddr, base, audit string) *config.Config {
	key := func() config.Secret {
		k := make([]byte, 32)
		_, _ = rand.Read(k)
		return config.SecretValue(base64.StdEncoding.EncodeToString(k))
	}
	c := &config.Config{
		Server: config.Server{PublicBaseURL: base},
		Redis:  config.Redis{Addrs: []string{redisAddr}, KeyPrefix: "demo"},
		Directory: config.Directory{
			Flavour:          config.FlavourMemory,
			ChatIDAttributes: map[string]string{console.Platform: "uid"},
			PrivilegedGroups: []string{demoPrivilegedGroup},
		},
		Identity: config.Identity{console.Platform: {By: config.ByChatIDAttribute}},
		Audit:    config.Audit{LogFile: audit},
		Web: config.Web{
			RPName:    "resetbot demo",
			AllowTOTP: true,
			CSRFKey:   key(),
			TOTPKey:   key(),
		},
		Helpdesk: config.Helpdesk{
			Group:         demoHelpdeskGroup,
			Contact:       "the helpdesk (jdoe in this demo)",
			CostPerTicket: 70,
		},
	}
	c.ApplyDefaults()
	return c
}

// newDemo starts the embedded Redis and builds the server from demoConfig.
// Its audit log goes to a temporary directory that is printed, so `resetbot
// audit verify` can be tried on it. The terminal chat reads in and prints
// to out; the process log (warnings and worse) goes to logw.
func newDemo(listen, management string, in io.Reader, out, logw io.Writer) (*demo, error) {
	d := &demo{log: slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	var err error
	if d.redis, err = miniredis.Run(); err != nil {
		return nil, fmt.Errorf("embedded redis: %w", err)
	}
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
	dir, err := os.MkdirTemp("", "resetbot-demo-")
	if err != nil {
		d.close()
		return nil, err
	}
	d.audit = filepath.Join(dir, "audit.jsonl")
	var accounts []string
	for _, u := range memory.ExampleSeed().Users {
		accounts = append(accounts, u.AccountName)
	}
	terminal := chatPlatform{name: console.Platform, build: func(c *config.Config, core *bot.Bot, _ bot.Once, _ *slog.Logger, _ platform.CallMeter) (platform.App, error) {
		d.chat = console.New(out, core, accounts, console.WithLanguage(c.Helpdesk.Language))
		return consoleApp{d.chat, in}, nil
	}}
	if d.srv, err = build(context.Background(), demoConfig(d.redis.Addr(), d.base, d.audit), d.log, terminal); err != nil {
		d.close()
		return nil, err
	}
	d.engine = d.srv.engine
	return d, nil
}

// consoleApp is the terminal chat in the shape serve wires every platform
// in: no routes, and Run reads the typed lines.
type consoleApp struct {
	c  *console.Console
	in io.Reader
}

var _ platform.App = consoleApp{}

// Messenger implements platform.App.
func (a consoleApp) Messenger() bot.Messenger { return a.c }

// Path implements platform.App; the terminal has no webhook.
func (a consoleApp) Path() string { return "" }

// Routes implements platform.App: nil, the terminal reaches us by Run.
func (a consoleApp) Routes() http.Handler { return nil }

// Run implements platform.App: the chat until the input ends or ctx does.
func (a consoleApp) Run(ctx context.Context) error {
	a.c.Run(ctx, a.in)
	return nil
}

// Close implements platform.App; the terminal holds nothing.
func (a consoleApp) Close() {}

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

// farewell prints the audit log's path again when the demo stops: it is
// what is left to look at, and the start-up lines have scrolled away.
func (d *demo) farewell(w io.Writer) {
	fmt.Fprintf(w, "\nresetbot demo stopped. The audit log stays at %s\n  check it with: resetbot audit verify %s\n", d.audit, d.audit)
}

// run serves until ctx ends, exactly as serve does, with the embedded
// Redis's clock following the wall clock.
func (d *demo) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { d.tickRedis(ctx) })
	err := d.srv.run(ctx, d.ln, d.mln)
	cancel()
	wg.Wait()
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
	if d.srv != nil {
		d.srv.close()
	}
	if d.ln != nil {
		d.ln.Close()
	}
	if d.mln != nil {
		d.mln.Close()
	}
	if d.redis != nil {
		d.redis.Close()
	}
}
