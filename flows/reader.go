package flows

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Sink consumes audit events: the JSON audit log, the chat audit threads.
// Delivery is at least once, in order within a flow, so Deliver must be
// idempotent on Event.ID.
type Sink interface {
	// Name is the sink's consumer-group name; it must stay stable across
	// restarts so undelivered events are resumed, not skipped.
	Name() string
	// Deliver handles one event. An error leaves it pending for a retry.
	Deliver(ctx context.Context, ev Event) error
}

// BatchSink is a Sink that can take a whole batch at once, to coalesce
// under pressure (several events of one flow posted as one chat reply when
// a backlog built up). It returns the ids of the events it handled; the
// others stay pending and come again.
type BatchSink interface {
	Sink
	DeliverBatch(ctx context.Context, evs []Event) (delivered []string, err error)
}

// retryAfter is implemented by sink errors that know how long to wait (a
// chat API's Retry-After).
type retryAfter interface{ RetryAfter() time.Duration }

// Reader moves events from the store's audit streams to one sink. A crash,
// a sink outage or a slow chat API delays events; none is lost, because an
// event is acknowledged only after the sink accepted it.
type Reader struct {
	store    Store
	sink     Sink
	consumer string
	batch    int
	idle     time.Duration
	log      *slog.Logger
}

// NewReader makes a reader. consumer names this process within the sink's
// group (stable per replica, e.g. the hostname).
func NewReader(store Store, sink Sink, consumer string, log *slog.Logger) *Reader {
	if log == nil {
		log = slog.Default()
	}
	return &Reader{store: store, sink: sink, consumer: consumer, batch: 100, idle: 250 * time.Millisecond, log: log}
}

// Pump delivers what is waiting, once, and returns how many events the sink
// accepted. It stops at the first failure so order is kept; the failed event
// is retried by the next call.
func (r *Reader) Pump(ctx context.Context) (int, error) {
	evs, err := r.store.ReadEvents(ctx, r.sink.Name(), r.consumer, r.batch)
	if err != nil {
		return 0, err
	}
	if bs, ok := r.sink.(BatchSink); ok && len(evs) > 0 {
		delivered, derr := bs.DeliverBatch(ctx, evs)
		if len(delivered) > 0 {
			if err := r.store.AckEvents(ctx, r.sink.Name(), delivered...); err != nil {
				return 0, err
			}
		}
		return len(delivered), derr
	}
	n := 0
	for _, ev := range evs {
		if err := r.sink.Deliver(ctx, ev); err != nil {
			return n, err
		}
		if err := r.store.AckEvents(ctx, r.sink.Name(), ev.ID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Run pumps until ctx ends, pausing when idle and backing off on errors.
func (r *Reader) Run(ctx context.Context) error {
	backoff := r.idle
	for {
		n, err := r.Pump(ctx)
		if ctx.Err() != nil {
			return ctx.Err() // shutting down: nothing failed
		}
		wait := r.idle
		switch {
		case err != nil:
			r.log.Warn("audit delivery failed; will retry", "sink", r.sink.Name(), "err", err)
			backoff = min(backoff*2, 30*time.Second)
			wait = backoff
			var ra retryAfter
			if errors.As(err, &ra) && ra.RetryAfter() > 0 {
				wait = ra.RetryAfter() // the sink's API said how long
			}
		case n > 0:
			backoff, wait = r.idle, 0
		default:
			backoff = r.idle
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}
