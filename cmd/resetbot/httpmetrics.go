package main

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// routeUnmatched labels requests no mux pattern matched (a redirect or
// Go's own 404 before any handler ran).
const routeUnmatched = "unmatched"

// httpMetrics times the public listener's requests per route and status
// code. The route is the ServeMux pattern that served the request (for
// example "GET /f/{id}/verify"), never the raw path: paths carry flow ids
// and link tokens, which must not reach the metrics (they are secrets, and
// one series per token would grow without bound).
type httpMetrics struct {
	duration *prometheus.HistogramVec
}

// newHTTPMetrics registers resetbot_http_request_duration_seconds with reg.
func newHTTPMetrics(reg prometheus.Registerer) (*httpMetrics, error) {
	m := &httpMetrics{duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "resetbot",
		Name:      "http_request_duration_seconds",
		Help:      "Time to answer a request on the public listener, by route (the mux pattern, never the path) and status code.",
		Buckets:   prometheus.DefBuckets,
	}, []string{"route", "code"})}
	if err := reg.Register(m.duration); err != nil {
		return nil, err
	}
	return m, nil
}

// wrap times every request h serves. It reads the pattern after h has run:
// each http.ServeMux on the way sets Request.Pattern on the request it was
// given, so a nested mux (the web app's inside the public one) leaves its
// own, more precise pattern. A layer that passes on a copy of the request
// leaves the outer pattern instead, which is coarser but still no path.
func (m *httpMetrics) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = routeUnmatched
		}
		m.duration.WithLabelValues(route, strconv.Itoa(sw.code())).Observe(time.Since(start).Seconds())
	})
}

// statusWriter remembers the status code a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's own writer
// (flushing, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// code is the status sent, 200 when the handler wrote nothing.
func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
