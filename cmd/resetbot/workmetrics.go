package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/resetbot/resetbot/bot"
)

// workMetrics counts the requests the chat core acknowledged and could not
// carry out (bot.WorkMeter), by the work's name and why: each is a person
// told "working on it" who then had to be told it did not work, which
// should show on the dashboard before the helpdesk hears of it.
type workMetrics struct{ unfinished *prometheus.CounterVec }

var _ bot.WorkMeter = (*workMetrics)(nil)

// newWorkMetrics registers resetbot_requests_unfinished_total.
func newWorkMetrics(reg prometheus.Registerer) (*workMetrics, error) {
	m := &workMetrics{unfinished: prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "resetbot",
		Name:      "requests_unfinished_total",
		Help:      "Acknowledged chat requests the bot could not carry out, by work (start, help, locale, link, ...) and reason (late: waited past its deadline; shutdown: dropped at stop; panic; undeliverable: no private channel took the link; expired: the link expired before any delivery got through). The person is told when the chat lets us.",
	}, []string{"work", "reason"})}
	if err := reg.Register(m.unfinished); err != nil {
		return nil, err
	}
	return m, nil
}

// Unfinished implements bot.WorkMeter.
func (m *workMetrics) Unfinished(work, reason string) {
	m.unfinished.WithLabelValues(work, reason).Inc()
}
