package flows

import (
	"context"
	"fmt"
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

// webRisk returns the web-time findings of a successful verification and
// what to remember for the account once the flow completes.
func (e *Engine) webRisk(ctx context.Context, f *Flow, v Verification, now time.Time) ([]RiskFinding, []string, error) {
	p, ev := e.cfg.Risk, v.Evidence
	var out []RiskFinding
	var seen []string
	if v.Method == MethodPasskey && !ev.PasskeyAdded.IsZero() {
		if age := now.Sub(ev.PasskeyAdded); age < p.NewPasskeyAge {
			out = append(out, RiskFinding{RiskNewPasskey, fmt.Sprintf("the passkey used was added %s ago (less than %s)", age.Round(time.Minute), p.NewPasskeyAge)})
		}
	}
	if ev.Browser != "" {
		n, err := e.store.Used(ctx, riskBrowserKey(f.Subject.AccountID, ev.Browser), p.Memory, now)
		if err != nil {
			return nil, nil, err
		}
		if n == 0 {
			out = append(out, RiskFinding{RiskNewBrowser, "a browser never used for this account before"})
		}
		seen = append(seen, "dev:"+ev.Browser)
	}
	if c := strings.ToUpper(strings.TrimSpace(ev.Country)); c != "" {
		if rule, detail := p.countryRule(c); rule != "" {
			out = append(out, RiskFinding{rule, detail})
		} else {
			any, err := e.store.Used(ctx, riskAnyCountryKey(f.Subject.AccountID), p.Memory, now)
			if err != nil {
				return nil, nil, err
			}
			this, err := e.store.Used(ctx, riskCountryKey(f.Subject.AccountID, c), p.Memory, now)
			if err != nil {
				return nil, nil, err
			}
			if any > 0 && this == 0 {
				out = append(out, RiskFinding{RiskUnusualCountry, "web client in " + c + ", a country this account has not used before"})
			}
		}
		seen = append(seen, "ctry:"+c)
	}
	return out, seen, nil
}

// rememberSeen records, after a completed flow, the browser and country it
// was verified from, so the account's next flow from them is not new. A
// failure is logged: it costs at most one needless signal later.
func (e *Engine) rememberSeen(ctx context.Context, f *Flow) {
	now := e.clock()
	for _, s := range f.RiskSeen {
		var keys []string
		switch kind, v, _ := strings.Cut(s, ":"); kind {
		case "dev":
			keys = []string{riskBrowserKey(f.Subject.AccountID, v)}
		case "ctry":
			keys = []string{riskCountryKey(f.Subject.AccountID, v), riskAnyCountryKey(f.Subject.AccountID)}
		}
		for _, k := range keys {
			if _, err := e.store.Take(ctx, k, e.cfg.Risk.Memory, 64, now); err != nil {
				e.log.Warn("flows: could not remember a flow's browser or country", "flow", f.ID, "err", err)
				return
			}
		}
	}
}

// countRiskFailure counts a failed verification of the account for the
// velocity signal.
func (e *Engine) countRiskFailure(ctx context.Context, f *Flow, now time.Time) error {
	if !riskKind(f.Kind) || e.cfg.Risk.AccountFailures <= 0 {
		return nil
	}
	_, err := e.store.Take(ctx, riskFailuresKey(f.Subject.AccountID), e.cfg.Risk.Window, riskCount, now)
	return err
}

// applyWebRisk judges a successful verification of f by the web-time
// signals. It notes the findings on f and returns their events; a step-up
// makes the flow need a helpdesk approval before anything is written, and
// a deny returns *RiskDeniedError (the caller ends the flow).
func (e *Engine) applyWebRisk(ctx context.Context, f *Flow, v Verification, now time.Time) ([]Event, error) {
	if !riskKind(f.Kind) {
		return nil, nil
	}
	findings, seen, err := e.webRisk(ctx, f, v, now)
	if err != nil {
		return nil, err
	}
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
