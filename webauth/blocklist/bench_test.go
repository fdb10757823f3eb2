package blocklist

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkContains measures one lookup in a 1M-key filter: a SHA-1 and
// three fingerprint reads. The passwords alternate between present and
// absent so neither path is favoured.
func BenchmarkContains(b *testing.B) {
	in := samplePasswords("bench", 1_000_000)
	f, _, _ := buildFile(b, corpusOf(in), buildOptions{maxShardKeys: 1 << 26, probes: 1000})
	probe := append(in[:1000:1000], samplePasswords("absent", 1000)...)
	b.ReportAllocs()
	b.ResetTimer()
	hits := 0
	for i := range b.N {
		if f.Contains(probe[i%len(probe)]) {
			hits++
		}
	}
	if hits == 0 {
		b.Fatal("no hits")
	}
}

// BenchmarkBuild measures the whole build of a 1M-line corpus (parse,
// sort, filter construction, FP measurement with 1M probes, write) and
// reports lines/s and bytes per entry.
func BenchmarkBuild(b *testing.B) {
	const n = 1_000_000
	in := corpusOf(samplePasswords("bench", n))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	var st Stats
	for b.Loop() {
		var err error
		st, err = Build(bytes.NewReader(in), io.Discard)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(st.Bytes)/float64(st.Keys), "B/entry")
	b.ReportMetric(st.FalsePositiveRate*100, "fp%")
}

// BenchmarkLoad measures opening a 1M-key filter: read, CRC, parse.
func BenchmarkLoad(b *testing.B) {
	var out bytes.Buffer
	if _, err := build(bytes.NewReader(corpusOf(samplePasswords("bench", 1_000_000))), &out, buildOptions{maxShardKeys: 1 << 26, probes: 1000}); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "f.bin")
	if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(out.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
}
