package password

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// UserInfo is who the password is for: the names an attacker who targets
// this user would try first, and that AD refuses inside a password.
type UserInfo struct {
	// AccountName is the logon name (sAMAccountName, uid). A "DOMAIN\"
	// prefix or "@realm" suffix is ignored.
	AccountName string
	// DisplayName is the full name, e.g. "Jane Q. Doe".
	DisplayName string
}

// minNamePart is AD's threshold: names and display-name parts shorter than
// three characters are not checked, or no password could contain "al" or
// "jo".
const minNamePart = 3

// isNameDelimiter reports the characters AD splits a display name on
// (comma, period, hyphen, underscore, space, number sign, tab), plus any
// other Unicode space.
func isNameDelimiter(r rune) bool {
	switch r {
	case ',', '.', '-', '_', '#', '\t', ' ':
		return true
	}
	return unicode.IsSpace(r)
}

// forbiddenParts returns the lower-cased strings that must not appear in the
// password: the account name and each display-name part of 3+ characters,
// without repeats, in a stable order.
func (u UserInfo) forbiddenParts() []string {
	var parts []string
	add := func(s string) {
		s = strings.ToLower(s)
		if utf8.RuneCountInString(s) >= minNamePart && !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	account := u.AccountName
	if i := strings.LastIndexByte(account, '\\'); i >= 0 {
		account = account[i+1:]
	}
	if i := strings.IndexByte(account, '@'); i >= 0 {
		account = account[:i]
	}
	add(account)
	for _, p := range strings.FieldsFunc(u.DisplayName, isNameDelimiter) {
		add(p)
	}
	return parts
}
