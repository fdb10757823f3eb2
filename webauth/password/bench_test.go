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
				Check(rules, bc.pw, jane)
			}
		})
	}
}
