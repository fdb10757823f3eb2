package directory

import (
	"context"
	"time"
)

// PasswordChangeReader is an optional capability: a backend that can say
// when an account's password last changed, from the directory's own record
// (Active Directory pwdLastSet, OpenLDAP ppolicy pwdChangedTime). After a
// crash between "writing the password" and "recording that it was written",
// this is the evidence that tells the two outcomes apart, so the audit
// trail never disagrees with the directory.
//
// Callers discover it by type assertion:
//
//	if pc, ok := dir.(directory.PasswordChangeReader); ok { at, err := pc.PasswordChangedAt(ctx, u) }
type PasswordChangeReader interface {
	// PasswordChangedAt returns when u's password was last set, in UTC,
	// at the directory's resolution (whole seconds on OpenLDAP). The zero
	// time means the directory holds no change time for the account (never
	// changed, or AD's "must change at next logon").
	PasswordChangedAt(ctx context.Context, u *User) (time.Time, error)
}
