package ldap

import (
	"context"
	"errors"
	"sync"
)

// errClosed is returned after Close.
var errClosed = errors.New("ldap: directory closed")

// pool keeps a few connections bound as the service account, so a reset
// does not pay for TCP, TLS and a bind on every search. A connection that
// failed, or that the server closed, is dropped and replaced on the next
// request.
type pool struct {
	dial  func(ctx context.Context) (*conn, error)
	idle  chan *conn
	slots chan struct{} // one token per open connection

	mu     sync.Mutex
	closed bool
}

func newPool(size int, dial func(ctx context.Context) (*conn, error)) *pool {
	return &pool{
		dial:  dial,
		idle:  make(chan *conn, size),
		slots: make(chan struct{}, size),
	}
}

// get returns an idle connection, a new one if fewer than size are open, or
// waits for one to be returned.
func (p *pool) get(ctx context.Context) (*conn, error) {
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
