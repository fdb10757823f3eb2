package testenv

import (
	"syscall"
	"testing"
	"time"
)

// CPUTime is the CPU time (user plus system) this process has used so far,
// from getrusage. Benchmarks report it per operation next to ns/op: on a
// machine shared with other work the wall time of an operation grows with
// the load, its CPU time much less (#10).
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ReportCPU reports the process CPU time used since start, divided by b.N,
// as the benchmark's "cpu-ns/op" metric. It counts every goroutine of the
// process, so background work the operations started counts too.
func ReportCPU(b *testing.B, start time.Duration) {
	b.Helper()
	if b.N > 0 {
		b.ReportMetric(float64(CPUTime()-start)/float64(b.N), "cpu-ns/op")
	}
}
