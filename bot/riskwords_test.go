package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// TestDurationWords: spans of time in the words people use, with plurals
// right, instead of Go's "24h0m0s".
func TestDurationWords(t *testing.T) {
	en, de := i18n.For("en"), i18n.For("de")
	for _, c := range []struct {
		l    i18n.Lang
		d    time.Duration
		want string
	}{
		{en, 0, "less than a minute"},
		{en, 59 * time.Second, "less than a minute"},
		{en, time.Minute, "1 minute"},
		{en, 2 * time.Minute, "2 minutes"},
		{en, time.Hour, "1 hour"},
		{en, 90 * time.Minute, "1 hour 30 minutes"},
		{en, 24 * time.Hour, "24 hours"},
		{en, 49 * time.Hour, "2 days 1 hour"},
		{en, 7 * 24 * time.Hour, "7 days"},
		{de, 0, "weniger als einer Minute"},
		{de, 24 * time.Hour, "24 Stunden"},
		{de, 72 * time.Hour, "3 Tagen"},
		{i18n.For("fr"), 24 * time.Hour, "24 heures"},
		{i18n.For("es"), 61 * time.Minute, "1 hora 1 minuto"},
	} {
		if got := durationWords(c.l, c.d); got != c.want {
			t.Errorf("%s %v = %q, want %q", c.l, c.d, got, c.want)
		}
	}
}

// riskEvent is the audit event the engine writes for one finding.
func riskEvent(rule flows.RiskRule, facts flows.RiskFacts, outcome flows.RiskAction) flows.Event {
	return flows.Event{Type: flows.EventRiskDecided, Outcome: string(outcome), Reason: flows.RiskReason(rule, facts.Detail())}
}

// TestRiskDetailInTheThreadsLanguage: the helpdesk reads a risk signal's
// facts in its own language, durations in words and counts with their
// plural, where the thread used to show the audit record's English
// ("added 0s ago (less than 24h0m0s)").
func TestRiskDetailInTheThreadsLanguage(t *testing.T) {
	en, de := i18n.For("en"), i18n.For("de")
	day := 24 * time.Hour
	for _, c := range []struct {
		l     i18n.Lang
		rule  flows.RiskRule
		facts flows.RiskFacts
		want  string
	}{
		{en, flows.RiskNewPasskey, flows.RiskFacts{Fact: flows.FactPasskeyAge, Age: 0, Limit: day},
			"Risk signal: new passkey (added less than a minute ago, within 24 hours)"},
		{en, flows.RiskNewPasskey, flows.RiskFacts{Fact: flows.FactPasskeyAge, Age: 2 * time.Minute, Limit: day},
			"Risk signal: new passkey (added 2 minutes ago, within 24 hours)"},
		{de, flows.RiskNewPasskey, flows.RiskFacts{Fact: flows.FactPasskeyAge, Age: 2 * time.Minute, Limit: day},
			"Risikosignal: neuer Passkey (vor 2 Minuten hinzugefügt, innerhalb von 24 Stunden)"},
		{en, flows.RiskVelocity, flows.RiskFacts{Fact: flows.FactAccountFailures, Count: 1, Threshold: 1, Limit: day},
			"Risk signal: many requests or failed verifications (1 failed verification of this account within 24 hours, at or over the limit of 1)"},
		{en, flows.RiskVelocity, flows.RiskFacts{Fact: flows.FactDepartmentRequests, Count: 12, Threshold: 10, Limit: 2 * time.Hour, Department: "Human Resources"},
			"Risk signal: many requests or failed verifications (12 requests from the Human Resources department within 2 hours, over the limit of 10)"},
		{de, flows.RiskCallerDeclined, flows.RiskFacts{Fact: flows.FactCallerDeclined, Count: 1, Limit: day},
			"Risikosignal: abgelehnte Anruferprüfung (die Person, der das Konto gehört, hat innerhalb von 24 Stunden 1 Anruferprüfung abgelehnt)"},
		{de, flows.RiskDeniedCountry, flows.RiskFacts{Fact: flows.FactCountryDenied, Country: "KP"},
			"Risikosignal: Land nicht erlaubt (Web-Client in KP, einem gesperrten Land)"},
	} {
		if got, _ := riskWords(c.l, riskEvent(c.rule, c.facts, flows.RiskNote)); got != c.want {
			t.Errorf("%s %s:\n got %q\nwant %q", c.l, c.facts.Fact, got, c.want)
		}
	}
	// A detail no fact writes (an older record) is shown as it is.
	old := flows.Event{Type: flows.EventRiskDecided, Outcome: "note", Reason: "new_passkey: something the engine once wrote"}
	if got, _ := riskWords(en, old); !strings.Contains(got, "(something the engine once wrote)") {
		t.Errorf("an unknown detail: %q", got)
	}
}

// TestEveryRiskFactHasWords: each fact the engine writes has its words
// in every language (an id missing from the catalogue would show as the
// id itself).
func TestEveryRiskFactHasWords(t *testing.T) {
	facts := []flows.RiskFact{
		flows.FactPasskeyAge, flows.FactNewBrowser, flows.FactCountryDenied, flows.FactCountryNotAllowed, flows.FactCountryNew,
		flows.FactAccountRequests, flows.FactAccountFailures, flows.FactDepartmentRequests, flows.FactCallerDeclined,
	}
	for _, tag := range i18n.Supported() {
		l := i18n.For(tag.String())
		for _, f := range facts {
			facts := flows.RiskFacts{Fact: f, Count: 3, Threshold: 2, Limit: time.Hour, Country: "FR", Department: "Sales"}
			if _, ok := flows.ParseRiskDetail(facts.Detail()); !ok {
				t.Errorf("%s: the engine's detail %q does not read back", f, facts.Detail())
			}
			if got := riskDetailWords(l, facts); strings.Contains(got, "chat.") || strings.Contains(got, "<no value>") {
				t.Errorf("%s: %s has no words: %q", tag, f, got)
			}
		}
	}
}

// TestRiskDeniedFlowEndInTheThreadsLanguage: the line that ends a flow a
// risk signal denied at verification is the thread's language, not the
// audit record's "denied by risk policy: new_passkey".
func TestRiskDeniedFlowEndInTheThreadsLanguage(t *testing.T) {
	ev := flows.Event{Type: flows.EventFailed, Outcome: flows.OutcomeRiskDenied, Reason: "denied by risk policy: new_passkey"}
	for lang, want := range map[string]string{
		"en": "Failed: denied by the risk policy (the risk signal above says why)",
		"de": "Fehlgeschlagen: von der Risikorichtlinie abgelehnt (das Risikosignal darüber sagt, warum)",
	} {
		b := &Bot{cfg: Config{Language: lang}}
		if got, tone := b.eventWords(ev); got != want || tone != ToneDanger {
			t.Errorf("%s: %q (%v), want %q", lang, got, tone, want)
		}
	}
}
