package bot

import (
	"testing"
	"time"
)

// feed runs n completions of kind name taking d each through l.
func feed(l *limit, name string, d time.Duration, n int, waiting bool) {
	for range n {
		l.observe(name, d, waiting)
	}
}

// TestLimitKeepsASlowDirectoryBusy: work that is slow alike (a directory
// 2 s away) keeps the bound at the directory's concurrency, contended
// cores or not, and a few pieces refused at once among it change nothing.
func TestLimitKeepsASlowDirectoryBusy(t *testing.T) {
	l := newLimit(4, 128)
	l.contended = func() bool { return true }
	for range 50 {
		feed(&l, "start", 4*time.Second, 60, true)
		feed(&l, "start", time.Millisecond, 4, true) // rate-limited starts
	}
	if l.now != 128 {
		t.Fatalf("bound %d under uniformly slow work, want 128", l.now)
	}
}

// TestLimitYieldsTheCoresAndComesBack: when the work slows down on
// contended cores the bound drops towards the floor; when it runs at its
// own pace again it climbs back while work waits; slow work on idle cores
// does not lower it.
func TestLimitYieldsTheCoresAndComesBack(t *testing.T) {
	l := newLimit(4, 128)
	contended := true
	l.contended = func() bool { return contended }
	feed(&l, "start", 5*time.Millisecond, 256, true)
	if l.now != 128 {
		t.Fatalf("bound %d at the work's own pace, want 128", l.now)
	}
	feed(&l, "start", 200*time.Millisecond, 2000, true)
	if l.now != 4 {
		t.Fatalf("bound %d after contended slow work, want the floor 4", l.now)
	}
	contended = false
	low := l.now
	feed(&l, "start", 200*time.Millisecond, 64, false)
	if l.now != low {
		t.Fatalf("bound moved from %d to %d with nothing waiting", low, l.now)
	}
	feed(&l, "start", 5*time.Millisecond, 2000, true)
	if l.now != 128 {
		t.Fatalf("bound %d after the work ran at its pace again, want 128", l.now)
	}
	feed(&l, "start", 200*time.Millisecond, 2000, true)
	if l.now != 128 {
		t.Fatalf("bound %d: slow work on uncontended cores lowered it", l.now)
	}
}

// TestLimitSchedContendedReads: the runtime's scheduling latencies can be
// read here (the first reading has nothing to compare with).
func TestLimitSchedContendedReads(t *testing.T) {
	l := newLimit(4, 128)
	if l.schedContended() {
		t.Fatal("first reading reported contention")
	}
	if l.sched == nil {
		t.Fatal("no scheduling latency histogram from the runtime")
	}
	_ = l.schedContended()
}
