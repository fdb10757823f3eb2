package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/flowmetrics"
)

// auditReaders makes one audit reader per sink, each its own consumer
// group, under a consumer name unique to this process. Each takes over the
// events another consumer has left unacknowledged for claimIdle
// (audit.claim_idle): a dead replica's.
func auditReaders(store flows.Store, sinks []flows.Sink, claimIdle time.Duration, log *slog.Logger) []*flows.Reader {
	consumer := flows.ConsumerName()
	rs := make([]*flows.Reader, 0, len(sinks))
	for _, s := range sinks {
		rs = append(rs, flows.NewReader(store, s, consumer, log, flows.WithClaimIdle(claimIdle)))
	}
	return rs
}

// background runs what keeps flows moving without a request: the audit
// readers, the audit-stream upkeep and the expiry sweeper. It returns when
// ctx ends and every goroutine stopped.
func background(ctx context.Context, store flows.Store, engine *flows.Engine, readers []*flows.Reader, streams *flowmetrics.Streams, log *slog.Logger) {
	var wg sync.WaitGroup
	for _, r := range readers {
		wg.Go(func() { _ = r.Run(ctx) })
	}
	if m, ok := store.(flows.StreamMaintainer); ok {
		wg.Go(func() { upkeep(ctx, m, streams, 30*time.Second, log) })
	}
	wg.Go(func() { sweep(ctx, engine, 5*time.Second, log) })
	wg.Wait()
}

// deadConsumerAfter is how long a consumer with nothing pending may stay
// idle before it is removed from its group (a replica that is gone).
const deadConsumerAfter = time.Hour

// upkeep trims the audit streams behind the slowest consumer group,
// removes dead consumers and exports each group's backlog.
func upkeep(ctx context.Context, m flows.StreamMaintainer, streams *flowmetrics.Streams, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			st, err := m.MaintainStreams(ctx, flows.StreamUpkeep{Now: time.Now(), DeadAfter: deadConsumerAfter})
			if err != nil && ctx.Err() == nil {
				log.Warn("audit stream upkeep failed", "err", err)
			}
			if streams != nil {
				streams.Observe(st)
			}
			if st.OverMaxLen {
				log.Warn("audit streams exceed audit.stream_max_len: a sink is not keeping up", "entries", st.Entries, "backlog", st.Backlog)
			}
		}
	}
}

// sweep expires flows past their lifetime, so the audit trail and the
// helpdesk thread say "expired" instead of going quiet, and reconciles
// flows a crashed process left in the middle of their directory write, and
// records the attempts that failed while Redis was away. It
// sweeps once at start-up, so a restart after a crash records the outcome
// without waiting for the first tick.
func sweep(ctx context.Context, engine *flows.Engine, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := engine.FlushDeferred(ctx); n > 0 || err != nil && ctx.Err() == nil {
			log.Info("audit events of requests that failed while Redis was away", "recorded", n, "err", err)
		}
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
