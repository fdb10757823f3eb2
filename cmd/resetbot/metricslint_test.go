package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/resetbot/resetbot/directory"
)

// TestServeMetricsPassPromlint gathers the registry serve builds, after one
// public request and one directory call so the labelled metrics have series,
// and runs client_golang's promlint over it: names, units, help texts and
// counter suffixes follow Prometheus conventions.
func TestServeMetricsPassPromlint(t *testing.T) {
	m := miniredis.RunT(t)
	cfg, err := loadConfig(writeTestConfig(t, t.TempDir(), testConfig{PublicBaseURL: "http://localhost:8080", RedisAddr: m.Addr(), SlackAPI: "http://127.0.0.1:1/"}))
	if err != nil {
		t.Fatal(err)
	}
	s, err := build(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.close)
	s.handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/nope", nil))
	s.dir.Find(context.Background(), directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})

	mfs, err := s.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, mf := range mfs {
		names[mf.GetName()] = true
	}
	for _, want := range []string{
		"resetbot_build_info", "resetbot_http_request_duration_seconds",
		"resetbot_directory_operation_duration_seconds", "resetbot_redis_pool_connections",
	} {
		if !names[want] {
			t.Errorf("%s not gathered", want)
		}
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
}
