package bot

import (
	"slices"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/i18n"
)

// riskWords is the helpdesk's line for a risk decision (flows.EventRiskDecided):
// which signal fired, in l, and what the policy did. The detail (counts,
// a country code, an age) is the audit record's own text, shown as it is.
func riskWords(l i18n.Lang, ev flows.Event) (string, Tone) {
	rule, detail := flows.ParseRiskReason(ev.Reason)
	signal := string(rule)
	if slices.Contains(flows.RiskRules, rule) {
		signal = l.T("chat.risk.signal." + string(rule))
	}
	switch flows.RiskAction(ev.Outcome) {
	case flows.RiskDeny:
		return l.T("chat.event.risk_deny", "Signal", signal, "Detail", detail), ToneDanger
	case flows.RiskStepUp:
		return l.T("chat.event.risk_step_up", "Signal", signal, "Detail", detail), ToneWarning
	}
	return l.T("chat.event.risk_note", "Signal", signal, "Detail", detail), ToneWarning
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
