package main

import (
	"context"
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
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/auditlog"
	"github.com/resetbot/resetbot/flows/redisstore"
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
	sinks  []flows.Sink
	ln     net.Listener
	audit  string
	log    *slog.Logger
}

// runDemo runs resetbot with no external service, for trying it out.
func runDemo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8080", "address of the web app (use port 0 for any free port)")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	d, err := newDemo(*listen, os.Stderr)
	if err != nil {
		return err
	}
	defer d.close()
	d.describe(os.Stdout)
	return d.run(ctx)
}

// newDemo starts the embedded parts. Its audit log goes to a temporary
// directory that is printed, so `resetbot audit verify` can be tried on it.
func newDemo(listen string, logw io.Writer) (*demo, error) {
	d := &demo{log: slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	var err error
	if d.redis, err = miniredis.Run(); err != nil {
		return nil, fmt.Errorf("embedded redis: %w", err)
	}
	d.rdb = redis.NewClient(&redis.Options{Addr: d.redis.Addr()})
	d.store = redisstore.New(d.rdb, redisstore.Options{Prefix: "demo"})
	if d.dir, err = memory.New(memory.ExampleSeed()); err != nil {
		d.close()
		return nil, err
	}
	d.engine = flows.NewEngine(d.store, d.dir, flows.Config{
		Policy: flows.Policy{PrivilegedGroups: []string{"cn=tier0-admins,ou=Groups,dc=example,dc=test"}},
	}, flows.WithLogger(d.log))
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
	if d.ln, err = net.Listen("tcp", listen); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// describe prints what runs and how to use it.
func (d *demo) describe(w io.Writer) {
	fmt.Fprintf(w, `resetbot demo — everything in this process, nothing to install

  embedded Redis   %s (miniredis; keys expire in real time)
  directory        in memory: the example company (dc=example,dc=test)
  web app          http://%s/   (health: /healthz)
  audit log        %s
                   check it with: resetbot audit verify %s

  demo users (password %q):
    jdoe     John Doe      Engineering   helpdesk member
    alice    Alice Admin   IT            privileged (tier0-admins, nested): passkey + approval
    bob      Bob Gone      Sales         disabled: gets the same reply as anyone
    pwuser, policyuser, lockme, spare1..3  ordinary accounts

Press Ctrl-C to stop.
`, d.redis.Addr(), d.ln.Addr(), d.audit, d.audit, memory.ExamplePassword)
}

// run serves until ctx ends.
func (d *demo) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { d.tickRedis(ctx) })
	wg.Go(func() { background(ctx, d.store, d.engine, d.sinks, d.log) })
	h := healthMux(nil, func(ctx context.Context) error { return d.rdb.Ping(ctx).Err() })
	err := serveHTTP(ctx, d.ln, h, "", "", d.log)
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
	if d.ln != nil {
		d.ln.Close()
	}
	if d.rdb != nil {
		d.rdb.Close()
	}
	if d.redis != nil {
		d.redis.Close()
	}
}
