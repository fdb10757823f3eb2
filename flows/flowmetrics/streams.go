package flowmetrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/resetbot/resetbot/flows"
)

// Streams exports what the audit-stream upkeep saw: how far behind each
// consumer group (each sink) is, and how large the streams are, so a
// lagging sink is noticed before Redis runs out of memory.
type Streams struct {
	backlog *prometheus.GaugeVec
	lag     *prometheus.GaugeVec
	entries prometheus.Gauge
	over    prometheus.Gauge
	trimmed prometheus.Counter
}

// NewStreams registers the stream metrics with reg.
func NewStreams(reg prometheus.Registerer) (*Streams, error) {
	s := &Streams{
		backlog: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "resetbot", Name: "audit_backlog_events",
			Help: "Audit events a consumer group has not acknowledged yet (pending plus undelivered), by group.",
		}, []string{"group"}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "resetbot", Name: "audit_lag_seconds",
			Help: "How long the oldest audit event a consumer group has not acknowledged has waited, by group (0: nothing waits).",
		}, []string{"group"}),
		entries: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "resetbot", Name: "audit_stream_events",
			Help: "Audit events held in the Redis streams, over all shards.",
		}),
		over: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "resetbot", Name: "audit_stream_over_max_len",
			Help: "1 when the streams hold more than audit.stream_max_len because a group lags behind.",
		}),
		trimmed: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "resetbot", Name: "audit_stream_trimmed_events_total",
			Help: "Audit events trimmed after every group acknowledged them.",
		}),
	}
	for _, c := range []prometheus.Collector{s.backlog, s.lag, s.entries, s.over, s.trimmed} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Observe records one upkeep pass.
func (s *Streams) Observe(st flows.StreamStats) {
	for g, n := range st.Backlog {
		s.backlog.WithLabelValues(g).Set(float64(n))
		s.lag.WithLabelValues(g).Set(st.Lag[g].Seconds())
	}
	s.entries.Set(float64(st.Entries))
	over := 0.0
	if st.OverMaxLen {
		over = 1
	}
	s.over.Set(over)
	s.trimmed.Add(float64(st.Trimmed))
}
