// Package flowmetrics turns the audit stream into Prometheus metrics: how
// many flows start, verify, complete, fail or expire, by kind and outcome.
// It is one more sink of the stream, so the numbers are the audit trail's
// numbers; with several replicas sharing one consumer group each event is
// counted once, by whichever replica read it, and sums across replicas
// are exact.
package flowmetrics

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resetbot/resetbot/flows"
)

// Sink counts audit events.
type Sink struct {
	events *prometheus.CounterVec
}

var _ flows.Sink = (*Sink)(nil)

// New registers the metrics with reg.
func New(reg prometheus.Registerer) (*Sink, error) {
	s := &Sink{events: prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "resetbot",
		Name:      "flow_events_total",
		Help:      "Audit events of reset, unlock and enroll flows, by event type, flow kind and outcome.",
	}, []string{"type", "kind", "outcome"})}
	if err := reg.Register(s.events); err != nil {
		return nil, err
	}
	return s, nil
}

// Name implements flows.Sink.
func (*Sink) Name() string { return "metrics" }

// Deliver implements flows.Sink. Counting is not idempotent: an event
// redelivered after a crash between counting and acknowledging is counted
// twice, which metrics tolerate (they are rates, not the record; the audit
// log is the record).
func (s *Sink) Deliver(_ context.Context, ev flows.Event) error {
	s.events.WithLabelValues(string(ev.Type), string(ev.Kind), ev.Outcome).Inc()
	return nil
}
