package main

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

// TestWorkMetricsCountUnfinishedRequests: what the core reports as
// unfinished is counted by work and reason, under a name promlint accepts.
func TestWorkMetricsCountUnfinishedRequests(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := newWorkMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	m.Unfinished("start", "late")
	m.Unfinished("start", "late")
	m.Unfinished("link", "undeliverable")
	if n := testutil.ToFloat64(m.unfinished.WithLabelValues("start", "late")); n != 2 {
		t.Errorf("start/late = %v, want 2", n)
	}
	if n := testutil.ToFloat64(m.unfinished.WithLabelValues("link", "undeliverable")); n != 1 {
		t.Errorf("link/undeliverable = %v, want 1", n)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
}
