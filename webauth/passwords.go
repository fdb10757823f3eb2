package webauth

import "context"

// PasswordUser is what the password rules need to know about the account:
// a new password must not contain the account name or parts of the
// display name.
type PasswordUser struct {
	AccountName string
	DisplayName string
}

// ClientRules is the effective password policy in the shape the browser's
// checklist script evaluates while the user types. The server re-checks
// everything on submit: these rules only save a round trip.
type ClientRules struct {
	// MinLength and MaxLength bound the length in characters.
	MinLength int `json:"minLength"`
	MaxLength int `json:"maxLength"`
	// Classes is how many of the four character classes (upper, lower,
	// digit, symbol) are required; 0 for none.
	Classes int `json:"classes"`
	// Forbidden are lower-case fragments (account name, name parts) the
	// password must not contain.
	Forbidden []string `json:"forbidden"`
}

// CheckItem is one line of the checklist.
type CheckItem struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	OK    bool   `json:"ok"`
}

// PasswordVerdict is the server's judgement of a candidate password.
type PasswordVerdict struct {
	Items []CheckItem `json:"items"`
	// Strength is 0 (very weak) to 4 (very strong).
	Strength int `json:"strength"`
	// Breached is true when the password is in the breached-password list.
	Breached bool `json:"breached"`
	// Acceptable is true when every rule passes and the password is not
	// breached; the form refuses to submit otherwise.
	Acceptable bool `json:"acceptable"`
}

// PasswordChecker judges candidate passwords: the rules derived from the
// directory's policy, a strength estimate and the breached-password list.
// It is an interface so the web app does not care where the breached list
// comes from (an embedded short list, a filter file).
type PasswordChecker interface {
	// Rules returns the checklist rules for this account.
	Rules(ctx context.Context, u PasswordUser) (ClientRules, error)
	// Check judges a candidate completely.
	Check(ctx context.Context, candidate string, u PasswordUser) (PasswordVerdict, error)
}
