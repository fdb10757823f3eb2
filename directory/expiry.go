package directory

import (
	"context"
	"time"
)

// ExpiryLister is an optional capability: a backend that can list the
// accounts whose password expires before a time, from the directory's own
// policy (Active Directory msDS-UserPasswordExpiryTimeComputed, which
// includes fine-grained password policies; OpenLDAP pwdChangedTime plus the
// applicable ppolicy's pwdMaxAge; 389-ds passwordExpirationTime, which
// honours user and subtree policies). Expiry reminders are built on it.
//
// Callers discover it by type assertion, like PasswordChangeReader.
type ExpiryLister interface {
	// PasswordsExpiringBefore returns every enabled account whose password
	// expires before the given time, already expired ones included, in
	// no particular order. Accounts whose password never expires (no
	// maximum age, AD's "password never expires", no change time on
	// record) and disabled accounts are left out. The users' Groups are
	// not resolved: listing is one paged search, not one per account.
	PasswordsExpiringBefore(ctx context.Context, before time.Time) ([]PasswordExpiry, error)
}

// PasswordExpiry is one account whose password expires.
type PasswordExpiry struct {
	User *User
	// ChangedAt is when the password was last set (UTC): a reminder is
	// about this password, and a new one resets the reminders. Zero when
	// the directory keeps no change time (389-ds without
	// passwordTrackUpdateTime).
	ChangedAt time.Time
	// ExpiresAt is when the directory stops accepting it (UTC).
	ExpiresAt time.Time
}
