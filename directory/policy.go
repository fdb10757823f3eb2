package directory

import "context"

// PolicyReader is an optional capability: a backend that can report the
// password policy the directory will enforce. The web app uses it to show a
// live checklist while the user types, so that most refusals are caught
// before the directory is asked. The directory remains the authority: a
// password that passes the checklist can still be refused with a
// *PolicyError (history, dictionary checks, ...).
//
// Callers discover it by type assertion:
//
//	if pr, ok := dir.(directory.PolicyReader); ok { p, err := pr.PasswordPolicy(ctx) }
type PolicyReader interface {
	PasswordPolicy(ctx context.Context) (Policy, error)
}

// Policy is the part of a directory's password policy that can be shown to
// a user before they submit a password. Zero values mean "no such rule".
type Policy struct {
	// MinLength is the minimum number of characters.
	MinLength int
	// ComplexityRequired is true when the directory demands a mix of
	// character classes (AD: three of upper, lower, digit, symbol, and not
	// containing the account or display name).
	ComplexityRequired bool
	// HistoryLength is how many previous passwords cannot be reused by a
	// password resetbot writes; 0 when the directory does not apply its
	// history to such writes (see HistoryReporter).
	HistoryLength int
	// LockoutThreshold is how many failed sign-ins lock the account; 0
	// means failed sign-ins never lock it.
	LockoutThreshold int
}

// AccountPolicyReader is an optional capability: a backend where the
// policy can differ per account (Active Directory fine-grained password
// policies) reports the one that applies to u, so that the checklist and
// the server-side check do not promise the domain's rules to an account
// the directory holds to others. Backends without per-account policies
// need not implement it; callers then use PolicyReader.
type AccountPolicyReader interface {
	AccountPasswordPolicy(ctx context.Context, u *User) (Policy, error)
}
