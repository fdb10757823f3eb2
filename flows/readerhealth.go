package flows

import (
	"fmt"
	"sync"
	"time"
)

// readerHealth is when a reader last read the store successfully and the
// error of its reads since: a reader that cannot read (its group gone, a
// shard down, Redis refusing it) holds back every event of its sink while
// the process still answers, and readiness must say so (#15 §3b). A sink
// that refuses events (a chat API outage) is not a failed read: another
// replica could not do better, so it does not make the process unready.
type readerHealth struct {
	mu       sync.Mutex
	lastRead time.Time
	lastErr  error
}

// read records the outcome of one read of the store at now.
func (h *readerHealth) read(now time.Time, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		h.lastErr = err
		return
	}
	h.lastRead, h.lastErr = now, nil
}

// Stalled reports why the reader has not read its stream for longer than
// after (nil while it reads, or has failed for less than that): readiness
// (/readyz) asks it, so that a replica whose readers are wedged is taken
// out of service instead of looking healthy.
func (r *Reader) Stalled(now time.Time, after time.Duration) error {
	h := &r.health
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lastErr == nil || now.Sub(h.lastRead) < after {
		return nil
	}
	return fmt.Errorf("audit reader %s: no successful read for %s: %w",
		r.sink.Name(), now.Sub(h.lastRead).Round(time.Second), h.lastErr)
}
