package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/resetbot/resetbot/bot/platform"
)

// chatMetrics counts every chat API call by platform and outcome (ok,
// error, rate_limited), fed by bot/platform's metered transport, so a
// platform refusing or throttling the bot shows on the dashboard.
type chatMetrics struct{ calls *prometheus.CounterVec }

var _ platform.CallMeter = (*chatMetrics)(nil)

// newChatMetrics registers resetbot_chat_api_calls_total.
func newChatMetrics(reg prometheus.Registerer) (*chatMetrics, error) {
	m := &chatMetrics{calls: prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "resetbot",
		Name:      "chat_api_calls_total",
		Help:      "Calls to a chat platform's API, by platform and outcome (ok, error, rate_limited: a 429).",
	}, []string{"platform", "outcome"})}
	if err := reg.Register(m.calls); err != nil {
		return nil, err
	}
	return m, nil
}

// ChatCall implements platform.CallMeter.
func (m *chatMetrics) ChatCall(platformName, outcome string) {
	m.calls.WithLabelValues(platformName, outcome).Inc()
}
