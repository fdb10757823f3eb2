package flows

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"time"
)

// Sink consumes audit events: the JSON audit log, the chat audit threads.
// Delivery is at least once, in order within a flow while nothing fails
// (an event reclaimed from a dead replica may come after newer ones), so
// Deliver must be idempotent on Event.ID; Store.Mark is there for it.
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

// Lookahead is an optional BatchSink capability: a sink that coalesces a
// backlog reads up to Lookahead events at once instead of the reader's
// default (100), so that the steps of one flow waiting behind a busy chat
// channel come in one batch and go out in one post, where a hundred
// events of a burst hold one or two steps each of fifty flows.
type Lookahead interface {
	Lookahead() int
}

// Gate is an optional Sink capability: a sink that only one replica may
// feed at a time (the JSON audit log's single chain) says here whether
// this process may deliver now. A closed gate makes the reader wait; the
// events stay for the replica whose gate is open.
type Gate interface {
	Open(ctx context.Context) (bool, error)
}

// retryAfter is implemented by sink errors that know how long to wait (a
// chat API's Retry-After).
type retryAfter interface{ RetryAfter() time.Duration }

// DefaultClaimIdle is how long an event may stay unacknowledged with
// another consumer before a reader takes it over: far longer than any
// delivery takes (a chat API's Retry-After included), so a live replica's
// work is not stolen.
const DefaultClaimIdle = 2 * time.Minute

// ConsumerName returns a consumer name unique to this process: the host
// name (for people reading XINFO) and a random suffix, since a replica
// restarted under the same host name (a Kubernetes pod, a container) is
// a different consumer, and two processes on one host must not share
// pending entries.
func ConsumerName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "resetbot"
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	return host + "-" + hex.EncodeToString(b[:])
}

// Reader moves events from the store's audit streams to one sink. A crash,
// a sink outage or a slow chat API delays events; none is lost, because an
// event is acknowledged only after the sink accepted it.
type Reader struct {
	store     Store
	sink      Sink
	consumer  string
	batch     int
	idle      time.Duration
	claimIdle time.Duration
	lastClaim time.Time
	noWait    bool // the store said it cannot block
	log       *slog.Logger
	health    readerHealth
}

// ReaderOption tunes a Reader.
type ReaderOption func(*Reader)

// WithClaimIdle sets how long another consumer's unacknowledged events
// wait before this reader claims them (default DefaultClaimIdle; zero or
// less: never).
func WithClaimIdle(d time.Duration) ReaderOption { return func(r *Reader) { r.claimIdle = d } }

// NewReader makes a reader. consumer names this process within the sink's
// group: unique per process (ConsumerName), never shared by two replicas.
func NewReader(store Store, sink Sink, consumer string, log *slog.Logger, opts ...ReaderOption) *Reader {
	if log == nil {
		log = slog.Default()
	}
	r := &Reader{store: store, sink: sink, consumer: consumer, batch: 100, idle: 250 * time.Millisecond, claimIdle: DefaultClaimIdle, log: log}
	if la, ok := sink.(Lookahead); ok && la.Lookahead() > r.batch {
		r.batch = la.Lookahead()
	}
	r.health.lastRead = time.Now()
	for _, o := range opts {
		o(r)
	}
	return r
}

// Pump delivers what is waiting, once, and returns how many events the sink
// accepted. It stops at the first failure so order is kept; the failed event
// is retried by the next call. Events of a store that partly failed (one
// shard down) are still delivered; the failure is returned afterwards.
func (r *Reader) Pump(ctx context.Context) (int, error) {
	if g, ok := r.sink.(Gate); ok {
		open, err := g.Open(ctx)
		if err != nil || !open {
			// A closed gate is a standby, not a failure.
			r.health.read(time.Now(), err)
			return 0, err
		}
	}
	// Events a dead consumer left come first: they are older than
	// anything new, and the audit log's successor must write them first.
	var evs []Event
	var readErr error
	if r.claimIdle > 0 && time.Since(r.lastClaim) >= min(r.claimIdle, 30*time.Second) {
		r.lastClaim = time.Now()
		evs, readErr = r.store.ClaimEvents(ctx, r.sink.Name(), r.consumer, r.claimIdle, r.batch)
	}
	more, err := r.store.ReadEvents(ctx, r.sink.Name(), r.consumer, r.batch)
	readErr = errors.Join(readErr, err)
	if ctx.Err() == nil {
		r.health.read(time.Now(), readErr)
	}
	// What was claimed is this consumer's now, and ReadEvents returns it
	// again.
	seen := make(map[string]bool, len(evs))
	for _, ev := range evs {
		seen[ev.ID] = true
	}
	for _, ev := range more {
		if !seen[ev.ID] {
			evs = append(evs, ev)
		}
	}
	n, err := r.deliver(ctx, evs)
	return n, errors.Join(err, readErr)
}

func (r *Reader) deliver(ctx context.Context, evs []Event) (int, error) {
	if len(evs) == 0 {
		return 0, nil
	}
	if bs, ok := r.sink.(BatchSink); ok {
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

// idleBlock is how long one blocking read lasts. A blocked command does
// not end with its context, so this is also how long a shutdown may wait
// for an idle reader. idleWake is how long an idle reader waits at most
// before it pumps anyway.
const (
	idleBlock = time.Second
	idleWake  = 30 * time.Second
)

// waitEvents blocks on the store until events have arrived, when the store
// can (EventWaiter) and the sink may take them now: a sink behind a closed
// gate must not take events into this consumer (and an open gate may pass
// to another replica during a block: the events taken then wait for the
// claim of this consumer's). It stops early for the next claim of a dead
// consumer's events, and after idleWake. An idle reader so sends one
// command a second (two behind a gate) where it sent 32 every 250 ms when
// it polled every shard (#10). It reports whether it waited.
func (r *Reader) waitEvents(ctx context.Context) bool {
	w, ok := r.store.(EventWaiter)
	if !ok || r.noWait {
		return false
	}
	wake := time.Now().Add(idleWake)
	if r.claimIdle > 0 {
		wake = minTime(wake, r.lastClaim.Add(min(r.claimIdle, 30*time.Second)))
	}
	waited := false
	for ctx.Err() == nil {
		if g, gated := r.sink.(Gate); gated {
			if open, err := g.Open(ctx); err != nil || !open {
				return waited
			}
		}
		left := time.Until(wake)
		if left <= 0 {
			return waited
		}
		arrived, err := w.WaitEvents(ctx, r.sink.Name(), r.consumer, r.batch, min(idleBlock, left))
		if errors.Is(err, errors.ErrUnsupported) {
			r.noWait = true
			return waited
		}
		if err != nil {
			if ctx.Err() == nil {
				r.health.read(time.Now(), err)
			}
			return waited
		}
		r.health.read(time.Now(), nil)
		waited = true
		if arrived {
			return true
		}
	}
	return waited
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
			if r.waitEvents(ctx) {
				continue
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}
