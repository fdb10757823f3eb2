package bot

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// DefaultWorkers bounds the background work running at once when the
// directory does not say how many requests it carries
// (directory.Concurrent); with it, Workers defaults to that number.
const DefaultWorkers = 64

// DefaultMaxQueued bounds the work accepted but not yet running. A queued
// piece of work is a closure over its request, about a kilobyte
// (BenchmarkQueuedWorkBytes measures it), so the default queue holds at
// most about 10 MB; the deadline (workTimeout) usually refuses work long
// before: a queue is refused when what it holds could not be done in time.
const DefaultMaxQueued = 10000

// workQueue runs the core's background work: at most workers pieces at
// once, each on a goroutine started when it is taken (so an idle bot keeps
// none), the rest waiting in order in a bounded queue. A piece's deadline
// runs from the moment it was accepted, so time spent waiting counts
// against it, and a piece whose deadline passed before a worker took it is
// dropped, not run late. A piece that is dropped (late, or because the
// process is stopping) or panics is not silent: its unfinished callback
// tells the person who was promised it (unfinished.go).
//
// The worker bound follows what the work waits on: a flow start holds one
// directory request at a time, so as many workers as the directory carries
// requests at once keep a slow directory's capacity in use (with a
// directory 2 s away, 128 workers start 128 flows per 2 s per directory
// round trip, not 16), and more would only queue inside its pool. When
// the work waits on the CPU instead (a fast directory, a burst of
// requests), more workers do not finish more but crowd out the
// acknowledgements that share the cores: the limit then comes down
// (limit.go), and goes back up when the work runs at its own pace again.
type workQueue struct {
	workers   int
	maxQueued int
	timeout   time.Duration
	log       *slog.Logger

	mu      sync.Mutex
	pending []queuedWork // waiting, oldest first; pending[head:] are live
	head    int
	running int
	limit   limit
	// avg is a moving average of how long a piece of work ran, once taken:
	// with it, the wait of the next piece is about len(queue) x avg /
	// workers.
	avg time.Duration
	wg  sync.WaitGroup
}

// queuedWork is one accepted piece of work.
type queuedWork struct {
	name   string
	ctx    context.Context
	cancel context.CancelFunc
	work   func(ctx context.Context)
	// unfinished, when set, is called once when the piece is dropped
	// unrun or panics, with the reason (unfinishedLate, ...) and, for a
	// panic, the error id its log line carries.
	unfinished func(reason, errorID string)
}

func newWorkQueue(workers, maxQueued int, timeout time.Duration, log *slog.Logger) *workQueue {
	floor := min(workers, max(4, 2*runtime.GOMAXPROCS(0)))
	return &workQueue{workers: workers, maxQueued: maxQueued, timeout: timeout, log: log, limit: newLimit(floor, workers)}
}

// full reports whether new work should be refused: the queue is at its
// bound, or the work already in it would keep a new piece waiting past its
// deadline (estimated from how long work has been running).
func (q *workQueue) full() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	waiting := len(q.pending) - q.head
	if waiting >= q.maxQueued {
		return true
	}
	if q.running < q.limit.now || q.avg <= 0 {
		return false
	}
	wait := time.Duration(waiting+1) * q.avg / time.Duration(q.limit.now)
	return wait+q.avg > q.timeout
}

// queued is how many accepted pieces wait for a worker.
func (q *workQueue) queued() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending) - q.head
}

// add accepts work under parent, with its deadline starting now. The
// caller checks full first; add itself never refuses, so a piece accepted
// between the check and here (another request's) only overshoots the bound
// by the requests in flight.
func (q *workQueue) add(parent context.Context, name string, work func(ctx context.Context)) {
	q.addTold(parent, name, work, nil)
}

// addTold is add for work promised to someone: unfinished (which may be
// nil) is called if the piece is dropped unrun or panics.
func (q *workQueue) addTold(parent context.Context, name string, work func(ctx context.Context), unfinished func(reason, errorID string)) {
	q.mu.Lock()
	timeout := q.timeout
	q.mu.Unlock()
	ctx, cancel := context.WithTimeout(parent, timeout)
	j := queuedWork{name: name, ctx: ctx, cancel: cancel, work: work, unfinished: unfinished}
	q.wg.Add(1)
	q.mu.Lock()
	if q.running < q.limit.now {
		q.running++
		q.mu.Unlock()
		go q.worker(j)
		return
	}
	q.pending = append(q.pending, j)
	q.mu.Unlock()
}

// worker runs j, then whatever waits, until the queue is empty. A piece
// counts as done once its worker has taken the next one or ended, so wait
// returns with the workers gone.
func (q *workQueue) worker(j queuedWork) {
	for {
		q.run(j)
		next, ok := q.next()
		q.wg.Done()
		if !ok {
			return
		}
		j = next
	}
}

// next takes the oldest waiting piece, or ends the worker (ok false).
func (q *workQueue) next() (queuedWork, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.head == len(q.pending) || q.running > q.limit.now {
		q.running--
		if q.head == len(q.pending) {
			q.pending, q.head = q.pending[:0], 0
		}
		return queuedWork{}, false
	}
	j := q.pending[q.head]
	q.pending[q.head] = queuedWork{} // let the closure go
	q.head++
	if q.head > len(q.pending)/2 && q.head > 64 {
		// Reclaim the front: copy the live part down once half is spent.
		n := copy(q.pending, q.pending[q.head:])
		clear(q.pending[n:])
		q.pending, q.head = q.pending[:n], 0
	}
	return j, true
}

// run runs one piece, unless its deadline passed while it waited (by the
// clock, not only by the context's timer, which may fire a little late) or
// the process is stopping; either way, or when it panics, the piece's
// unfinished callback tells whoever was promised it.
func (q *workQueue) run(j queuedWork) {
	defer j.cancel()
	if dl, ok := j.ctx.Deadline(); j.ctx.Err() != nil || ok && !time.Now().Before(dl) {
		reason := unfinishedLate
		if errors.Is(j.ctx.Err(), context.Canceled) {
			reason = unfinishedShutdown
		}
		q.log.Warn("background work dropped before it ran", "work", j.name, "reason", reason)
		q.tell(j, reason, "")
		return
	}
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			id := newErrorID()
			q.log.Error("background work panicked", "work", j.name, "panic", r, "error_id", id, "stack", string(debug.Stack()))
			q.tell(j, unfinishedPanic, id)
		}
		q.observe(j.name, time.Since(start))
	}()
	j.work(j.ctx)
}

// tell calls j's unfinished callback, if any; a panic in it is logged,
// never passed on to the worker.
func (q *workQueue) tell(j queuedWork, reason, errorID string) {
	if j.unfinished == nil {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			q.log.Error("telling a person their request was not carried out panicked", "work", j.name, "panic", r)
		}
	}()
	j.unfinished(reason, errorID)
}

// setTimeout changes the deadline of the work accepted from now on (tests).
func (q *workQueue) setTimeout(d time.Duration) {
	q.mu.Lock()
	q.timeout = d
	q.mu.Unlock()
}

// observe folds one run time into the average (weight 1/8) and into the
// limit, and starts workers for waiting work when the limit rose.
func (q *workQueue) observe(name string, d time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.avg == 0 {
		q.avg = d
	} else {
		q.avg += (d - q.avg) / 8
	}
	q.limit.observe(name, d, len(q.pending) > q.head)
	for q.running < q.limit.now && len(q.pending) > q.head {
		j := q.pending[q.head]
		q.pending[q.head] = queuedWork{}
		q.head++
		q.running++
		go q.worker(j)
	}
}

// wait blocks until every piece accepted so far has run or been dropped.
func (q *workQueue) wait() { q.wg.Wait() }
