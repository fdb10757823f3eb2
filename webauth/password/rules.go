package password

import (
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/webauth/blocklist"
)

// Defaults for Options fields left at zero. They follow current guidance
// (NIST SP 800-63B, the UK NCSC): length and "not known to attackers" matter
// more than character classes, so the floor is longer than most directory
// defaults and a weak-but-compliant "Summer2024!" is refused by strength
// and the blocklist rather than by more class rules.
const (
	// DefaultMinLength is resetbot's own floor; the directory's minimum
	// wins when it is higher.
	DefaultMinLength = 12
	// DefaultMaxLength is the longest password accepted: long enough for
	// passphrases and password managers, short enough to bound the cost of
	// the strength estimate and stay well inside AD's 256-character limit.
	DefaultMaxLength = 128
	// DefaultMinStrength is the lowest acceptable zxcvbn score (0..4); 3
	// is "safely unguessable: moderate protection from an offline attack".
	DefaultMinStrength = 3
)

// Options are resetbot's own settings layered on top of the directory policy.
// Zero values select the defaults above, so the zero Options is the
// recommended configuration.
type Options struct {
	// MinLength is the length floor; the effective minimum is the larger
	// of this and the directory's MinLength.
	MinLength int
	// MaxLength is the longest accepted password, in characters.
	MaxLength int
	// MinStrength is the lowest acceptable strength score, 1..4.
	MinStrength int
	// Blocklist is consulted for breached and common passwords; nil means
	// blocklist.Default(), the embedded list. Deployments with a corpus
	// filter pass blocklist.Combine(blocklist.Default(), filter).
	Blocklist blocklist.Checker
}

// Rules are the effective rules for one user's new password: the directory
// policy merged with resetbot's floor, plus the user's names the password
// must not contain. They are computed once per form and then used both by
// Check on the server and, through ClientJSON, by the browser.
type Rules struct {
	// MinLength and MaxLength bound the length in characters (Unicode
	// code points).
	MinLength, MaxLength int
	// ComplexityRequired turns on the AD rule: at least three kinds of
	// characters.
	ComplexityRequired bool
	// HistoryLength is shown to the user ("not one of your last N") but
	// cannot be checked here: only the directory knows the old passwords.
	HistoryLength int
	// MinStrength is the lowest acceptable strength score.
	MinStrength int
	// Blocklist answers "is this a known password"; never nil after
	// NewRules.
	Blocklist blocklist.Checker
	// forbidden are the lower-cased name parts set by ForUser.
	forbidden []string
}

// NewRules computes the effective rules from the directory's policy and
// resetbot's options. The stricter of the two wins for the minimum length;
// the directory's complexity and history settings are kept as they are.
func NewRules(p directory.Policy, o Options) Rules {
	r := Rules{
		MinLength:          orDefault(o.MinLength, DefaultMinLength),
		MaxLength:          orDefault(o.MaxLength, DefaultMaxLength),
		ComplexityRequired: p.ComplexityRequired,
		HistoryLength:      p.HistoryLength,
		MinStrength:        min(orDefault(o.MinStrength, DefaultMinStrength), maxStrength),
		Blocklist:          o.Blocklist,
	}
	r.MinLength = max(r.MinLength, p.MinLength)
	// A directory demanding more than our maximum would make every
	// password fail; its minimum wins.
	r.MaxLength = max(r.MaxLength, r.MinLength)
	if r.Blocklist == nil {
		r.Blocklist = blocklist.Default()
	}
	return r
}

// ForUser returns a copy of the rules that also forbids the user's account
// name and display-name parts, so that ClientJSON can send them to the
// browser. Check derives the same parts from its user argument, so calling
// ForUser is only needed for ClientJSON.
func (r Rules) ForUser(u UserInfo) Rules {
	r.forbidden = u.forbiddenParts()
	return r
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
