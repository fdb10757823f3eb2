package flows

import (
	"strings"
	"time"
)

// RiskEvidence is what the web app knows about the person verifying, for
// the web-time risk signals. Each field is optional: an empty one fires
// nothing.
type RiskEvidence struct {
	// PasskeyAdded is when the passkey used was added (the credential
	// store's record); zero for another factor or an unknown time.
	PasskeyAdded time.Time
	// Browser is an opaque, stable id of the browser: a hash of its signed
	// device cookie, never a fingerprint of the person.
	Browser string
	// Country is the web client's country (ISO 3166-1 alpha-2) from the
	// configured geo database; empty when unknown.
	Country string
}

// webRiskReads are the window counts the web-time signals of a successful
// verification need (the browser, the country), read in one round trip
// with the verification's other counts.
func (e *Engine) webRiskReads(f *Flow, v Verification) []Window {
	if !riskKind(f.Kind) || !v.OK {
		return nil
	}
	p, ev := e.cfg.Risk, v.Evidence
	var reads []Window
	if ev.Browser != "" {
		reads = append(reads, Window{riskBrowserKey(f.Subject.AccountID, ev.Browser), p.Memory})
	}
	if c := evidenceCountry(ev); c != "" {
		if rule, _ := p.countryRule(c); rule == "" {
			reads = append(reads, Window{riskAnyCountryKey(f.Subject.AccountID), p.Memory}, Window{riskCountryKey(f.Subject.AccountID, c), p.Memory})
		}
	}
	return reads
}

// evidenceCountry is the evidence's country code as the keys and the
// lists spell it.
func evidenceCountry(ev RiskEvidence) string { return strings.ToUpper(strings.TrimSpace(ev.Country)) }

// webRisk returns the web-time findings of a successful verification and
// what to remember for the account once the flow completes; used gives
// the counts of webRiskReads' windows.
func (e *Engine) webRisk(f *Flow, v Verification, used func(key string) int64, now time.Time) ([]RiskFinding, []string) {
	p, ev := e.cfg.Risk, v.Evidence
	var out []RiskFinding
	var seen []string
	if v.Method == MethodPasskey && !ev.PasskeyAdded.IsZero() {
		if age := now.Sub(ev.PasskeyAdded); age < p.NewPasskeyAge {
			out = append(out, RiskFinding{RiskNewPasskey, RiskFacts{Fact: FactPasskeyAge, Age: age.Round(time.Minute), Limit: p.NewPasskeyAge}.Detail()})
		}
	}
	if ev.Browser != "" {
		if used(riskBrowserKey(f.Subject.AccountID, ev.Browser)) == 0 {
			out = append(out, RiskFinding{RiskNewBrowser, RiskFacts{Fact: FactNewBrowser}.Detail()})
		}
		seen = append(seen, "dev:"+ev.Browser)
	}
	if c := evidenceCountry(ev); c != "" {
		if rule, detail := p.countryRule(c); rule != "" {
			out = append(out, RiskFinding{rule, detail})
		} else if used(riskAnyCountryKey(f.Subject.AccountID)) > 0 && used(riskCountryKey(f.Subject.AccountID, c)) == 0 {
			out = append(out, RiskFinding{RiskUnusualCountry, RiskFacts{Fact: FactCountryNew, Country: c}.Detail()})
		}
		seen = append(seen, "ctry:"+c)
	}
	return out, seen
}

// seenBudgets are what a completed flow remembers for its account: the
// browser and country it was verified from, so the account's next flow
// from them is not new. They are spent with the record of the completion
// (Engine.finish), once the directory took the write; a failure is
// logged: it costs at most one needless signal later.
func (e *Engine) seenBudgets(f *Flow) []Budget {
	var budgets []Budget
	for _, s := range f.RiskSeen {
		var keys []string
		switch kind, v, _ := strings.Cut(s, ":"); kind {
		case "dev":
			keys = []string{riskBrowserKey(f.Subject.AccountID, v)}
		case "ctry":
			keys = []string{riskCountryKey(f.Subject.AccountID, v), riskAnyCountryKey(f.Subject.AccountID)}
		}
		for _, k := range keys {
			budgets = append(budgets, Budget{Key: k, Window: e.cfg.Risk.Memory, Max: 64})
		}
	}
	return budgets
}

// riskFailureBudget is the velocity signal's count of a failed
// verification of the account, when the policy counts failures (ok false:
// nothing to count).
func (e *Engine) riskFailureBudget(f *Flow) (Budget, bool) {
	if !riskKind(f.Kind) || e.cfg.Risk.AccountFailures <= 0 {
		return Budget{}, false
	}
	return Budget{Key: riskFailuresKey(f.Subject.AccountID), Window: e.cfg.Risk.Window, Max: riskCount}, true
}

// applyWebRisk judges a successful verification of f by the web-time
// signals (used gives the counts of webRiskReads). It notes the findings
// on f and returns their events; a step-up makes the flow need a helpdesk
// approval before anything is written, and a deny returns
// *RiskDeniedError (the caller ends the flow).
func (e *Engine) applyWebRisk(f *Flow, v Verification, used func(key string) int64, now time.Time) ([]Event, error) {
	if !riskKind(f.Kind) {
		return nil, nil
	}
	findings, seen := e.webRisk(f, v, used, now)
	d := e.cfg.Risk.decide(findings)
	noteRisk(f, d)
	f.RiskSeen = seen
	evs := e.riskEvents(f, d, "system", now)
	for i := range evs {
		evs[i].SourceIP, evs[i].Device = v.Client.IP, v.Client.Device
	}
	switch d.action {
	case RiskStepUp:
		f.Approval.Required = true
	case RiskDeny:
		f.RiskDenied = string(d.cause)
		return evs, &RiskDeniedError{Rule: d.cause}
	}
	return evs, nil
}
