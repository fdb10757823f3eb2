package memory

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/resetbot/resetbot/directory"
)

// checkPolicy returns a *PolicyError when pw breaks the seed policy. The
// reasons use the same plain words as the LDAP backends so the demo shows
// what production will show.
func checkPolicy(p directory.Policy, accountName, pw string, history []passwordHash) error {
	if n := len([]rune(pw)); n < p.MinLength {
		return &directory.PolicyError{Reason: fmt.Sprintf("The password is too short: use at least %d characters.", p.MinLength)}
	}
	if accountName != "" && strings.Contains(strings.ToLower(pw), strings.ToLower(accountName)) {
		return &directory.PolicyError{Reason: "The password must not contain your account name."}
	}
	if p.ComplexityRequired && characterClasses(pw) < 3 {
		return &directory.PolicyError{Reason: "The password is too simple: use at least three of upper case letters, lower case letters, digits and symbols."}
	}
	for _, h := range history {
		if h.matches(pw) {
			return &directory.PolicyError{Reason: "The password was used recently; choose a different one."}
		}
	}
	return nil
}

// characterClasses counts the AD complexity classes present in pw: upper
// case, lower case, digits, and anything else.
func characterClasses(pw string) int {
	var upper, lower, digit, other int
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			other = 1
		}
	}
	return upper + lower + digit + other
}
