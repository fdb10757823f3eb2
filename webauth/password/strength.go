package password

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"time"
	"unicode/utf8"
)

// maxStrength is the top zxcvbn score.
const maxStrength = 4

// strengthInputLimit bounds the text given to the estimator: its matching is
// superlinear in the length (the library's own took about 9 ms at 64
// characters and 35 ms at 128; zxcvbnScore about 0.3 ms at 64, see
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
//
// The estimate is the costliest step of a reset in CPU (0.25-0.35 ms with
// zxcvbnScore, 2 ms for a generated password before it), and
// a flow asks it twice for the same password: the live check while typing
// and the submit. Scores are remembered for a few minutes under a keyed
// hash of the candidate and the inputs (the key is random per process), so
// the password itself is never kept (#10).
func strength(candidate string, userInputs []string) int {
	if utf8.RuneCountInString(candidate) > strengthInputLimit {
		candidate = string([]rune(candidate)[:strengthInputLimit])
	}
	if candidate == "" {
		return 0
	}
	return scores.get(candidate, userInputs, func() int { return estimate(candidate, userInputs) })
}

// estimate is the zxcvbn score (zxcvbnScore: the library's, for less
// CPU); a variable so a test can count the calls.
var estimate = zxcvbnScore

// Bounds of the score cache: long enough to span typing and submitting,
// small enough to cost a few hundred kilobytes at most.
const (
	scoreTTL     = 15 * time.Minute
	scoreEntries = 4096
)

// scoreCache maps a keyed hash of (candidate, inputs) to a score.
type scoreCache struct {
	once sync.Once
	key  [32]byte
	mu   sync.Mutex
	m    map[[32]byte]scored
}

type scored struct {
	score int
	until time.Time
}

var scores scoreCache

func (c *scoreCache) get(candidate string, userInputs []string, compute func() int) int {
	c.once.Do(func() {
		_, _ = rand.Read(c.key[:]) // crypto/rand.Read never fails on supported platforms.
		c.m = make(map[[32]byte]scored)
	})
	mac := hmac.New(sha256.New, c.key[:])
	mac.Write([]byte(candidate))
	for _, in := range userInputs {
		mac.Write([]byte{0})
		mac.Write([]byte(in))
	}
	var k [32]byte
	copy(k[:], mac.Sum(nil))
	now := time.Now()
	c.mu.Lock()
	if e, ok := c.m[k]; ok && now.Before(e.until) {
		c.mu.Unlock()
		return e.score
	}
	c.mu.Unlock()
	score := compute()
	c.mu.Lock()
	if len(c.m) >= scoreEntries {
		for old, e := range c.m { // drop what expired, else everything
			if !now.Before(e.until) {
				delete(c.m, old)
			}
		}
		if len(c.m) >= scoreEntries {
			clear(c.m)
		}
	}
	c.m[k] = scored{score, now.Add(scoreTTL)}
	c.mu.Unlock()
	return score
}
