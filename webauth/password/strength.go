package password

import (
	"unicode/utf8"

	"github.com/ccojocar/zxcvbn-go"
)

// maxStrength is the top zxcvbn score.
const maxStrength = 4

// strengthInputLimit bounds the text given to the estimator: its matching is
// superlinear in the length (about 9 ms at 64 characters, 35 ms at 128, see
// BenchmarkCheck) and it runs on a request path. Scoring only the first 64
// characters errs on the safe side: it can under-rate a long password whose
// start is weak (the user is asked for another), and 64 characters that are
// not weak already reach the top score.
const strengthInputLimit = 64

// strength estimates guessing resistance as a zxcvbn score, 0 (guessable in
// a few hundred tries) to 4 (very unguessable). zxcvbn is used rather than
// more class rules because it sees what classes cannot: dictionary words,
// l33t substitutions, keyboard walks, dates, repeats, and the user's own
// names, given as userInputs.
func strength(candidate string, userInputs []string) int {
	if utf8.RuneCountInString(candidate) > strengthInputLimit {
		candidate = string([]rune(candidate)[:strengthInputLimit])
	}
	if candidate == "" {
		return 0
	}
	return zxcvbn.PasswordStrength(candidate, userInputs).Score
}
