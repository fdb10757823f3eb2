package password

import "unicode"

// classCount returns how many of AD's character categories s uses:
// uppercase, lowercase, decimal digits, non-alphanumerics, and letters that
// have no case (most Asian scripts), which AD counts as a category of their
// own. Using the same Unicode-aware categories as AD keeps the checklist
// from accepting what the directory would then refuse, or refusing a
// Greek, Cyrillic or Japanese password the directory would accept.
func classCount(s string) int {
	var upper, lower, digit, symbol, uncased bool
	for _, r := range s {
		switch {
		case unicode.IsUpper(r) || unicode.IsTitle(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsLetter(r):
			uncased = true
		case unicode.IsMark(r):
			// A combining accent belongs to the letter before it.
		default:
			symbol = true
		}
	}
	n := 0
	for _, b := range [...]bool{upper, lower, digit, symbol, uncased} {
		if b {
			n++
		}
	}
	return n
}

// minClasses is AD's "three of the categories".
const minClasses = 3
