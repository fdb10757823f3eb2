package flows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// RiskRule names one risk signal as the policy sees it: the key of
// RiskPolicy.Actions and the code the audit trail carries. The country
// signal has two rules (an unusual country, a denied one) because a policy
// treats them differently.
type RiskRule string

// The risk rules. Each is computed where its evidence is: the passkey's
// age, the browser and the country by the web app when the user verifies
// (web time), velocity and a declined caller verification by the engine
// when the request arrives from chat (request time).
const (
	// RiskNewPasskey: the passkey used was added less than
	// RiskPolicy.NewPasskeyAge ago (a new device, or one an attacker just
	// enrolled).
	RiskNewPasskey RiskRule = "new_passkey"
	// RiskNewBrowser: the browser holds no device cookie this account has
	// completed a flow with before.
	RiskNewBrowser RiskRule = "new_browser"
	// RiskUnusualCountry: the web client's country differs from every
	// country this account completed a flow from before.
	RiskUnusualCountry RiskRule = "unusual_country"
	// RiskDeniedCountry: the country is on the deny list, or an allow list
	// is set and the country is not on it.
	RiskDeniedCountry RiskRule = "denied_country"
	// RiskVelocity: too many requests or failed verifications for the
	// account, or requests from its department, within RiskPolicy.Window.
	RiskVelocity RiskRule = "velocity"
	// RiskCallerDeclined: the account's owner declined a caller
	// verification within RiskPolicy.Window ("I did not call the helpdesk").
	RiskCallerDeclined RiskRule = "caller_declined"
)

// RiskRules lists every rule, in the order the policy and the README name
// them.
var RiskRules = []RiskRule{RiskNewPasskey, RiskNewBrowser, RiskUnusualCountry, RiskDeniedCountry, RiskVelocity, RiskCallerDeclined}

// Signal is the stable signal code of the rule: "country" for both
// country rules, the rule's own name for the others.
func (r RiskRule) Signal() string {
	if r == RiskUnusualCountry || r == RiskDeniedCountry {
		return "country"
	}
	return string(r)
}

// RiskAction is what a policy does when a signal fires.
type RiskAction string

// The risk actions, from mildest to strictest.
const (
	// RiskNote shows the signal in the helpdesk thread; nothing else changes.
	RiskNote RiskAction = "note"
	// RiskStepUp makes the flow wait for a helpdesk approval exactly as a
	// privileged account's reset does (never by the requester or target).
	RiskStepUp RiskAction = "step_up"
	// RiskDeny ends the flow; the user is told to contact the helpdesk.
	RiskDeny RiskAction = "deny"
)

// Valid reports whether a is one of the three actions.
func (a RiskAction) Valid() bool { return a == RiskNote || a == RiskStepUp || a == RiskDeny }

// rank orders the actions so the strictest of several signals wins.
func (a RiskAction) rank() int {
	switch a {
	case RiskStepUp:
		return 1
	case RiskDeny:
		return 2
	}
	return 0
}

// RiskPolicy maps risk signals to actions. The zero value notes every
// signal and counts no velocity: safe, since a note changes nothing but
// the helpdesk's view.
type RiskPolicy struct {
	// NewPasskeyAge: a passkey added less than this long ago is new
	// (default 24h).
	NewPasskeyAge time.Duration
	// Window is how far back velocity and declined caller verifications
	// are counted (default 24h).
	Window time.Duration
	// AccountRequests, AccountFailures and DepartmentRequests are the
	// velocity thresholds within Window: more requests for one account
	// than AccountRequests, at least AccountFailures failed verifications
	// of it, more requests from one department than DepartmentRequests.
	// Zero turns a count off.
	AccountRequests    int
	AccountFailures    int
	DepartmentRequests int
	// AllowCountries, if not empty, are the only countries (ISO 3166-1
	// alpha-2) a web client may be in; DenyCountries are never allowed.
	AllowCountries []string
	DenyCountries  []string
	// Actions maps each rule to its action; a rule not listed is noted.
	Actions map[RiskRule]RiskAction
	// Memory is how long a browser and a country are remembered for an
	// account after a completed flow (default 180 days).
	Memory time.Duration
}

func (p RiskPolicy) withDefaults() RiskPolicy {
	if p.NewPasskeyAge <= 0 {
		p.NewPasskeyAge = 24 * time.Hour
	}
	if p.Window <= 0 {
		p.Window = 24 * time.Hour
	}
	if p.Memory <= 0 {
		p.Memory = 180 * 24 * time.Hour
	}
	return p
}

// Action is the policy's action for rule (RiskNote when not configured).
func (p RiskPolicy) Action(rule RiskRule) RiskAction {
	if a, ok := p.Actions[rule]; ok && a.Valid() {
		return a
	}
	return RiskNote
}

// countryRule returns the rule a country breaks by the lists alone
// (RiskDeniedCountry) with its detail, or "".
func (p RiskPolicy) countryRule(country string) (RiskRule, string) {
	if hasCountry(p.DenyCountries, country) {
		return RiskDeniedCountry, RiskFacts{Fact: FactCountryDenied, Country: country}.Detail()
	}
	if len(p.AllowCountries) > 0 && !hasCountry(p.AllowCountries, country) {
		return RiskDeniedCountry, RiskFacts{Fact: FactCountryNotAllowed, Country: country}.Detail()
	}
	return "", ""
}

func hasCountry(list []string, c string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(strings.TrimSpace(x), c) })
}

// RiskFinding is one signal that fired, with the facts that made it fire
// (safe for the audit trail: counts, a country code, an age; never an
// address or a cookie).
type RiskFinding struct {
	Rule   RiskRule
	Detail string
}

// riskDecision is what the policy made of a step's findings.
type riskDecision struct {
	findings []RiskFinding
	action   RiskAction // the strictest action of the findings
	cause    RiskRule   // the finding that set action
}

// decideRisk applies the policy to findings.
func (p RiskPolicy) decide(findings []RiskFinding) riskDecision {
	d := riskDecision{findings: findings, action: RiskNote}
	for _, f := range findings {
		if a := p.Action(f.Rule); d.cause == "" || a.rank() > d.action.rank() {
			d.action, d.cause = a, f.Rule
		}
	}
	return d
}

// RiskStepUpReason is the reason of the audit event that says a flow needs
// a helpdesk approval because of a risk signal (the risk.decided event
// beside it names the signal).
const RiskStepUpReason = "risk signal: helpdesk approval required"

// OutcomeRiskDenied is the Outcome of the EventFailed that ends a flow a
// risk signal's deny stopped at its verification; the risk.decided event
// before it names the signal, and its Reason is the audit log's words
// ("denied by risk policy: new_passkey"), which readers do not parse.
const OutcomeRiskDenied = "risk"

// EventRiskDecided is the audit event of one risk decision: a signal fired
// and the policy noted it, stepped the flow up to a helpdesk approval, or
// denied it. Outcome is the action ("note", "step_up", "deny"); Reason
// starts with the signal code and the rule (see RiskReason).
const EventRiskDecided EventType = "risk.decided"

// RiskReason is the Reason of an EventRiskDecided: "signal rule: detail"
// ("country unusual_country: web client in FR, ..."), or "signal: detail"
// when the rule is the signal. ParseRiskReason reads it back.
func RiskReason(rule RiskRule, detail string) string {
	head := rule.Signal()
	if head != string(rule) {
		head += " " + string(rule)
	}
	return head + ": " + detail
}

// ParseRiskReason returns the rule and the detail of an EventRiskDecided's
// Reason, for the helpdesk thread's words.
func ParseRiskReason(reason string) (RiskRule, string) {
	head, detail, _ := strings.Cut(reason, ": ")
	sig, rule, ok := strings.Cut(head, " ")
	if !ok {
		rule = sig
	}
	return RiskRule(rule), detail
}

// riskEvents are the audit events of d for f, one per finding.
func (e *Engine) riskEvents(f *Flow, d riskDecision, actor string, now time.Time) []Event {
	evs := make([]Event, 0, len(d.findings))
	for _, fd := range d.findings {
		ev := e.event(f, happened{Type: EventRiskDecided, Actor: actor, Outcome: string(e.cfg.Risk.Action(fd.Rule))}, now)
		ev.To = ""
		ev.Reason = RiskReason(fd.Rule, fd.Detail)
		evs = append(evs, ev)
	}
	return evs
}

// noteRisk adds the findings' signal codes to f.Risk, once each.
func noteRisk(f *Flow, d riskDecision) {
	for _, fd := range d.findings {
		if !slices.Contains(f.Risk, string(fd.Rule)) {
			f.Risk = append(f.Risk, string(fd.Rule))
		}
	}
}

// ErrRiskDenied: a risk signal's policy is deny, so the flow ended (or was
// never started); the user is told to contact the helpdesk. The concrete
// error is a *RiskDeniedError.
var ErrRiskDenied = errors.New("flows: denied by risk policy")

// RiskDeniedError names the rule whose deny ended the flow.
type RiskDeniedError struct{ Rule RiskRule }

// Error implements error.
func (e *RiskDeniedError) Error() string {
	return fmt.Sprintf("flows: denied by risk policy (%s)", e.Rule)
}

// Is makes errors.Is(err, ErrRiskDenied) true.
func (e *RiskDeniedError) Is(target error) bool { return target == ErrRiskDenied }

// riskKind reports whether flows of kind k are judged by the risk policy:
// the ones that change an account from a chat request (reset, change,
// unlock). Enrollment, approvals, revocations and caller verifications
// have their own proofs and rules.
func riskKind(k Kind) bool {
	return k == KindReset || k == KindChange || k == KindUnlock
}

// Validate reports every problem of the policy at once, each as "key:
// problem" with the key as the configuration's risk section names it
// (window, actions.velocity, countries.deny[2]), so `config check` and
// `serve` refuse the same files.
func (p RiskPolicy) Validate() []error {
	var errs []error
	add := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if p.Window != 0 && (p.Window < time.Minute || p.Window > 30*24*time.Hour) {
		add("window", "%s is out of range 1m..720h", p.Window)
	}
	if p.NewPasskeyAge < 0 || p.NewPasskeyAge > 366*24*time.Hour {
		add("new_passkey_hours", "%d is out of range 0..8784", int(p.NewPasskeyAge/time.Hour))
	}
	for key, n := range map[string]int{"velocity.account_requests": p.AccountRequests,
		"velocity.account_failures": p.AccountFailures, "velocity.department_requests": p.DepartmentRequests} {
		if n < 0 {
			add(key, "%d is negative (0 turns the count off)", n)
		}
	}
	for _, rule := range RiskRules {
		if a, ok := p.Actions[rule]; ok && !a.Valid() {
			add("actions."+string(rule), "%q is not one of note, step_up, deny", a)
		}
	}
	for name, list := range map[string][]string{"allow": p.AllowCountries, "deny": p.DenyCountries} {
		for i, c := range list {
			if !isCountryCode(c) {
				add(fmt.Sprintf("countries.%s[%d]", name, i), "%q is not an ISO 3166-1 alpha-2 country code like DE", c)
			} else if name == "allow" && hasCountry(p.DenyCountries, c) {
				add(fmt.Sprintf("countries.allow[%d]", i), "%s is on the deny list too", c)
			}
		}
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errs
}

func isCountryCode(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}
