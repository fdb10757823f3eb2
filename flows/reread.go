package flows

import (
	"context"
	"slices"
	"sync"
)

// WithRead returns ctx carrying f, the flow a request has just read (the
// web app's Engine.Authorize at the start of every flow request), so that
// the engine's next step on that flow in the same request starts from it
// instead of reading it again: one read per request, not two or three.
// The step's compare-and-swap carries the version f was read at, so a
// change made since (another tab, the sweeper, the reconciler) still
// conflicts, and the step is retried from a fresh read exactly as before.
// After a step stores the flow, ctx carries what it stored, for the
// request's next step (Complete's outcome after its directory write).
// ctx must be the request's own: it is not to outlive the request.
func WithRead(ctx context.Context, f *Flow) context.Context {
	if f == nil {
		return ctx
	}
	return context.WithValue(ctx, readKey{}, &readFlow{f: f.clone()})
}

type readKey struct{}

// readFlow holds the last version of one flow that a request read or
// stored.
type readFlow struct {
	mu sync.Mutex
	f  *Flow
}

// knownFlow returns a copy of the flow id as the request last read or
// stored it, or nil when ctx carries none for id.
func knownFlow(ctx context.Context, id string) *Flow {
	r, _ := ctx.Value(readKey{}).(*readFlow)
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil || r.f.ID != id {
		return nil
	}
	return r.f.clone()
}

// noteFlow records f as the request's last view of its flow: what a step
// just stored or read from the store. A ctx without WithRead keeps
// nothing.
func noteFlow(ctx context.Context, f *Flow) {
	r, _ := ctx.Value(readKey{}).(*readFlow)
	if r == nil || f == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f != nil && r.f.ID == f.ID {
		r.f = f.clone()
	}
}

// clone is a copy of f that shares no slice with it, so a step may change
// the copy while the caller keeps the flow it read.
func (f *Flow) clone() *Flow {
	c := *f
	c.Verified = slices.Clone(f.Verified)
	c.Changed = slices.Clone(f.Changed)
	c.Risk = slices.Clone(f.Risk)
	c.RiskSeen = slices.Clone(f.RiskSeen)
	c.Revoking = slices.Clone(f.Revoking)
	return &c
}
