package password

import (
	"strings"
	"testing"
)

// TestStrengthEstimatedOncePerCandidate: the live check and the submit of
// the same password run the zxcvbn estimate once (#10); another password,
// or the same one for another user, is estimated afresh; the cache holds
// no password text.
func TestStrengthEstimatedOncePerCandidate(t *testing.T) {
	calls := 0
	orig := estimate
	estimate = func(c string, in []string) int { calls++; return orig(c, in) }
	t.Cleanup(func() { estimate = orig })

	const pw = "Correct-Horse-Battery-81"
	first := strength(pw, []string{"jdoe", "John Doe"})
	second := strength(pw, []string{"jdoe", "John Doe"})
	if calls != 1 || first != second {
		t.Fatalf("two checks of one candidate: %d estimates, scores %d and %d; want 1 estimate, equal scores", calls, first, second)
	}
	strength(pw+"x", []string{"jdoe", "John Doe"})
	strength(pw, []string{"asmith", "Ann Smith"})
	if calls != 3 {
		t.Fatalf("another candidate and another user: %d estimates in all, want 3", calls)
	}
	scores.mu.Lock()
	defer scores.mu.Unlock()
	for k := range scores.m {
		if strings.Contains(string(k[:]), "Horse") {
			t.Fatal("the score cache keeps password text")
		}
	}
}
