package ldap

import (
	"context"
	"errors"
	"sync"
	"time"
)

// errClosed is returned after Close.
var errClosed = errors.New("ldap: directory closed")

// pool keeps a few connections bound as the service account, so a reset
// does not pay for TCP, TLS and a bind on every search. A connection that
// failed, or that the server closed, is dropped and replaced on the next
// request.
type pool struct {
	dial func(ctx context.Context) (*conn, error)
	// wait bounds how long get waits for a busy pool to hand a connection
	// back (the operation timeout); dialling is bounded by the dialer.
	wait  time.Duration
	idle  chan *conn
	slots chan struct{} // one token per open connection

	mu     sync.Mutex
	closed bool
}

func newPool(size int, wait time.Duration, dial func(ctx context.Context) (*conn, error)) *pool {
	return &pool{
		dial:  dial,
		wait:  wait,
		idle:  make(chan *conn, size),
		slots: make(chan struct{}, size),
	}
}

// errPoolBusy: every connection stayed in use for the whole wait.
var errPoolBusy = errors.New("ldap: every pooled connection busy")

// get returns an idle connection, a new one if fewer than size are open, or
// waits for one to be returned, at most p.wait: a pool exhausted by a slow
// server must not hold a request past the operation timeout.
func (p *pool) get(ctx context.Context) (*conn, error) {
	var busy <-chan time.Time
	if p.wait > 0 {
		t := time.NewTimer(p.wait)
		defer t.Stop()
		busy = t.C
	}
	for {
		if p.isClosed() {
			return nil, errClosed
		}
		select {
		case c := <-p.idle:
			if c.usable() {
				return c, nil
			}
			p.discard(c)
			continue
		default:
		}
		select {
		case c := <-p.idle:
			if c.usable() {
				return c, nil
			}
			p.discard(c)
		case p.slots <- struct{}{}:
			c, err := p.dial(ctx)
			if err != nil {
				<-p.slots
				return nil, err
			}
			return c, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-busy:
			return nil, errPoolBusy
		}
	}
}

// put returns a connection; broken ones are closed.
func (p *pool) put(c *conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || !c.usable() {
		p.discard(c)
		return
	}
	// Never blocks: at most size connections exist, so idle has room.
	p.idle <- c
}

func (p *pool) discard(c *conn) {
	c.Close()
	<-p.slots
}

func (p *pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// close closes idle connections; connections in use are closed when they
// are returned.
func (p *pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for {
		select {
		case c := <-p.idle:
			p.discard(c)
		default:
			return
		}
	}
}
