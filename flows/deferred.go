package flows

import (
	"context"
	"errors"
	"sync"
)

// maxDeferred bounds the audit events kept in memory while Redis is away.
// Beyond it the oldest are dropped (and logged): the process must not grow
// without limit during a long outage.
const maxDeferred = 1000

// deferredEvent is an audit event that could not be appended when it
// happened, with the key of the stream shard it belongs to.
type deferredEvent struct {
	key string
	ev  Event
}

// deferredEvents holds them until FlushDeferred appends them.
type deferredEvents struct {
	mu  sync.Mutex
	evs []deferredEvent
}

// appendOrDefer appends events of a request that failed (the directory or
// Redis was down); when Redis itself refuses, they are kept in memory and
// appended by FlushDeferred once it is back, so the attempt still reaches
// the audit log and the helpdesk, with the time it happened.
func (e *Engine) appendOrDefer(ctx context.Context, key string, evs []Event) {
	err := e.store.Append(ctx, key, evs)
	if err == nil {
		return
	}
	e.deferred.mu.Lock()
	defer e.deferred.mu.Unlock()
	for _, ev := range evs {
		e.deferred.evs = append(e.deferred.evs, deferredEvent{key: key, ev: ev})
	}
	if over := len(e.deferred.evs) - maxDeferred; over > 0 {
		e.log.Error("flows: audit events of failed requests dropped: too many kept while the store is away", "dropped", over)
		e.deferred.evs = append([]deferredEvent(nil), e.deferred.evs[over:]...)
	}
	e.log.Warn("flows: audit event of a failed request kept until the store is back", "events", len(evs), "err", err)
}

// FlushDeferred appends the audit events kept while Redis was away, oldest
// first, and returns how many it appended; the rest stay for the next call.
// The service's sweeper calls it on every tick.
func (e *Engine) FlushDeferred(ctx context.Context) (int, error) {
	e.deferred.mu.Lock()
	pending := e.deferred.evs
	e.deferred.evs = nil
	e.deferred.mu.Unlock()
	n := 0
	var err error
	for ; n < len(pending); n++ {
		d := pending[n]
		if err = e.store.Append(ctx, d.key, []Event{d.ev}); err != nil {
			break
		}
	}
	if rest := pending[n:]; len(rest) > 0 {
		e.deferred.mu.Lock()
		e.deferred.evs = append(rest, e.deferred.evs...)
		e.deferred.mu.Unlock()
	}
	return n, errors.Join(err)
}
