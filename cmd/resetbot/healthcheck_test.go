package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthcheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{name: "healthy", args: []string{"healthcheck", "--url", srv.URL + "/healthz"}, wantCode: 0},
		{name: "unhealthy status", args: []string{"healthcheck", "--url", srv.URL + "/readyz"}, wantCode: 1, wantErr: "503"},
		{name: "nothing listening", args: []string{"healthcheck", "--url", closed.URL + "/healthz"}, wantCode: 1, wantErr: "connect"},
		{name: "stray argument", args: []string{"healthcheck", "extra"}, wantCode: 2, wantErr: "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tt.args...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("got code %d stderr %q; want %d containing %q", code, errOut, tt.wantCode, tt.wantErr)
			}
		})
	}
}
