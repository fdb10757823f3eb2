package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestHTTPMetricsRoute checks the route label is the innermost mux pattern
// (the public mux holds the web app's mux at "/", as serve's handler does)
// and that no raw path, flow id or token becomes a label value.
func TestHTTPMetricsRoute(t *testing.T) {
	inner := http.NewServeMux()
	inner.HandleFunc("GET /f/{id}/verify", func(w http.ResponseWriter, _ *http.Request) {})
	inner.HandleFunc("POST /r/{token}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusSeeOther) })
	inner.HandleFunc("/", http.NotFound)
	outer := http.NewServeMux()
	outer.HandleFunc("POST /slack/events", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
	// A handler in front of the inner mux, as webauth.Server sets headers.
	outer.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Frame-Options", "DENY")
		inner.ServeHTTP(w, r)
	}))

	reg := prometheus.NewRegistry()
	m, err := newHTTPMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	h := m.wrap(outer)
	tests := []struct {
		name, method, path string
		route, code        string
	}{
		{name: "nested pattern with flow id", method: "GET", path: "/f/0123abcd/verify", route: "GET /f/{id}/verify", code: "200"},
		{name: "token path", method: "POST", path: "/r/secret-token-value", route: "POST /r/{token}", code: "303"},
		{name: "platform webhook", method: "POST", path: "/slack/events", route: "POST /slack/events", code: "200"},
		{name: "unknown path", method: "GET", path: "/nope/secret-token-value", route: "/", code: "404"},
	}
	for _, tt := range tests {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tt.method, tt.path, nil))
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{} // "route code" -> sample count
	for _, mf := range mfs {
		for _, mt := range mf.GetMetric() {
			var route, code string
			for _, l := range mt.GetLabel() {
				switch l.GetName() {
				case "route":
					route = l.GetValue()
				case "code":
					code = l.GetValue()
				}
			}
			got[route+" "+code] = mt.GetHistogram().GetSampleCount()
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := got[tt.route+" "+tt.code]; n != 1 {
				t.Errorf("route=%q code=%q: %d samples, want 1; series: %v", tt.route, tt.code, n, got)
			}
		})
	}
	if len(got) != len(tests) {
		t.Errorf("series %v, want exactly one per case", got)
	}
	for key := range got {
		for _, secret := range []string{"0123abcd", "secret-token-value"} {
			if strings.Contains(key, secret) {
				t.Errorf("label values %q contain %q", key, secret)
			}
		}
	}
}
