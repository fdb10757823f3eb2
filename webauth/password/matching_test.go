package password

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ccojocar/zxcvbn-go"
	"github.com/ccojocar/zxcvbn-go/frequency"
)

// TestScoreMatchesZxcvbn: zxcvbnScore finds what the library finds, the
// same score and the same entropy, on thousands of passwords of every
// kind the matchers it replaces see: generated ones full of the digits
// and symbols l33t reads as letters (and the conflicting '1', '|', '!',
// '7'), words from the library's lists with substitutions, capitals,
// years and keyboard walks, the user's own names, passwords longer than
// the longest word, and non-ASCII ones (which go to the library).
func TestScoreMatchesZxcvbn(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 2026))
	var words []string
	for _, l := range frequency.Lists {
		words = append(words, l.List[:min(len(l.List), 3000)]...)
	}
	const symbols = "0123456789!@#$%^&*()_+-=[]{}<>|/\\?.,;:'\"~`"
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	leet := map[byte][]byte{'a': {'4', '@'}, 'b': {'8'}, 'c': {'(', '{', '[', '<'}, 'e': {'3'}, 'g': {'6', '9'},
		'i': {'1', '!', '|'}, 'l': {'1', '|', '7'}, 'o': {'0'}, 's': {'$', '5'}, 't': {'+', '7'}, 'x': {'%'}, 'z': {'2'}}
	walks := []string{"qwerty", "asdfgh", "zxcvbn", "1qaz2wsx", "qazwsx", "!@#$%^", "789456", "147258", "poiuy", ";lkjh"}
	random := func(n int, from string) string {
		var sb strings.Builder
		for range n {
			sb.WriteByte(from[rng.IntN(len(from))])
		}
		return sb.String()
	}
	word := func() string {
		w := words[rng.IntN(len(words))]
		b := []byte(w)
		for i := range b {
			if subs, ok := leet[b[i]]; ok && rng.IntN(2) == 0 {
				b[i] = subs[rng.IntN(len(subs))]
			} else if rng.IntN(5) == 0 && b[i] >= 'a' && b[i] <= 'z' {
				b[i] -= 'a' - 'A'
			}
		}
		return string(b)
	}
	var cases []string
	for range 60 {
		cases = append(cases, random(8+rng.IntN(33), letters+symbols)) // generated
		cases = append(cases, random(4, letters)+random(1+rng.IntN(3), "1234567890")+"-"+random(16, "0123456789abcdef")+"-"+random(3, letters+symbols))
		cases = append(cases, word()+random(rng.IntN(3), symbols)+word()+[]string{"", "1987", "2024", "!", "12"}[rng.IntN(5)])
		cases = append(cases, walks[rng.IntN(len(walks))]+word()+random(rng.IntN(4), "0123456789"))
		long := strings.Repeat(word(), 1+rng.IntN(8))
		cases = append(cases, long[:min(len(long), 8+rng.IntN(56))]+random(2, symbols))
	}
	cases = append(cases, "Glacier-Tuba-Orbit-42!", "Tq7-3f91a0c4e57b12d8-Xz!", "P@ssw0rd1!", "l1ttl3|b0x!7", "j4n3d0e1987",
		"", "a", "ab", "qwertyuiopasdfghjklzxcvbnm", strings.Repeat("Gx7#mango", 8)[:64],
		"Grüße-Straße-42", "пароль-Пароль-1", "日本語のパスワード12", "naïve-café-1999")
	inputs := [][]string{nil, {"jane", "doe", "jdoe", "jane.doe@example.test", "Finance"}}
	for i, pw := range cases {
		for _, in := range inputs {
			want := zxcvbn.PasswordStrength(pw, in)
			got := zxcvbnResult(pw, in)
			if got.Score != want.Score || math.Abs(got.Entropy-want.Entropy) > 1e-9*math.Max(1, want.Entropy) {
				t.Fatalf("case %d %q (inputs %v): score %d entropy %v, the library's %d and %v", i, pw, in, got.Score, got.Entropy, want.Score, want.Entropy)
			}
		}
	}
	t.Logf("%d passwords, each with and without user inputs: the same score and entropy", len(cases))
}
