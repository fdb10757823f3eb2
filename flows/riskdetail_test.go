package flows

import (
	"testing"
	"time"
)

// TestRiskDetailRoundTrip: every fact's English detail reads back as the
// same facts (so the chat can word them in any language), the texts are
// the ones the audit record has always carried, and a detail no fact
// writes reads as nothing.
func TestRiskDetailRoundTrip(t *testing.T) {
	day := 24 * time.Hour
	for _, c := range []struct {
		facts RiskFacts
		text  string
	}{
		{RiskFacts{Fact: FactPasskeyAge, Age: 0, Limit: day}, "the passkey used was added 0s ago (less than 24h0m0s)"},
		{RiskFacts{Fact: FactPasskeyAge, Age: 90 * time.Minute, Limit: 2 * day}, "the passkey used was added 1h30m0s ago (less than 48h0m0s)"},
		{RiskFacts{Fact: FactNewBrowser}, "a browser never used for this account before"},
		{RiskFacts{Fact: FactCountryDenied, Country: "KP"}, "web client in KP, a denied country"},
		{RiskFacts{Fact: FactCountryNotAllowed, Country: "FR"}, "web client in FR, not an allowed country"},
		{RiskFacts{Fact: FactCountryNew, Country: "DE"}, "web client in DE, a country this account has not used before"},
		{RiskFacts{Fact: FactAccountRequests, Count: 4, Threshold: 3, Limit: day}, "4 requests for this account within 24h0m0s (more than 3)"},
		{RiskFacts{Fact: FactAccountFailures, Count: 5, Threshold: 5, Limit: time.Hour}, "5 failed verifications of this account within 1h0m0s (at least 5)"},
		{RiskFacts{Fact: FactDepartmentRequests, Count: 11, Threshold: 10, Limit: day, Department: "Human Resources (EMEA)"}, "11 requests from department Human Resources (EMEA) within 24h0m0s (more than 10)"},
		{RiskFacts{Fact: FactCallerDeclined, Count: 1, Limit: day}, "the account's owner declined 1 caller verification(s) within 24h0m0s"},
	} {
		if got := c.facts.Detail(); got != c.text {
			t.Errorf("%s: detail %q, want %q", c.facts.Fact, got, c.text)
		}
		back, ok := ParseRiskDetail(c.text)
		if !ok || back != c.facts {
			t.Errorf("%q reads back as %+v (%v), want %+v", c.text, back, ok, c.facts)
		}
	}
	for _, foreign := range []string{"", "something else", "the passkey used was added soon ago (less than 24h0m0s)"} {
		if f, ok := ParseRiskDetail(foreign); ok {
			t.Errorf("%q reads as %+v", foreign, f)
		}
	}
}
