package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/resetbot/resetbot/flows"
)

// Readiness timing: each check answers within checkTimeout even when its
// server hangs, and the directory is asked at most once per dirCheckEvery
// (a probe every few seconds must not become load on the directory).
const (
	checkTimeout  = time.Second
	dirCheckEvery = 30 * time.Second
)

// managementHandler serves what operators and orchestrators need and the
// phones must never reach: /metrics, /healthz (the process serves) and
// /readyz (it can do its work). It runs on its own listener.
func managementHandler(reg *prometheus.Registry, ready *readiness) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := ready.check(r.Context()); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	return mux
}

// readiness answers /readyz: Redis on every probe, the audit readers
// (one that has not read its stream for a while holds back its sink's
// events), the directory from a cached result refreshed at most every
// dirEvery. The reasons it gives name
// the component, never a credential.
type readiness struct {
	redis    func(context.Context) error
	dir      func(context.Context) error // nil: no directory server to check
	readers  func(now time.Time) error   // nil: no audit readers to check
	timeout  time.Duration
	dirEvery time.Duration
	now      func() time.Time

	mu     sync.Mutex
	dirAt  time.Time
	dirErr error
	seen   bool
}

// check reports the first component that is not ready.
func (r *readiness) check(ctx context.Context) error {
	if err := within(ctx, r.timeout, r.redis); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	if r.readers != nil {
		if err := r.readers(r.now()); err != nil {
			return err
		}
	}
	if r.dir == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := r.now(); !r.seen || now.Sub(r.dirAt) >= r.dirEvery {
		r.dirErr = within(ctx, r.timeout, r.dir)
		r.dirAt, r.seen = now, true
	}
	if r.dirErr != nil {
		return fmt.Errorf("directory: %w", r.dirErr)
	}
	return nil
}

// errCheckTimeout is a check that did not answer in time (a hung server).
var errCheckTimeout = errors.New("no answer in time")

// within runs fn with a deadline and returns when it answers or the
// deadline passes, whichever is first: a client library that ignores its
// context (go-redis waits for its own read timeout) cannot stall the probe.
func within(ctx context.Context, d time.Duration, fn func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return errCheckTimeout
	}
}

// readerStalledAfter is how long an audit reader may fail to read its
// stream before the process reports itself not ready: longer than a Redis
// failover or restart takes, so a blip never takes a replica out of
// service, short enough that a wedged one is noticed.
const readerStalledAfter = time.Minute

// readersStalled is the readiness check of the audit readers: the first
// reader that has not read its stream for longer than after.
func readersStalled(readers []*flows.Reader, after time.Duration) func(time.Time) error {
	return func(now time.Time) error {
		for _, r := range readers {
			if err := r.Stalled(now, after); err != nil {
				return err
			}
		}
		return nil
	}
}
