package ldap

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/resetbot/resetbot/directory"
)

// Bits of userAccountControl and msDS-User-Account-Control-Computed.
const (
	uacAccountDisable = 0x2
	uacLockout        = 0x10
)

// matchingRuleInChain makes AD resolve nested group membership itself.
const matchingRuleInChain = "1.2.840.113556.1.4.1941"

// activeDirectory is the dialect of Microsoft AD and Samba AD.
type activeDirectory struct {
	groupBase string
	// hints is shared by every copy of the dialect (methods have value
	// receivers), so the control is chosen once per Directory.
	hints *policyHints
}

func (activeDirectory) userFilter() string {
	return "(&(objectCategory=person)(objectClass=user))"
}

// idFilter converts the canonical GUID string back to AD's byte order and
// escapes every byte: objectGUID is matched as binary.
func (activeDirectory) idFilter(id string) (string, error) {
	raw, err := parseGUID(id)
	if err != nil {
		return "", err
	}
	return "(objectGUID=" + escapeBinary(raw) + ")", nil
}

func (activeDirectory) attributes() []string {
	return []string{"objectGUID", "userAccountControl", "lockoutTime", "msDS-User-Account-Control-Computed", "userPrincipalName", attrResultantPSO}
}

// otherNames: a user signs in to AD with the sAMAccountName or with the
// userPrincipalName, so both are names of the account.
func (activeDirectory) otherNames(e *goldap.Entry) []string {
	return e.GetEqualFoldAttributeValues("userPrincipalName")
}

func (activeDirectory) readID(e *goldap.Entry) (string, error) {
	return formatGUID(e.GetRawAttributeValue("objectGUID"))
}

// status reads disabled from userAccountControl. Locked prefers the
// computed attribute, which honours the lockout duration (lockoutTime stays
// set after a lockout expired until the next sign-in); without it, any
// lockoutTime counts, which at worst offers an unlock that is not needed.
func (activeDirectory) status(e *goldap.Entry) (disabled, locked bool) {
	uac, _ := strconv.ParseInt(e.GetAttributeValue("userAccountControl"), 10, 64)
	disabled = uac&uacAccountDisable != 0
	if v := e.GetAttributeValue("msDS-User-Account-Control-Computed"); v != "" {
		computed, _ := strconv.ParseInt(v, 10, 64)
		return disabled, computed&uacLockout != 0
	}
	lockoutTime, _ := strconv.ParseInt(e.GetAttributeValue("lockoutTime"), 10, 64)
	return disabled, lockoutTime > 0
}

// groups lets the server walk nesting with LDAP_MATCHING_RULE_IN_CHAIN.
func (a activeDirectory) groups(ctx context.Context, c *conn, user *goldap.Entry, _ map[string][]string) ([]string, error) {
	filter := "(member:" + matchingRuleInChain + ":=" + goldap.EscapeFilter(user.DN) + ")"
	res, err := c.searchPaged(ctx, goldap.NewSearchRequest(a.groupBase, goldap.ScopeWholeSubtree,
		goldap.NeverDerefAliases, 0, 0, false, filter, []string{"1.1"}, nil))
	if err != nil {
		return nil, err
	}
	dns := make([]string, 0, len(res.Entries))
	for _, e := range res.Entries {
		dns = append(dns, e.DN)
	}
	return dns, nil
}

// setPassword replaces unicodePwd, which AD accepts only over an encrypted
// connection and only as the UTF-16LE encoding of the quoted password. The
// policy-hints control, when the server has one, makes AD check history and
// minimum age as it would for the user's own change.
func (a activeDirectory) setPassword(ctx context.Context, c *conn, userDN, password string) error {
	if _, ok := c.TLSConnectionState(); !ok {
		return errors.New("refusing to send a password over an unencrypted connection")
	}
	controls, err := a.hints.controls(ctx, c)
	if err != nil {
		return err
	}
	req := goldap.NewModifyRequest(userDN, controls)
	req.Replace("unicodePwd", []string{encodeUnicodePwd(password)})
	return c.do(ctx, func() error { return c.Modify(req) })
}

// encodeUnicodePwd is the value format of AD's unicodePwd attribute.
func encodeUnicodePwd(password string) string {
	units := utf16.Encode([]rune(`"` + password + `"`))
	b := make([]byte, 2*len(units))
	for i, u := range units {
		binary.LittleEndian.PutUint16(b[2*i:], u)
	}
	return string(b)
}

// sambaMinLength finds the length in Samba's "too short" message.
var sambaMinLength = regexp.MustCompile(`longer than (\d+) characters`)

// policyReason recognises AD's ERROR_PASSWORD_RESTRICTION (0x52D). Windows
// says no more than that; Samba adds which rule failed, which gives a more
// helpful sentence.
func (activeDirectory) policyReason(err error) (string, bool) {
	if !goldap.IsErrorAnyOf(err, goldap.LDAPResultConstraintViolation, goldap.LDAPResultUnwillingToPerform) {
		return "", false
	}
	diag := strings.ToLower(diagnostic(err))
	if !strings.Contains(diag, "0000052d") && !goldap.IsErrorWithCode(err, goldap.LDAPResultConstraintViolation) {
		return "", false
	}
	switch {
	case strings.Contains(diag, "too short"):
		if m := sambaMinLength.FindStringSubmatch(diag); m != nil {
			return "The password is too short: use at least " + m[1] + " characters.", true
		}
		return "The password is too short for the domain's rules.", true
	case strings.Contains(diag, "complexity"):
		return "The password is not complex enough: use at least three of upper case letters, lower case letters, digits and symbols, and do not include your name.", true
	case strings.Contains(diag, "history"):
		return "The password was used recently; choose a different one.", true
	case strings.Contains(diag, "too young"):
		return "The password was changed too recently; try again later.", true
	}
	return "The password does not meet the domain's length, complexity or history rules.", true
}

// history reports whether writes carry a policy-hints control.
func (a activeDirectory) history(ctx context.Context, c *conn) (directory.HistoryEnforcement, error) {
	return a.hints.enforcement(ctx, c)
}

// unlock writes lockoutTime 0, the documented way to clear a lockout; it
// also resets the bad-password count. It does not enable a disabled account.
func (activeDirectory) unlock(ctx context.Context, c *conn, e *goldap.Entry) error {
	req := goldap.NewModifyRequest(e.DN, nil)
	req.Replace("lockoutTime", []string{"0"})
	return c.do(ctx, func() error { return c.Modify(req) })
}

// policy reads the domain-wide policy from the domain root. Fine-grained
// password policies (PSOs) override it per user: see pso.go.
func (activeDirectory) policy(ctx context.Context, c *conn) (directory.Policy, error) {
	root, err := c.readBase(ctx, "", "defaultNamingContext")
	if err != nil {
		return directory.Policy{}, fmt.Errorf("read rootDSE: %w", err)
	}
	domain := root.GetAttributeValue("defaultNamingContext")
	if domain == "" {
		return directory.Policy{}, errors.New("rootDSE has no defaultNamingContext")
	}
	e, err := c.readBase(ctx, domain, "minPwdLength", "pwdProperties", "pwdHistoryLength", "lockoutThreshold")
	if err != nil {
		return directory.Policy{}, fmt.Errorf("read domain %s: %w", domain, err)
	}
	num := func(attr string) int {
		n, _ := strconv.Atoi(e.GetAttributeValue(attr))
		return n
	}
	const domainPasswordComplex = 0x1
	return directory.Policy{
		MinLength:          num("minPwdLength"),
		ComplexityRequired: num("pwdProperties")&domainPasswordComplex != 0,
		HistoryLength:      num("pwdHistoryLength"),
		LockoutThreshold:   num("lockoutThreshold"),
	}, nil
}
