package password

import (
	"encoding/json"
	"fmt"
	"strings"
)

// clientRules is the JSON the browser receives. It deliberately holds only
// what can be checked locally without secrets: the breached list and the
// strength estimate stay on the server, behind a rate-limited request.
type clientRules struct {
	MinLength          int          `json:"minLength"`
	MaxLength          int          `json:"maxLength"`
	ComplexityRequired bool         `json:"complexityRequired"`
	MinClasses         int          `json:"minClasses"`
	ForbiddenParts     []string     `json:"forbiddenParts"`
	HistoryLength      int          `json:"historyLength"`
	MinStrength        int          `json:"minStrength"`
	Checklist          []clientLine `json:"checklist"`
}

// clientLine is a checklist line as the page first renders it, with
// whether the browser can evaluate it itself (Local) or must ask the server.
type clientLine struct {
	ID    RuleID `json:"id"`
	Label string `json:"label"`
	Local bool   `json:"local"`
}

// ClientJSON encodes the rules for the browser, so the checklist ticks
// length, complexity and name rules on every keystroke with no request.
// Lengths count Unicode code points ([...s].length in JavaScript, not
// s.length); forbiddenParts are lower-cased and matched as case-insensitive
// substrings; a character class follows the rule in classCount. Call
// ForUser first, or forbiddenParts is empty.
func (r Rules) ClientJSON() ([]byte, error) {
	cr := clientRules{
		MinLength:          r.MinLength,
		MaxLength:          r.MaxLength,
		ComplexityRequired: r.ComplexityRequired,
		MinClasses:         minClasses,
		ForbiddenParts:     append([]string{}, r.forbidden...),
		HistoryLength:      r.HistoryLength,
		MinStrength:        r.MinStrength,
	}
	// The labels come from the same Check the server runs, on an empty
	// candidate, so the browser never shows different words.
	for _, rr := range Check(r, "", UserInfo{}).Rules {
		local := rr.ID != RuleNotKnown && rr.ID != RuleStrength
		cr.Checklist = append(cr.Checklist, clientLine{ID: rr.ID, Label: rr.Label, Local: local})
	}
	b, err := json.Marshal(cr)
	if err != nil {
		return nil, fmt.Errorf("password: encode client rules: %w", err)
	}
	return b, nil
}

// PasswordRulesAttr is the rules as the passwordrules attribute of the
// new-password field, read by password managers (Safari, 1Password) when
// they generate a password. The directory's complexity rule (three of four
// kinds) cannot be said in that language; asking for all four kinds always
// satisfies it. Name parts cannot be said either: a generated password
// does not contain them.
func (r Rules) PasswordRulesAttr() string {
	var b strings.Builder
	fmt.Fprintf(&b, "minlength: %d; maxlength: %d;", r.MinLength, max(r.MaxLength, r.MinLength))
	if r.ComplexityRequired {
		b.WriteString(" required: lower; required: upper; required: digit; required: special;")
	} else {
		b.WriteString(" required: lower; required: upper; required: digit;")
	}
	b.WriteString(" allowed: ascii-printable;")
	return b.String()
}
