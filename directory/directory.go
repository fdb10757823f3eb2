// Package directory defines how resetbot reads and changes accounts in the
// company directory. The interface is deliberately small: everything the reset
// flows need (find a user, read the facts policy needs, set a password, check a
// password, unlock) and nothing else. Backends live in sub-packages
// (directory/memory, directory/ldap); optional capabilities are separate small
// interfaces that callers discover by type assertion.
package directory

import (
	"context"
	"strings"
)

// Directory is the contract every backend fulfils. Implementations must be
// safe for concurrent use, must bound every call by the context and their own
// timeouts, and must return the sentinel errors of this package (wrapped with
// detail) so callers can react without knowing the backend.
type Directory interface {
	// Find returns the single user matching the lookup. It returns ErrNotFound
	// when nobody (or more than one entry) matches, so an ambiguous alias can
	// never select the wrong account.
	Find(ctx context.Context, l Lookup) (*User, error)

	// SetPassword replaces the user's password as the service account. A
	// refusal by the directory's password policy is a *PolicyError.
	SetPassword(ctx context.Context, u *User, newPassword string) error

	// VerifyPassword checks the user's current password by binding as the
	// user. A wrong password (or a locked account) is ErrInvalidCredentials.
	VerifyPassword(ctx context.Context, u *User, password string) error

	// Unlock clears an account lockout caused by failed logins.
	Unlock(ctx context.Context, u *User) error
}

// LookupKind names the key a Lookup searches by.
type LookupKind int

// The keys a user can be found by. Display names are deliberately absent:
// they are neither unique nor immutable.
const (
	// ByAccountName is the login name (sAMAccountName, uid).
	ByAccountName LookupKind = iota + 1
	// ByEmail is the configured mail attribute.
	ByEmail
	// ByID is the immutable directory id (objectGUID, entryUUID).
	ByID
	// ByChatID is the attribute configured to hold a chat platform's user id.
	ByChatID
)

// String names the kind for logs.
func (k LookupKind) String() string {
	switch k {
	case ByAccountName:
		return "account"
	case ByEmail:
		return "email"
	case ByID:
		return "id"
	case ByChatID:
		return "chat-id"
	}
	return "unknown"
}

// Lookup is one search for a user. Value is user input and is always escaped
// by backends before it reaches a filter.
type Lookup struct {
	Kind LookupKind
	// Platform selects the chat-id attribute for ByChatID ("slack",
	// "teams", "discord"); ignored otherwise.
	Platform string
	Value    string
}

// User is what resetbot knows about one directory account: the facts that
// policy needs, read fresh for every flow.
type User struct {
	// DN is the entry's distinguished name.
	DN string
	// ID is the immutable id: objectGUID (AD, canonical string form) or
	// entryUUID (OpenLDAP). Flows and limits key on it.
	ID string
	// AccountName is sAMAccountName (AD) or uid (OpenLDAP): the first value
	// when the attribute has several.
	AccountName string
	// Names holds every login name the account has: all values of the
	// login attribute (uid may have several), and on AD the
	// userPrincipalName too. A rule about an account (break-glass) must
	// match any of them, or one alias would slip past it.
	Names       []string
	Email       string
	DisplayName string
	Department  string
	// Groups holds the DNs of every group the user belongs to, nested
	// membership resolved.
	Groups []string
	// Disabled is true when the account cannot sign in at all.
	Disabled bool
	// Locked is true while a failed-login lockout is in force.
	Locked bool
	// ChatIDs holds the values of the configured chat-id attributes,
	// platform ("slack", "teams", "discord") -> the user's id there; a
	// platform whose attribute the entry lacks is absent. It is the
	// reverse of a ByChatID lookup, so the bot can message the owner of
	// an account it found some other way (an expiring password, a
	// helpdesk action).
	ChatIDs map[string]string
}

// Is reports whether ref names this very account: one of its Names, its
// DN (compared as LDAP compares DNs) or its immutable id (case-insensitive,
// AD's braces optional). Configuration that singles out accounts uses it,
// so an administrator may list an account by whichever name they know it
// by, or by the id that never changes.
func (u *User) Is(ref string) bool {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return false
	}
	if strings.EqualFold(ref, u.AccountName) || equalFoldDN(ref, u.DN) ||
		u.ID != "" && strings.EqualFold(strings.Trim(ref, "{}"), strings.Trim(u.ID, "{}")) {
		return true
	}
	for _, n := range u.Names {
		if strings.EqualFold(ref, n) {
			return true
		}
	}
	return false
}

// MemberOf reports whether the user is (transitively) in the group, compared
// case-insensitively as LDAP compares DNs.
func (u *User) MemberOf(groupDN string) bool {
	for _, g := range u.Groups {
		if equalFoldDN(g, groupDN) {
			return true
		}
	}
	return false
}
