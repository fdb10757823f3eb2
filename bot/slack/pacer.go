package slack

import (
	"context"
	"sync"
	"time"
)

// pacer hands out posting slots per channel, at most one per interval,
// in the order they were asked for. Callers wait for their slot instead
// of being dropped: a late audit line is fine, a lost one is not.
type pacer struct {
	interval time.Duration
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error

	mu   sync.Mutex
	next map[string]time.Time
}

func newPacer(interval time.Duration) *pacer {
	return &pacer{interval: interval, now: time.Now, sleep: sleepCtx, next: map[string]time.Time{}}
}

// wait blocks until channel's next slot, or until ctx ends.
func (p *pacer) wait(ctx context.Context, channel string) error {
	if p.interval <= 0 {
		return nil
	}
	p.mu.Lock()
	now := p.now()
	slot := now
	if n, ok := p.next[channel]; ok && n.After(now) {
		slot = n
	}
	p.next[channel] = slot.Add(p.interval)
	if len(p.next) > 1024 {
		// DMs make one channel per user: forget the idle ones.
		for ch, n := range p.next {
			if !n.After(now) {
				delete(p.next, ch)
			}
		}
	}
	p.mu.Unlock()
	if d := slot.Sub(now); d > 0 {
		return p.sleep(ctx, d)
	}
	return nil
}

// sleepCtx sleeps for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
