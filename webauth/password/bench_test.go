package password

import (
	"strings"
	"testing"
)

// BenchmarkCheck measures one server-side evaluation (all rules plus the
// strength estimate), the cost behind each rate-limited check request.
func BenchmarkCheck(b *testing.B) {
	rules := NewRules(adPolicy, Options{})
	for _, bc := range []struct{ name, pw string }{
		{"typical", "Glacier-Tuba-Orbit-42!"},
		{"max length", strings.Repeat("Gx7#mango", 15)[:128]},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				forgetScores() // the first check of a candidate
				Check(rules, bc.pw, jane)
			}
		})
		b.Run(bc.name+"/again", func(b *testing.B) {
			b.ReportAllocs()
			Check(rules, bc.pw, jane)
			for b.Loop() {
				Check(rules, bc.pw, jane) // the submit after the live check
			}
		})
	}
}

// forgetScores empties the strength score cache.
func forgetScores() {
	scores.mu.Lock()
	clear(scores.m)
	scores.mu.Unlock()
}
