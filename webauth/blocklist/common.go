package blocklist

import (
	_ "embed"
	"strings"
	"sync"
)

// commonText is the embedded short list: the passwords that top every
// breach ranking, plus the "policy-compliant" patterns people pick when a
// complexity rule forces them to (Season+Year!, Welcome123, Password1...).
// It is what password spraying tries first, so it must be blocked even
// when no corpus filter is deployed.
//
//go:embed common.txt
var commonText string

// commonList is the parsed embedded list, lower-cased: the match is
// case-insensitive, because "PASSWORD1" and "Password1" are tried by the same
// spraying tools.
type commonList map[string]struct{}

// Default returns the Checker backed by the embedded list of common
// passwords. It needs no file, so the breached-password rule is never
// silently off; deployments add the full corpus with Combine(Default(), f).
func Default() Checker { return defaultList() }

var defaultList = sync.OnceValue(func() commonList {
	lines := strings.Split(commonText, "\n")
	l := make(commonList, len(lines))
	for _, line := range lines {
		line = strings.TrimRight(line, "\r")
		if line == "" {
			continue
		}
		l[strings.ToLower(line)] = struct{}{}
	}
	return l
})

// Contains reports whether password is on the list, ignoring case.
func (l commonList) Contains(password string) bool {
	_, ok := l[strings.ToLower(password)]
	return ok
}
