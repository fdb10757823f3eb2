package blocklist

// Checker reports whether a candidate password is known to attackers. The
// password rules depend on this interface rather than on Filter so that the
// embedded list, a loaded corpus filter, or both, can stand behind the same
// "not a breached password" line of the checklist.
type Checker interface {
	Contains(password string) bool
}

// Combine returns a Checker that reports a password as known when any of
// checkers does. Nil checkers (and a nil *Filter, which contains nothing)
// are skipped, so an optional filter can be passed without a branch:
//
//	blocklist.Combine(blocklist.Default(), filterOrNil)
func Combine(checkers ...Checker) Checker {
	var all anyOf
	for _, c := range checkers {
		switch c := c.(type) {
		case nil:
		case anyOf:
			all = append(all, c...)
		default:
			all = append(all, c)
		}
	}
	return all
}

// anyOf is the Checker Combine builds.
type anyOf []Checker

func (a anyOf) Contains(password string) bool {
	for _, c := range a {
		if c.Contains(password) {
			return true
		}
	}
	return false
}
