package bot

import (
	"slices"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// riskWords is the helpdesk's line for a risk decision (flows.EventRiskDecided):
// which signal fired, in l, and what the policy did. The detail (counts,
// a country code, an age) is read back from the audit record's facts
// (flows.ParseRiskDetail) and worded in l too; a detail no fact writes
// (an older record) is shown as it is.
func riskWords(l i18n.Lang, ev flows.Event) (string, Tone) {
	rule, detail := flows.ParseRiskReason(ev.Reason)
	signal := string(rule)
	if slices.Contains(flows.RiskRules, rule) {
		signal = l.T("chat.risk.signal." + string(rule))
	}
	if facts, ok := flows.ParseRiskDetail(detail); ok {
		detail = riskDetailWords(l, facts)
	}
	switch flows.RiskAction(ev.Outcome) {
	case flows.RiskDeny:
		return l.T("chat.event.risk_deny", "Signal", signal, "Detail", detail), ToneDanger
	case flows.RiskStepUp:
		return l.T("chat.event.risk_step_up", "Signal", signal, "Detail", detail), ToneWarning
	}
	return l.T("chat.event.risk_note", "Signal", signal, "Detail", detail), ToneWarning
}

// riskDetailWords words a signal's facts in l: durations in words, counts
// with their plural.
func riskDetailWords(l i18n.Lang, f flows.RiskFacts) string {
	id := "chat.risk.detail." + string(f.Fact)
	switch f.Fact {
	case flows.FactPasskeyAge:
		return l.T(id, "Age", durationWords(l, f.Age), "Limit", durationWords(l, f.Limit))
	case flows.FactAccountRequests, flows.FactAccountFailures, flows.FactDepartmentRequests, flows.FactCallerDeclined:
		return l.N(id, f.Count, "Window", durationWords(l, f.Limit), "Threshold", f.Threshold, "Department", f.Department)
	}
	return l.T(id, "Country", f.Country)
}

// msgRiskDenied tells a person their request was stopped by the risk
// policy: nothing was sent, and the helpdesk is the way on.
func (b *Bot) msgRiskDenied(l i18n.Lang) Message {
	return Message{
		Summary: l.T("chat.risk.denied.summary"),
		Body:    []string{l.T("chat.risk.denied.body", "Contact", b.cfg.HelpdeskContact)},
		Tone:    ToneWarning,
	}
}
