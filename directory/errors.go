package directory

import (
	"errors"
	"strings"
)

// Sentinel errors every backend maps its failures to. Callers test with
// errors.Is; backends wrap them with the precise cause for the log.
var (
	// ErrNotFound: no single entry matches the lookup.
	ErrNotFound = errors.New("directory: user not found")
	// ErrPasswordPolicy: the directory refused the new password. The
	// concrete error is a *PolicyError carrying the reason in plain words.
	ErrPasswordPolicy = errors.New("directory: password refused by policy")
	// ErrInvalidCredentials: a bind as the user failed (wrong password or
	// account locked).
	ErrInvalidCredentials = errors.New("directory: invalid credentials")
	// ErrUnavailable: no directory server could be reached in time.
	ErrUnavailable = errors.New("directory: unavailable")
	// ErrPermission: the service account lacks the right to do this.
	ErrPermission = errors.New("directory: permission denied")
)

// PolicyError is a password refused by the directory's policy. Reason is
// safe to show to the user: it never contains the password.
type PolicyError struct {
	Reason string
}

// Error implements error.
func (e *PolicyError) Error() string { return "password refused by policy: " + e.Reason }

// Is makes errors.Is(err, ErrPasswordPolicy) true.
func (e *PolicyError) Is(target error) bool { return target == ErrPasswordPolicy }

// equalFoldDN compares two DNs as LDAP does for the common case: attribute
// names and values case-insensitively, ignoring blanks after separators.
func equalFoldDN(a, b string) bool {
	norm := func(s string) string {
		parts := strings.Split(s, ",")
		for i, p := range parts {
			parts[i] = strings.TrimSpace(p)
		}
		return strings.Join(parts, ",")
	}
	return strings.EqualFold(norm(a), norm(b))
}
