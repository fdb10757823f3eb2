package flowmetrics_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/flowmetrics"
)

func TestCountsEventsByTypeKindOutcome(t *testing.T) {
	reg := prometheus.NewRegistry()
	s, err := flowmetrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []flows.Event{
		{Type: flows.EventRequested, Kind: flows.KindReset, Outcome: "ok"},
		{Type: flows.EventRequested, Kind: flows.KindReset, Outcome: "ok"},
		{Type: flows.EventVerifyFailed, Kind: flows.KindReset, Outcome: "failed"},
		{Type: flows.EventCompleted, Kind: flows.KindUnlock, Outcome: "ok"},
	} {
		if err := s.Deliver(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	want := `
# HELP resetbot_flow_events_total Audit events of reset, unlock and enroll flows, by event type, flow kind and outcome.
# TYPE resetbot_flow_events_total counter
resetbot_flow_events_total{kind="reset",outcome="failed",type="verify.failed"} 1
resetbot_flow_events_total{kind="reset",outcome="ok",type="flow.requested"} 2
resetbot_flow_events_total{kind="unlock",outcome="ok",type="flow.completed"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "resetbot_flow_events_total"); err != nil {
		t.Fatal(err)
	}
	if _, err := flowmetrics.New(reg); err == nil {
		t.Fatal("registering twice should fail")
	}
}

func TestStreamMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	s, err := flowmetrics.NewStreams(reg)
	if err != nil {
		t.Fatal(err)
	}
	s.Observe(flows.StreamStats{Entries: 30, Backlog: map[string]int64{"chat-threads": 12, "auditlog": 0},
		Lag: map[string]time.Duration{"chat-threads": 90 * time.Second, "auditlog": 0}, Trimmed: 5, OverMaxLen: true})
	want := `
# HELP resetbot_audit_backlog_events Audit events a consumer group has not acknowledged yet (pending plus undelivered), by group.
# TYPE resetbot_audit_backlog_events gauge
resetbot_audit_backlog_events{group="auditlog"} 0
resetbot_audit_backlog_events{group="chat-threads"} 12
# HELP resetbot_audit_lag_seconds How long the oldest audit event a consumer group has not acknowledged has waited, by group (0: nothing waits).
# TYPE resetbot_audit_lag_seconds gauge
resetbot_audit_lag_seconds{group="auditlog"} 0
resetbot_audit_lag_seconds{group="chat-threads"} 90
# HELP resetbot_audit_stream_over_max_len 1 when the streams hold more than audit.stream_max_len because a group lags behind.
# TYPE resetbot_audit_stream_over_max_len gauge
resetbot_audit_stream_over_max_len 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "resetbot_audit_backlog_events", "resetbot_audit_lag_seconds", "resetbot_audit_stream_over_max_len"); err != nil {
		t.Fatal(err)
	}
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) != 0 {
		t.Fatalf("promlint: %v %v", problems, err)
	}
}
