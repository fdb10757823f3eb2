package password

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// RuleID names a checklist line. The IDs are stable: the browser matches
// them to update ticks, and they are safe to log (they never contain the
// password).
type RuleID string

// The checklist lines, in the order Check returns them.
const (
	RuleMinLength  RuleID = "min_length"
	RuleMaxLength  RuleID = "max_length"
	RuleComplexity RuleID = "complexity" // only when the directory requires it
	RuleNoName     RuleID = "no_name"
	RuleNotKnown   RuleID = "not_breached"
	RuleStrength   RuleID = "strength"
)

// RuleResult is one line of the checklist.
type RuleResult struct {
	ID RuleID `json:"id"`
	// Label is the line as the user reads it, in plain words.
	Label string `json:"label"`
	OK    bool   `json:"ok"`
	// Detail says why a failed rule failed where the label alone does not:
	// for the name rule, the part of the name the password contains. It
	// is shown to the person whose name it is, never logged (it is a piece
	// of the candidate).
	Detail string `json:"detail,omitempty"`
	// Part is, for the name rule, the matched part alone (for callers
	// that word Detail in another language).
	Part string `json:"-"`
}

// Result is the outcome of Check. It never contains the password, so it can
// be returned to the browser; log Failed(), not the Details.
type Result struct {
	// Rules are the checklist lines in a fixed order.
	Rules []RuleResult `json:"rules"`
	// Strength is the zxcvbn score, 0..4, for a strength meter.
	Strength int `json:"strength"`
	// Acceptable is true when every rule passed, strength included; only
	// then should the web app send the password to the directory.
	Acceptable bool `json:"acceptable"`
}

// Failed returns the IDs of the rules that did not pass, for logs and
// metrics ("why do resets fail at the password step").
func (r Result) Failed() []RuleID {
	var ids []RuleID
	for _, rr := range r.Rules {
		if !rr.OK {
			ids = append(ids, rr.ID)
		}
	}
	return ids
}

// Check evaluates candidate against rules for user. It is the server-side
// authority behind the instant browser checklist: the browser can only
// pre-check length, complexity and names; strength and the breached list
// are answered here.
func Check(rules Rules, candidate string, user UserInfo) Result {
	length := utf8.RuneCountInString(candidate)
	lower := strings.ToLower(candidate)
	names := mergeParts(rules.forbidden, user.forbiddenParts())

	res := Result{Rules: make([]RuleResult, 0, 6)}
	add := func(id RuleID, label string, ok bool) {
		res.Rules = append(res.Rules, RuleResult{ID: id, Label: label, OK: ok})
	}
	add(RuleMinLength, fmt.Sprintf("At least %d characters", rules.MinLength), length >= rules.MinLength)
	add(RuleMaxLength, fmt.Sprintf("At most %d characters", rules.MaxLength), length <= rules.MaxLength)
	if rules.ComplexityRequired {
		add(RuleComplexity, labelComplexity, classCount(candidate) >= minClasses)
	}
	matched := ""
	for _, p := range names {
		if strings.Contains(lower, p) {
			matched = p
			break
		}
	}
	add(RuleNoName, labelNoName, matched == "")
	if matched != "" {
		res.Rules[len(res.Rules)-1].Detail = fmt.Sprintf("it contains “%s”, from your name or username", matched)
		res.Rules[len(res.Rules)-1].Part = matched
	}
	known := candidate != "" && rules.Blocklist != nil && rules.Blocklist.Contains(candidate)
	add(RuleNotKnown, labelNotKnown, candidate != "" && !known)

	res.Strength = strength(candidate, strengthInputs(names, user))
	add(RuleStrength, labelStrength, res.Strength >= rules.MinStrength)

	res.Acceptable = true
	for _, rr := range res.Rules {
		res.Acceptable = res.Acceptable && rr.OK
	}
	return res
}

// Labels that do not depend on the policy's numbers.
const (
	labelComplexity = "At least three of: uppercase letter, lowercase letter, number, symbol"
	labelNoName     = "Does not contain your name or username"
	labelNotKnown   = "Not a common or previously leaked password"
	labelStrength   = "Hard to guess"
)

// mergeParts unions two lists of forbidden parts without repeats.
func mergeParts(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, p := range b {
		dup := false
		for _, q := range out {
			dup = dup || q == p
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}

// strengthInputs are the user-specific words the estimator should treat as
// known to an attacker: the forbidden parts plus the whole display name.
func strengthInputs(names []string, u UserInfo) []string {
	in := append([]string(nil), names...)
	if d := strings.ToLower(strings.TrimSpace(u.DisplayName)); d != "" {
		in = append(in, d)
	}
	return in
}
