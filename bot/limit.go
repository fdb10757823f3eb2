package bot

import (
	"runtime/metrics"
	"slices"
	"time"
)

// limit is the background work's concurrency bound, between floor and max
// (the directory's concurrency). It starts at max and comes down only when
// two things hold over a window of completions: the cores are contended
// (goroutines waited, runnable, more than contendedSched for a CPU at the
// 99th percentile, the queue every acknowledgement waits in too), and the
// work itself has slowed (the median run time of the window's most common
// kinds of work is over three times the least median lately seen for the
// kind: a help answer and a flow start cost different things). Then extra
// workers only lengthen the cores' queue, and the bound drops by a
// quarter; otherwise, with work waiting, it rises by a quarter. A slow
// directory makes every run slow alike without loading the cores: that is
// latency, not contention, and the bound stays high so its capacity stays
// in use. Medians, not single runs, are compared, so a few pieces that
// end at once (a refused request) do not make every normal one look slow.
type limit struct {
	now, floor, max int

	least   map[string]time.Duration // per kind: the least window median lately
	recent  map[string]time.Duration // per kind: the least in this era
	window  map[string][]time.Duration
	samples int
	windows int // uncontended windows in this era
	sched   *metrics.Float64Histogram
	// contended reports whether the cores were contended since the last
	// call; tests replace it.
	contended func() bool
}

// limitWindows is the uncontended windows after which the least medians
// are replaced by those seen since: a directory that became slower for
// good (a failover to a remote site) resets the yardstick within a few
// windows, while sustained contention cannot make itself the yardstick.
const limitWindows = 16

// contendedSched is the scheduling latency (99th percentile) above which
// the cores count as contended: an acknowledgement waits for a CPU a few
// times, and Slack's budget for all of it is what the ack goals leave.
const contendedSched = 2 * time.Millisecond

func newLimit(floor, max int) limit {
	l := limit{now: max, floor: floor, max: max, least: map[string]time.Duration{}, recent: map[string]time.Duration{}, window: map[string][]time.Duration{}}
	l.contended = l.schedContended
	return l
}

// observe records that a piece of kind name ran for d; waiting says
// whether work is queued (the bound only rises when it would be used).
func (l *limit) observe(name string, d time.Duration, waiting bool) {
	l.window[name] = append(l.window[name], d)
	l.samples++
	if l.samples < max(8, l.now/2) {
		return
	}
	slow, fast := 0, 0
	for kind, runs := range l.window {
		if len(runs) < 3 {
			continue
		}
		slices.Sort(runs)
		med := runs[len(runs)/2]
		if m, ok := l.least[kind]; !ok || med < m {
			l.least[kind] = med
		}
		if m, ok := l.recent[kind]; !ok || med < m {
			l.recent[kind] = med
		}
		if med > 3*l.least[kind] {
			slow += len(runs)
		} else {
			fast += len(runs)
		}
	}
	contended := l.contended()
	switch {
	case slow > fast && contended:
		l.now = max(l.floor, l.now*3/4)
	case waiting:
		l.now = min(l.max, l.now+max(1, l.now/4))
	}
	clear(l.window)
	l.samples = 0
	if contended {
		return // the yardstick holds while the cores are the bottleneck
	}
	l.windows++
	if l.windows >= limitWindows {
		l.least, l.recent = l.recent, map[string]time.Duration{}
		l.windows = 0
	}
}

// schedContended reads the runtime's scheduling latencies and reports
// whether their 99th percentile since the last reading passed
// contendedSched.
func (l *limit) schedContended() bool {
	m := []metrics.Sample{{Name: "/sched/latencies:seconds"}}
	metrics.Read(m)
	if m[0].Value.Kind() != metrics.KindFloat64Histogram {
		return false
	}
	now := m[0].Value.Float64Histogram()
	before := l.sched
	l.sched = now
	if before == nil || len(before.Counts) != len(now.Counts) {
		return false
	}
	var total uint64
	for i := range now.Counts {
		total += now.Counts[i] - before.Counts[i]
	}
	if total == 0 {
		return false
	}
	var seen uint64
	for i := range now.Counts {
		seen += now.Counts[i] - before.Counts[i]
		if float64(seen) >= 0.99*float64(total) {
			return now.Buckets[i] >= contendedSched.Seconds()
		}
	}
	return false
}
