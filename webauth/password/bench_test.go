package password

import (
	"strings"
	"testing"

	"github.com/resetbot/resetbot/internal/testenv"
)

// BenchmarkCheck measures one server-side evaluation (all rules plus the
// strength estimate), the cost behind each rate-limited check request.
func BenchmarkCheck(b *testing.B) {
	rules := NewRules(adPolicy, Options{})
	Check(rules, "warm-up", jane) // the estimator's dictionary, built once per process
	for _, bc := range []struct{ name, pw string }{
		{"typical", "Glacier-Tuba-Orbit-42!"},
		// A generated one, as password managers (and the reset benchmark)
		// make them: digits and symbols the l33t matcher tries as letters.
		{"generated", "Tq7-3f91a0c4e57b12d8-Xz!"},
		{"max length", strings.Repeat("Gx7#mango", 15)[:128]},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := testenv.CPUTime()
			for b.Loop() {
				forgetScores() // the first check of a candidate
				Check(rules, bc.pw, jane)
			}
			testenv.ReportCPU(b, cpu)
		})
		b.Run(bc.name+"/again", func(b *testing.B) {
			b.ReportAllocs()
			Check(rules, bc.pw, jane)
			cpu := testenv.CPUTime()
			for b.Loop() {
				Check(rules, bc.pw, jane) // the submit after the live check
			}
			testenv.ReportCPU(b, cpu)
		})
	}
}

// forgetScores empties the strength score cache.
func forgetScores() {
	scores.mu.Lock()
	clear(scores.m)
	scores.mu.Unlock()
}
