package ldap

import (
	"context"
	"errors"
	"sync"
	"time"
)

// errClosed is returned after Close.
var errClosed = errors.New("ldap: directory closed")

// requestsPerConn bounds the requests outstanding at once on one pooled
// connection. go-ldap tags every request with its own message id and
// matches the answers as they come, so one connection carries many
// requests side by side: with a directory 2 s away, 32 requests on one
// connection take 2 s together, not 64 s in a row. The bound spreads a
// burst over the pool's connections first and stays far below what
// servers accept per bound connection (slapd's conn_max_pending_auth is
// 1,000; Active Directory's MaxActiveQueries was 20 per connection before
// Windows Server 2008 and is not enforced since).
const requestsPerConn = 32

// pool keeps a few long-lived connections bound as the service account,
// so a reset pays for TCP, TLS and a bind once per connection, not per
// request, and shares each connection between concurrent requests (up to
// requestsPerConn), so a slow directory limits latency, not throughput. A
// connection that failed, or that the server closed, is handed out no more,
// closed once its last request returned, and replaced on demand.
type pool struct {
	dial func(ctx context.Context) (*conn, error)
	// wait bounds how long get waits for a pool at capacity to free a
	// place (the operation timeout); dialling is bounded by the dialer.
	wait    time.Duration
	size    int // connections
	perConn int // requests outstanding per connection

	mu      sync.Mutex
	conns   []*conn // open connections new requests may use
	dialing int
	// changed is closed (and replaced) whenever a place may have freed:
	// a request returned, a connection was dialled or failed to be.
	changed chan struct{}
	closed  bool
}

func newPool(size int, wait time.Duration, dial func(ctx context.Context) (*conn, error)) *pool {
	return &pool{dial: dial, wait: wait, size: size, perConn: requestsPerConn, changed: make(chan struct{})}
}

// errPoolBusy: every connection stayed at capacity for the whole wait.
var errPoolBusy = errors.New("ldap: every pooled connection busy")

// get returns a connection for one request, which the caller gives back
// with put: the least used open connection if it is idle or if no more may
// be opened, else a new one; when every connection carries perConn
// requests it waits for a place, at most p.wait: a pool exhausted by a
// slow server must not hold a request past the operation timeout.
func (p *pool) get(ctx context.Context) (*conn, error) {
	var busy <-chan time.Time
	if p.wait > 0 {
		t := time.NewTimer(p.wait)
		defer t.Stop()
		busy = t.C
	}
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, errClosed
		}
		p.prune()
		var best *conn
		for _, c := range p.conns {
			if best == nil || c.users < best.users {
				best = c
			}
		}
		full := len(p.conns)+p.dialing >= p.size
		switch {
		case best != nil && (best.users == 0 || (full && best.users < p.perConn)):
			best.users++
			p.mu.Unlock()
			return best, nil
		case !full:
			p.dialing++
			p.mu.Unlock()
			c, err := p.dial(ctx)
			p.mu.Lock()
			p.dialing--
			p.signal()
			if err == nil && p.closed {
				c.Close()
				err = errClosed
			}
			if err != nil {
				p.mu.Unlock()
				return nil, err
			}
			c.users = 1
			p.conns = append(p.conns, c)
			p.mu.Unlock()
			return c, nil
		}
		changed := p.changed
		p.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-busy:
			return nil, errPoolBusy
		}
	}
}

// put gives back a connection get returned; a broken one is closed once
// no request uses it any more.
func (p *pool) put(c *conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c.users--
	if c.users == 0 && (p.closed || !c.usable()) {
		c.Close()
		p.remove(c)
	}
	p.signal()
}

// prune stops handing out connections that broke, closing those no
// request uses (the others close in put). p.mu is held.
func (p *pool) prune() {
	kept := p.conns[:0]
	for _, c := range p.conns {
		switch {
		case c.usable():
			kept = append(kept, c)
		case c.users == 0:
			c.Close()
		}
	}
	clear(p.conns[len(kept):])
	p.conns = kept
}

// remove drops c from the open connections. p.mu is held.
func (p *pool) remove(c *conn) {
	for i, o := range p.conns {
		if o == c {
			p.conns = append(p.conns[:i], p.conns[i+1:]...)
			return
		}
	}
}

// signal wakes the requests waiting for a place. p.mu is held.
func (p *pool) signal() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// close closes idle connections; connections in use are closed when their
// last request returns.
func (p *pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	kept := p.conns[:0]
	for _, c := range p.conns {
		if c.users == 0 {
			c.Close()
			continue
		}
		kept = append(kept, c)
	}
	clear(p.conns[len(kept):])
	p.conns = kept
	p.signal()
}
