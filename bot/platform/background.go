package platform

import (
	"context"
	"sync"
	"time"
)

// Background runs the work a platform package does on its own after it has
// answered a request (the core's first reply to a click, a deferred
// command's reply). That work must not die with the request, must not run
// forever, and must finish before the process exits; Background gives all
// three, and Wait is what shutdown calls.
type Background struct {
	timeout time.Duration
	wg      sync.WaitGroup
}

// NewBackground returns a runner whose work gets at most timeout each.
// Choose it from the platform's own limits (how long a response URL or an
// interaction token stays valid).
func NewBackground(timeout time.Duration) *Background {
	return &Background{timeout: timeout}
}

// Go runs fn in its own goroutine with a context that keeps ctx's values
// (trace ids, loggers) but not its cancellation, since ctx is usually the
// request that has just been answered, and that ends after the timeout.
func (b *Background) Go(ctx context.Context, fn func(context.Context)) {
	b.wg.Go(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.timeout)
		defer cancel()
		fn(ctx)
	})
}

// Wait blocks until every fn started with Go has returned (or timed out).
// Call it at shutdown, after the server stopped taking requests.
func (b *Background) Wait() { b.wg.Wait() }
