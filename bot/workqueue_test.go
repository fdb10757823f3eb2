package bot

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"
)

func quietQueue(workers, maxQueued int, timeout time.Duration) *workQueue {
	return newWorkQueue(workers, maxQueued, timeout, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// TestBusyWhenQueueCannotFinishInTime: with every worker taken, the queue
// refuses work once what waits would keep a new piece past its deadline
// (waiting x average run time / workers), well before the memory bound,
// and not before. The average is set, not measured, so nothing is timed.
func TestBusyWhenQueueCannotFinishInTime(t *testing.T) {
	q := quietQueue(2, 1000, time.Minute)
	release := make(chan struct{})
	for range 2 {
		q.add(context.Background(), "hold", func(context.Context) { <-release })
	}
	if q.full() {
		t.Fatal("full with no run time known and nothing waiting")
	}
	q.mu.Lock()
	q.avg = 10 * time.Second // two workers finish one piece every 5 s
	q.mu.Unlock()
	// A new piece waits for those ahead of it and its share of the running
	// ones, (waiting+1) x 10 s / 2, then runs 10 s: 9 waiting make 60 s,
	// which fits; 10 make 65 s, which does not.
	for i := range 10 {
		if q.full() {
			t.Fatalf("full with %d waiting: (%d+1) x 10 s / 2 workers + 10 s fits in a minute", i, i)
		}
		q.add(context.Background(), "wait", func(context.Context) {})
	}
	if !q.full() {
		t.Fatal("not full with 10 waiting: the next would end after 65 s")
	}
	close(release)
	q.wait()
	if q.full() || q.queued() != 0 {
		t.Fatalf("after the work ran: full %v, %d queued", q.full(), q.queued())
	}
}

// TestBusyAtQueueBound: the memory bound holds whatever the estimate says.
func TestBusyAtQueueBound(t *testing.T) {
	q := quietQueue(1, 3, time.Hour)
	release := make(chan struct{})
	q.add(context.Background(), "hold", func(context.Context) { <-release })
	for range 3 {
		if q.full() {
			t.Fatalf("full with %d of 3 queued", q.queued())
		}
		q.add(context.Background(), "wait", func(context.Context) {})
	}
	if !q.full() {
		t.Fatal("not full with 3 of 3 queued")
	}
	close(release)
	q.wait()
}

// TestQueueRunsInOrderOnWorkersStartedOnDemand: waiting work runs oldest
// first, on no more goroutines than workers, and an idle queue keeps none.
func TestQueueRunsInOrderOnWorkersStartedOnDemand(t *testing.T) {
	q := quietQueue(1, 100, time.Minute)
	release := make(chan struct{})
	var mu sync.Mutex
	var order []int
	q.add(context.Background(), "hold", func(context.Context) { <-release })
	for i := range 200 { // more than the front's reclaim threshold
		q.add(context.Background(), "n", func(context.Context) {
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
		})
	}
	close(release)
	q.wait()
	if !slices.IsSorted(order) || len(order) != 200 {
		t.Fatalf("ran %d pieces, in order %v", len(order), slices.IsSorted(order))
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.running != 0 || len(q.pending) != 0 {
		t.Fatalf("idle queue: %d workers running, %d pending", q.running, len(q.pending))
	}
}

// TestQueuedWorkPastDeadlineIsDropped: a piece whose deadline passed while
// it waited is not run (its link would come too late to matter).
func TestQueuedWorkPastDeadlineIsDropped(t *testing.T) {
	q := quietQueue(1, 10, time.Minute)
	release := make(chan struct{})
	parent, cancel := context.WithCancel(context.Background())
	q.add(context.Background(), "hold", func(context.Context) { <-release })
	ran := false
	q.add(parent, "late", func(context.Context) { ran = true })
	cancel() // as the deadline would
	close(release)
	q.wait()
	if ran {
		t.Fatal("work whose context ended while queued was run")
	}
}

// TestQueuePanicIsContained: a panicking piece does not take its worker's
// queue with it.
func TestQueuePanicIsContained(t *testing.T) {
	q := quietQueue(1, 10, time.Minute)
	release := make(chan struct{})
	q.add(context.Background(), "hold", func(context.Context) { <-release })
	q.add(context.Background(), "boom", func(context.Context) { panic("boom") })
	after := false
	q.add(context.Background(), "after", func(context.Context) { after = true })
	close(release)
	q.wait()
	if !after {
		t.Fatal("the piece after a panic did not run")
	}
}

// BenchmarkQueuedWorkBytes measures the memory one waiting piece of work
// holds (the bound DefaultMaxQueued is sized by): a flow start's closure
// over its request, queued behind a busy worker.
func BenchmarkQueuedWorkBytes(b *testing.B) {
	q := quietQueue(1, b.N+1, time.Hour)
	release := make(chan struct{})
	q.add(context.Background(), "hold", func(context.Context) { <-release })
	r := Request{From: User{Name: "someone"}, Text: "reset"}
	b.ReportAllocs()
	for b.Loop() {
		q.add(context.Background(), "start", func(ctx context.Context) { _ = r })
	}
	b.StopTimer()
	close(release)
	q.wait()
}
