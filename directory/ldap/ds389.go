package ldap

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/directory"
)

// ds389 is the dialect of 389 Directory Server (Red Hat Directory Server,
// FreeIPA's directory). It shares OpenLDAP's person and groupOfNames model
// and the Password Modify extended operation, so those parts are
// OpenLDAP's; what differs is the immutable id (nsUniqueId), where locks
// live (nsAccountLock for an administrative lock, accountUnlockTime and
// passwordRetryCount for a failed-login lockout), the password policy
// (cn=config) and the server's refusal texts.
type ds389 struct {
	openLDAP
}

var (
	_ dialect     = ds389{}
	_ bindRefuser = ds389{}
)

// nsUniqueID is 389-ds's immutable id: four dash-separated groups of eight
// hex digits (not an RFC 4122 UUID).
var nsUniqueID = regexp.MustCompile(`^[0-9a-f]{8}(-[0-9a-f]{8}){3}$`)

func (ds389) idFilter(id string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(id))
	if !nsUniqueID.MatchString(v) {
		return "", fmt.Errorf("%q is not an nsUniqueId", id)
	}
	// Only hex digits and dashes remain; nothing to escape.
	return "(nsUniqueId=" + v + ")", nil
}

func (ds389) attributes() []string {
	return []string{"nsUniqueId", "nsAccountLock", "accountUnlockTime", "passwordRetryCount"}
}

func (ds389) readID(e *goldap.Entry) (string, error) {
	id := e.GetAttributeValue("nsUniqueId")
	if id == "" {
		return "", errors.New("entry has no nsUniqueId (is the service account allowed to read it?)")
	}
	return strings.ToLower(id), nil
}

// status: nsAccountLock is the administrative lock (what "disabled" means
// on 389-ds); accountUnlockTime is set while a failed-login lockout holds
// (19700101000000Z when only an administrator can lift it). Like ppolicy,
// the value stays after a timed lockout expired until the next bind, so
// Locked may stay true a little longer: the cost is an unneeded unlock.
func (ds389) status(e *goldap.Entry) (disabled, locked bool) {
	disabled = strings.EqualFold(e.GetAttributeValue("nsAccountLock"), "true")
	return disabled, e.GetAttributeValue("accountUnlockTime") != ""
}

// bindRefused: 389-ds answers a locked-out account's bind with
// constraintViolation ("Exceed password retry limit") and a disabled
// account's with unwillingToPerform ("Account inactivated"), even when the
// password is right.
func (ds389) bindRefused(err error) bool {
	return goldap.IsErrorAnyOf(err, goldap.LDAPResultConstraintViolation, goldap.LDAPResultUnwillingToPerform)
}

// ds389Reasons maps 389-ds's password policy refusals to plain words.
var ds389Reasons = []struct{ server, reason string }{
	{"characters long", "The password is too short."},
	{"history", "The password was used recently; choose a different one."},
	{"minimum age", "The password was changed too recently; try again later."},
	{"user entry", "The password must not contain your name or other details of your account."},
	{"invalid password syntax", "The password is too short or too simple."},
}

func (ds389) policyReason(err error) (string, bool) {
	if !goldap.IsErrorWithCode(err, goldap.LDAPResultConstraintViolation) {
		return "", false
	}
	diag := strings.ToLower(diagnostic(err))
	for _, r := range ds389Reasons {
		if strings.Contains(diag, r.server) {
			return r.reason, true
		}
	}
	return "The directory's password policy refused the password.", true
}

// unlock resets the failure count and removes the lockout time, the two
// attributes 389-ds keeps for a failed-login lockout; it refuses to touch an
// administratively locked (disabled) account.
func (ds389) unlock(ctx context.Context, c *conn, e *goldap.Entry) error {
	if strings.EqualFold(e.GetAttributeValue("nsAccountLock"), "true") {
		return fmt.Errorf("%s is administratively locked (nsAccountLock), not locked out: %w", e.DN, directory.ErrPermission)
	}
	req := goldap.NewModifyRequest(e.DN, nil)
	req.Replace("passwordRetryCount", []string{"0"})
	if v := e.GetAttributeValue("accountUnlockTime"); v != "" {
		req.Delete("accountUnlockTime", []string{v})
	}
	err := c.do(ctx, func() error { return c.Modify(req) })
	if goldap.IsErrorWithCode(err, goldap.LDAPResultNoSuchAttribute) {
		return nil // unlocked by someone else in the meantime
	}
	return err
}

// policy reads the global password policy from cn=config (the service
// account needs read access to its password* attributes). Subtree and user
// policies (pwdpolicysubentry) can override it; they are not read.
func (ds389) policy(ctx context.Context, c *conn) (directory.Policy, error) {
	e, err := c.readBase(ctx, "cn=config", "passwordCheckSyntax", "passwordMinLength", "passwordMinCategories",
		"passwordHistory", "passwordInHistory", "passwordLockout", "passwordMaxFailure")
	if err != nil {
		return directory.Policy{}, fmt.Errorf("read cn=config password policy: %w", err)
	}
	on := func(attr string) bool { return strings.EqualFold(e.GetAttributeValue(attr), "on") }
	num := func(attr string) int {
		n, _ := strconv.Atoi(e.GetAttributeValue(attr))
		return n
	}
	var p directory.Policy
	if on("passwordCheckSyntax") {
		p.MinLength = num("passwordMinLength")
		// Three of the character categories is Active Directory's rule
		// too, which is what ComplexityRequired describes.
		p.ComplexityRequired = num("passwordMinCategories") >= 3
	}
	if on("passwordHistory") {
		p.HistoryLength = num("passwordInHistory")
	}
	if on("passwordLockout") {
		p.LockoutThreshold = num("passwordMaxFailure")
	}
	return p, nil
}

// history: 389-ds applies its policy, history included, to a Password
// Modify by anyone but the Directory Manager and configured password
// administrators; the service account must be neither.
func (ds389) history(context.Context, *conn) (directory.HistoryEnforcement, error) {
	return directory.HistoryEnforcement{Enforced: true, By: "389-ds password policy"}, nil
}
