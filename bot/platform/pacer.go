package platform

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Pacer spaces one platform's posts per channel below the platform's rate
// limit, so the platform never has to refuse them, and decides their order:
// urgent posts (approval requests, which someone must act on) go before
// every informational post waiting for the same channel, in whatever order
// they were asked for. Every platform package posts through one, so the
// rule "an approval never waits behind a backlog" is written once.
//
// Spacing keeps a margin: a channel's next post starts no sooner than the
// interval plus the margin after the previous one started, and no sooner
// than the interval after the previous one's answer came (one post in
// flight per channel). The platform accepted the previous post at some
// moment before its answer arrived and receives the next one after it was
// sent, so the two are at least the interval apart on the platform's own
// clock, whatever the network's jitter or a slow answer: spacing the
// starts alone let a post answered late (accepted late) and the next one,
// sent on time, arrive closer than the platform allows.
// When the platform answers with a Retry-After anyway, the whole channel
// pauses for that long, and a short pause is waited out and the refused
// post sent again at the head of its lane: it was refused, not accepted,
// so nothing is posted twice. A longer one is returned to the caller (the
// audit reader retries later, honouring it).
type Pacer struct {
	interval time.Duration
	margin   float64
	retry    time.Duration
	clock    Clock

	mu    sync.Mutex
	chans map[string]*channelQueue
}

// Clock is the time source of a Pacer: real time in production, a
// ManualClock in tests, so no test sleeps.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// PacerOption adjusts a Pacer.
type PacerOption func(*Pacer)

// WithClock replaces the real clock (tests).
func WithClock(c Clock) PacerOption { return func(p *Pacer) { p.clock = c } }

// WithMargin sets the spacing's margin above the interval, as a fraction
// (default 0.1: ten percent).
func WithMargin(m float64) PacerOption { return func(p *Pacer) { p.margin = max(m, 0) } }

// WithInlineRetry sets the longest Retry-After the pacer waits out itself
// before sending the refused post again (default 5 s); longer ones are
// returned to the caller.
func WithInlineRetry(d time.Duration) PacerOption { return func(p *Pacer) { p.retry = max(d, 0) } }

// NewPacer paces posts at most one per interval per channel (plus the
// margin). A zero interval disables pacing: posts run at once and a
// Retry-After is returned as it came (tests of a platform's own limits).
func NewPacer(interval time.Duration, opts ...PacerOption) *Pacer {
	p := &Pacer{interval: interval, margin: 0.1, retry: 5 * time.Second, clock: realClock{}, chans: map[string]*channelQueue{}}
	for _, o := range opts {
		o(p)
	}
	return p
}

// maxInlineRetries bounds how often one post is sent again after a
// Retry-After before the error goes to the caller.
const maxInlineRetries = 3

// maxIdleChannels bounds the channels remembered; idle ones are forgotten
// (DMs make one channel per user).
const maxIdleChannels = 1024

// channelQueue is one channel's state.
type channelQueue struct {
	busy    bool      // a post is in flight (or its slot was handed out)
	next    time.Time // earliest start of the next post
	waiting [2][]*waiter
	timer   bool // a dispatch is scheduled
}

type waiter struct {
	ready   chan struct{}
	granted bool
}

// retryAfter is implemented by errors that say how long to wait
// (*bot.RetryAfterError).
type retryAfter interface{ RetryAfter() time.Duration }

// Post runs post in channel's next slot, urgent ones first, and returns
// its error. It waits while ctx lives; post gets the same ctx.
func (p *Pacer) Post(ctx context.Context, channel string, urgent bool, post func(context.Context) error) error {
	if p.interval <= 0 {
		return post(ctx)
	}
	front := false
	for attempt := 0; ; attempt++ {
		if err := p.acquire(ctx, channel, urgent, front); err != nil {
			return err
		}
		start := p.clock.Now()
		err := post(ctx)
		var ra retryAfter
		pause := time.Duration(0)
		if errors.As(err, &ra) {
			pause = ra.RetryAfter()
		}
		p.release(channel, start, pause)
		if pause <= 0 || pause > p.retry || attempt >= maxInlineRetries || ctx.Err() != nil {
			return err
		}
		front = true // refused, not accepted: the same post goes again, first in its lane
	}
}

// Waiting reports how many posts wait for channel's next slot.
func (p *Pacer) Waiting(channel string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.chans[channel]
	if q == nil {
		return 0
	}
	return len(q.waiting[0]) + len(q.waiting[1])
}

func lane(urgent bool) int {
	if urgent {
		return 0
	}
	return 1
}

// acquire returns once the caller holds channel's slot.
func (p *Pacer) acquire(ctx context.Context, channel string, urgent, front bool) error {
	p.mu.Lock()
	q := p.queue(channel)
	now := p.clock.Now()
	if !q.busy && len(q.waiting[0])+len(q.waiting[1]) == 0 && !now.Before(q.next) {
		q.busy = true
		p.mu.Unlock()
		return nil
	}
	w := &waiter{ready: make(chan struct{})}
	l := lane(urgent)
	if front {
		q.waiting[l] = append([]*waiter{w}, q.waiting[l]...)
	} else {
		q.waiting[l] = append(q.waiting[l], w)
	}
	p.schedule(channel, q, now)
	p.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		p.mu.Lock()
		defer p.mu.Unlock()
		if w.granted {
			// The slot came as ctx ended: pass it on unused.
			q.busy = false
			p.schedule(channel, q, p.clock.Now())
		} else {
			for i := range q.waiting {
				q.waiting[i] = remove(q.waiting[i], w)
			}
		}
		return ctx.Err()
	}
}

// release records a finished post and hands the slot on in time.
func (p *Pacer) release(channel string, start time.Time, pause time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.queue(channel)
	now := p.clock.Now()
	q.busy = false
	q.next = start.Add(p.spacing())
	if answered := now.Add(p.interval); answered.After(q.next) {
		q.next = answered
	}
	if pause > 0 && now.Add(pause).After(q.next) {
		q.next = now.Add(pause)
	}
	p.schedule(channel, q, now)
}

func (p *Pacer) spacing() time.Duration {
	return p.interval + time.Duration(float64(p.interval)*p.margin)
}

// schedule hands the slot to the first waiter when it is due, or arranges
// to. Called with p.mu held.
func (p *Pacer) schedule(channel string, q *channelQueue, now time.Time) {
	if q.busy || q.timer || len(q.waiting[0])+len(q.waiting[1]) == 0 {
		return // the next caller finds the channel free, or waits for a slot
	}
	if d := q.next.Sub(now); d > 0 {
		q.timer = true
		after := p.clock.After(d)
		go func() {
			<-after
			p.mu.Lock()
			defer p.mu.Unlock()
			q.timer = false
			p.schedule(channel, q, p.clock.Now())
		}()
		return
	}
	for i := range q.waiting {
		if len(q.waiting[i]) > 0 {
			w := q.waiting[i][0]
			q.waiting[i] = q.waiting[i][1:]
			w.granted = true
			q.busy = true
			close(w.ready)
			return
		}
	}
}

// queue returns channel's state, forgetting idle channels when there are
// too many. Called with p.mu held.
func (p *Pacer) queue(channel string) *channelQueue {
	q := p.chans[channel]
	if q != nil {
		return q
	}
	if len(p.chans) >= maxIdleChannels {
		now := p.clock.Now()
		for ch, old := range p.chans {
			if !old.busy && !old.timer && len(old.waiting[0])+len(old.waiting[1]) == 0 && !now.Before(old.next) {
				delete(p.chans, ch)
			}
		}
	}
	q = &channelQueue{}
	p.chans[channel] = q
	return q
}

func remove(ws []*waiter, w *waiter) []*waiter {
	for i, x := range ws {
		if x == w {
			return append(ws[:i:i], ws[i+1:]...)
		}
	}
	return ws
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// ManualClock is a Clock that moves only when told, for tests of paced
// code: Advance fires the timers that fell due.
type ManualClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []manualTimer
}

type manualTimer struct {
	at time.Time
	ch chan time.Time
}

// NewManualClock starts a clock at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{now: t} }

// Now implements Clock.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After implements Clock.
func (c *ManualClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.timers = append(c.timers, manualTimer{at: c.now.Add(d), ch: ch})
	return ch
}

// Timers reports how many timers wait to fire.
func (c *ManualClock) Timers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// UntilNext reports how far the earliest timer is from now.
func (c *ManualClock) UntilNext() (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return 0, false
	}
	next := c.timers[0].at
	for _, t := range c.timers[1:] {
		if t.at.Before(next) {
			next = t.at
		}
	}
	return next.Sub(c.now), true
}

// Advance moves the clock and fires every timer due by then.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		if !t.at.After(c.now) {
			t.ch <- c.now
		} else {
			kept = append(kept, t)
		}
	}
	c.timers = kept
}
