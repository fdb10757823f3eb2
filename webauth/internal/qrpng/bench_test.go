package qrpng

import "testing"

// BenchmarkEncode is the cost of one landing QR code (a link of the
// PublicBaseURL and a token), which is why the landing makes it only when
// it is shown (docs/BENCHMARKS.md).
func BenchmarkEncode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode("https://reset.example.test/r/0a-AAAAAAAAAAAAAAAAAAAAAA.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", 256); err != nil {
			b.Fatal(err)
		}
	}
}
