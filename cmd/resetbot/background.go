package main

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// background runs what keeps flows moving without a request: one audit
// reader per sink and the expiry sweeper. It returns when ctx ends and every
// goroutine stopped.
func background(ctx context.Context, store flows.Store, engine *flows.Engine, sinks []flows.Sink, log *slog.Logger) {
	host, _ := os.Hostname()
	var wg sync.WaitGroup
	for _, s := range sinks {
		r := flows.NewReader(store, s, host, log)
		wg.Go(func() { _ = r.Run(ctx) })
	}
	wg.Go(func() { sweep(ctx, engine, 5*time.Second, log) })
	wg.Wait()
}

// sweep expires flows past their lifetime, so the audit trail and the
// helpdesk thread say "expired" instead of going quiet, and reconciles
// flows a crashed process left in the middle of their directory write. It
// sweeps once at start-up, so a restart after a crash records the outcome
// without waiting for the first tick.
func sweep(ctx context.Context, engine *flows.Engine, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := engine.ExpireDue(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("expiry sweep failed", "err", err)
		}
		if n > 0 {
			log.Info("flows ended by the sweep (expired or reconciled)", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
