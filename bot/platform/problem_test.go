package platform

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestProblemOf(t *testing.T) {
	custom := NewProblem(http.StatusBadRequest, "malformed thing")
	tests := []struct {
		name string
		err  error
		want *Problem
	}{
		{"catalogued", ErrTooLarge, ErrTooLarge},
		{"wrapped with cause", fmt.Errorf("%w: over 10 bytes", ErrTooLarge), ErrTooLarge},
		{"joined", errors.Join(ErrBadBody, errors.New("eof")), ErrBadBody},
		{"platform entry", fmt.Errorf("%w: no type", custom), custom},
		{"uncatalogued is internal", errors.New("secret detail"), ErrInternal},
		{"nil is internal", nil, ErrInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ProblemOf(tt.err); got != tt.want {
				t.Errorf("ProblemOf(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestCatalogue(t *testing.T) {
	tests := []struct {
		name   string
		p      *Problem
		status int
		text   string
	}{
		{"unauthorized", ErrUnauthorized, 401, "Unauthorized"},
		{"too large", ErrTooLarge, 413, "request too large"},
		{"bad body", ErrBadBody, 400, "unreadable request body"},
		{"unavailable", ErrUnavailable, 503, "temporarily unavailable"},
		{"internal", ErrInternal, 500, "Internal Server Error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.p.Status != tt.status || tt.p.Error() != tt.text {
				t.Errorf("got %d %q, want %d %q", tt.p.Status, tt.p.Error(), tt.status, tt.text)
			}
		})
	}
}

func TestWriteProblem(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		body   string
	}{
		{"cause stays out", fmt.Errorf("%w: token xoxb-secret expired", ErrUnauthorized), 401, "Unauthorized"},
		{"uncatalogued", errors.New("dial tcp 10.0.0.1: refused"), 500, "Internal Server Error"},
		{"platform entry", NewProblem(http.StatusNotImplemented, "invoke not handled"), 501, "invoke not handled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			WriteProblem(w, tt.err)
			if w.Code != tt.status || strings.TrimSpace(w.Body.String()) != tt.body {
				t.Errorf("got %d %q, want %d %q", w.Code, w.Body.String(), tt.status, tt.body)
			}
		})
	}
}
