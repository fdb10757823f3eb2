package webauth

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		code   string
		status int
	}{
		{"invalid link", flows.ErrInvalidToken, "invalid-link", http.StatusNotFound},
		{"used link", flows.ErrTokenUsed, "used-link", http.StatusGone},
		{"expired", fmt.Errorf("wrapped: %w", flows.ErrExpired), "expired", http.StatusGone},
		{"transition", &flows.TransitionError{Op: "x", From: flows.StateRedeemed}, "wrong-step", http.StatusConflict},
		{"policy", &directory.PolicyError{Reason: "too short"}, "password-policy", http.StatusUnprocessableEntity},
		{"replay", credentials.ErrReplay, "code-used", http.StatusUnauthorized},
		{"store down", flows.ErrStoreUnavailable, "unavailable", http.StatusServiceUnavailable},
		{"not eligible", &flows.RefusalError{Reason: "disabled"}, "not-eligible", http.StatusForbidden},
		{"unknown passkey", errUnknownPasskey, "unknown-passkey", http.StatusNotFound},
		{"needs a factor", fmt.Errorf("x: %w", flows.ErrNeedsFactor), "needs-factor", http.StatusForbidden},
		{"daily budget, not a rate limit", fmt.Errorf("%w: %w", flows.ErrDailyFailures, flows.ErrRateLimited), "failures-today", http.StatusForbidden},
		{"password proofs paused", fmt.Errorf("%w: 1 per day", errProofBudget), "password-paused", http.StatusTooManyRequests},
		{"unknown", errors.New("boom"), "internal", http.StatusInternalServerError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Classify(tc.err)
			if p.Code != tc.code || p.Status != tc.status || p.Message == "" {
				t.Fatalf("Classify(%v) = %+v, want %s/%d", tc.err, p, tc.code, tc.status)
			}
		})
	}
}

// TestProblemsTranslated: every catalogued problem has its title and
// message (web.problem.<code>.*) in every language of the catalogue, so
// no page shows a message id (#11).
func TestProblemsTranslated(t *testing.T) {
	problems := []Problem{internalProblem}
	for _, c := range catalogue {
		problems = append(problems, c.p)
	}
	for _, tag := range i18n.Supported() {
		l := i18n.For(tag.String())
		for _, p := range problems {
			key := "web.problem." + strings.ReplaceAll(p.Code, "-", "_")
			for _, id := range []string{key + ".title", key + ".message"} {
				if got := l.T(id); got == id || got == "" {
					t.Errorf("%s: %s is not in the catalogue", tag, id)
				}
			}
		}
	}
}
