package ldap

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/directory"
)

var _ directory.ExpiryLister = (*Directory)(nil)

// adExpiryComputed is AD's constructed expiry time of the password, which
// honours the domain's maxPwdAge, a fine-grained policy (PSO) and the
// "password never expires" flag. Constructed: it can be read, not filtered.
const adExpiryComputed = "msDS-UserPasswordExpiryTimeComputed"

// PasswordsExpiringBefore implements directory.ExpiryLister with one
// paged search over the user base. On Active Directory the server
// computes each expiry (msDS-UserPasswordExpiryTimeComputed); on
// OpenLDAP it is pwdChangedTime plus the pwdMaxAge of the account's
// policy (its pwdPolicySubentry, else the configured or only pwdPolicy
// entry); on 389-ds the server's own passwordExpirationTime, which it
// stamps from the global or the account's own (pwdpolicysubentry)
// policy on every change.
func (d *Directory) PasswordsExpiringBefore(ctx context.Context, before time.Time) ([]directory.PasswordExpiry, error) {
	if err := ctx.Err(); err != nil {
		return nil, classify("list expiring passwords", err)
	}
	var out []directory.PasswordExpiry
	err := d.withConn(ctx, "list expiring passwords", true, func(c *conn) error {
		out = nil
		var cond string
		attrs := d.listAttributes()
		var expiry func(e *goldap.Entry) (changed, expires time.Time, err error)
		switch d.cfg.Flavour {
		case ActiveDirectory:
			// Enabled (bit 2 clear) and expiring (bit 65536, "password
			// never expires", clear), with a change time on record.
			cond = "(!(userAccountControl:1.2.840.113556.1.4.803:=2))(!(userAccountControl:1.2.840.113556.1.4.803:=65536))(pwdLastSet>=1)"
			attrs = append(attrs, adExpiryComputed, adPwdLastSet)
			expiry = adExpiry
		case OpenLDAP:
			cond = "(pwdChangedTime=*)(!(pwdAccountLockedTime=" + adminLockTime + "))"
			attrs = append(attrs, openLDAPPwdChangedTime, "pwdPolicySubentry")
			ages := map[string]time.Duration{}
			expiry = func(e *goldap.Entry) (time.Time, time.Time, error) {
				return d.openLDAPExpiry(ctx, c, e, ages)
			}
		case DS389:
			cond = "(" + ds389ExpirationTime + "=*)"
			attrs = append(attrs, ds389ExpirationTime, ds389PwdUpdateTime)
			expiry = ds389Expiry
		default:
			return fmt.Errorf("listing expiring passwords on %s: %w", d.cfg.Flavour, errors.ErrUnsupported)
		}
		res, err := c.searchPaged(ctx, goldap.NewSearchRequest(d.cfg.UserBaseDN, goldap.ScopeWholeSubtree,
			goldap.NeverDerefAliases, 0, 0, false, "(&"+d.dialect.userFilter()+d.cfg.UserFilter+cond+")", attrs, nil))
		if err != nil {
			return err
		}
		for _, e := range res.Entries {
			if disabled, _ := d.dialect.status(e); disabled {
				continue
			}
			changed, expires, err := expiry(e)
			if err != nil {
				return fmt.Errorf("%s: %w", e.DN, err)
			}
			if expires.IsZero() || !expires.Before(before) {
				continue
			}
			u, err := d.userWithoutGroups(e)
			if err != nil {
				return err
			}
			out = append(out, directory.PasswordExpiry{User: u, ChangedAt: changed, ExpiresAt: expires})
		}
		return nil
	})
	return out, err
}

// adExpiry reads the computed expiry; zero (must change at next logon)
// and the largest value (never expires) are no expiry.
func adExpiry(e *goldap.Entry) (changed, expires time.Time, err error) {
	changed, err = parseChangeTime(adPwdLastSet, e.GetEqualFoldAttributeValue(adPwdLastSet))
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	v := e.GetEqualFoldAttributeValue(adExpiryComputed)
	if v == "" {
		return time.Time{}, time.Time{}, fmt.Errorf("no %s (Windows Server 2008 or later, Samba 4 compute it)", adExpiryComputed)
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n == math.MaxInt64 {
		return changed, time.Time{}, nil
	}
	// The same FILETIME syntax as pwdLastSet.
	expires, err = parseChangeTime(adPwdLastSet, v)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("%s %q is not a FILETIME", adExpiryComputed, v)
	}
	return changed, expires, nil
}

// openLDAPExpiry adds the applicable policy's pwdMaxAge to pwdChangedTime;
// ages caches each policy's maximum age for the duration of one listing.
func (d *Directory) openLDAPExpiry(ctx context.Context, c *conn, e *goldap.Entry, ages map[string]time.Duration) (changed, expires time.Time, err error) {
	changed, err = parseChangeTime(openLDAPPwdChangedTime, e.GetEqualFoldAttributeValue(openLDAPPwdChangedTime))
	if err != nil || changed.IsZero() {
		return changed, time.Time{}, err
	}
	dn := e.GetEqualFoldAttributeValue("pwdPolicySubentry")
	if dn == "" {
		dn = d.cfg.PasswordPolicyDN
	}
	if dn == "" {
		if dn, err = findPolicyEntry(ctx, c); err != nil {
			return time.Time{}, time.Time{}, err
		}
	}
	age, ok := ages[dn]
	if !ok {
		p, err := c.readBase(ctx, dn, "pwdMaxAge")
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("read policy %s: %w", dn, err)
		}
		secs, _ := strconv.ParseInt(p.GetAttributeValue("pwdMaxAge"), 10, 64)
		age = time.Duration(secs) * time.Second
		ages[dn] = age
	}
	if age <= 0 {
		return changed, time.Time{}, nil // this policy never expires passwords
	}
	return changed, changed.Add(age), nil
}

// ds389ExpirationTime is when 389-ds stops accepting the password: the
// server sets it on every change (and on the first bind of an account
// that has none) from the policy that applies to the account, global or
// its own, while that policy has passwordExp on.
const ds389ExpirationTime = "passwordExpirationTime"

// ds389MustChange and ds389Never are the values 389-ds writes for "must
// change at the next bind" (passwordMustChange after a reset) and for a
// password that does not expire; neither is an expiry a reminder is for.
var (
	ds389MustChange = time.Unix(0, 0).UTC()
	ds389Never      = time.Date(2038, 1, 19, 3, 14, 7, 0, time.UTC)
)

// ds389Expiry reads the server's expiry time and pwdUpdateTime (kept
// with passwordTrackUpdateTime on). Without the latter the change time is
// zero: the expiry then tells one password from the next, because it
// moves with every change.
func ds389Expiry(e *goldap.Entry) (changed, expires time.Time, err error) {
	changed, err = parseChangeTime(ds389PwdUpdateTime, e.GetEqualFoldAttributeValue(ds389PwdUpdateTime))
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	expires, err = parseChangeTime(ds389ExpirationTime, e.GetEqualFoldAttributeValue(ds389ExpirationTime))
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if expires.Equal(ds389MustChange) || !expires.Before(ds389Never) {
		return changed, time.Time{}, nil
	}
	return changed, expires, nil
}
