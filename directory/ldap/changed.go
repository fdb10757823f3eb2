package ldap

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/resetbot/resetbot/directory"
)

var _ directory.PasswordChangeReader = (*Directory)(nil)

// PasswordChangedAt implements directory.PasswordChangeReader. The account
// is found again by its immutable id and its change time read from the
// entry itself: AD's pwdLastSet, ppolicy's operational pwdChangedTime.
func (d *Directory) PasswordChangedAt(ctx context.Context, u *directory.User) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, classify("read password change time", err)
	}
	var at time.Time
	err := d.withConn(ctx, "read password change time", true, func(c *conn) error {
		e, err := d.resolve(ctx, c, u)
		if err != nil {
			return err
		}
		attr := d.dialect.changedAttr()
		ce, err := c.readBase(ctx, e.DN, attr)
		if err != nil {
			return fmt.Errorf("%s: %w", e.DN, err)
		}
		at, err = parseChangeTime(attr, ce.GetEqualFoldAttributeValue(attr))
		if err != nil {
			return fmt.Errorf("%s: %w", e.DN, err)
		}
		return nil
	})
	return at, err
}

// windowsEpochOffset is the number of 100 ns intervals between 1601-01-01
// (the FILETIME epoch of AD's integer times) and 1970-01-01.
const windowsEpochOffset = 116444736000000000

// parseChangeTime reads a password change time in the syntax of its
// attribute: pwdLastSet is a FILETIME integer (0: no time, "must change at
// next logon"), pwdChangedTime a GeneralizedTime. An absent value is the
// zero time.
func parseChangeTime(attr, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if attr == adPwdLastSet {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return time.Time{}, fmt.Errorf("%s %q is not a FILETIME", attr, v)
		}
		if n == 0 {
			return time.Time{}, nil
		}
		if n < windowsEpochOffset {
			return time.Time{}, fmt.Errorf("%s %q is before 1970", attr, v)
		}
		n -= windowsEpochOffset
		return time.Unix(n/1e7, (n%1e7)*100).UTC(), nil
	}
	// Go accepts a fractional second after the seconds field even though
	// the layout has none, which GeneralizedTime allows.
	t, err := time.Parse("20060102150405Z0700", v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not a GeneralizedTime: %w", attr, v, err)
	}
	return t.UTC(), nil
}

// The attributes that hold a password's change time.
const (
	adPwdLastSet           = "pwdLastSet"
	openLDAPPwdChangedTime = "pwdChangedTime"
	// ds389PwdUpdateTime is kept by 389-ds only with
	// passwordTrackUpdateTime: on in its password policy.
	ds389PwdUpdateTime = "pwdUpdateTime"
)

func (activeDirectory) changedAttr() string { return adPwdLastSet }

func (openLDAP) changedAttr() string { return openLDAPPwdChangedTime }

func (ds389) changedAttr() string { return ds389PwdUpdateTime }
