package blocklist

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestParseLine(t *testing.T) {
	const h = "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8" // SHA-1("password")
	const key = 0x5BAA61E4C9B93F3F
	tests := []struct {
		name     string
		line     string
		wantKind lineKind
	}{
		{"hash and count", h + ":9545824\n", lineKey},
		{"lower case", strings.ToLower(h) + ":1\n", lineKey},
		{"mixed case", "5baa61e4C9B93F3F0682250B6CF8331B7EE68FD8:1\n", lineKey},
		{"CRLF", h + ":3\r\n", lineKey},
		{"bare hash", h + "\n", lineKey},
		{"bare hash CRLF", h + "\r\n", lineKey},
		{"no newline at EOF", h + ":2", lineKey},
		{"surrounding blanks", "  " + h + ":2 \t\n", lineKey},
		{"empty", "\n", lineBlank},
		{"blanks only", " \t\r\n", lineBlank},
		{"NTLM length", h[:32] + ":2\n", lineMalformed},
		{"41 hex digits", h + "A:2\n", lineMalformed},
		{"non-hex in key part", "ZBAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:2\n", lineMalformed},
		{"non-hex in tail", "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FDG:2\n", lineMalformed},
		{"colon without count", h + ":\n", lineMalformed},
		{"negative count", h + ":-1\n", lineMalformed},
		{"count with letters", h + ":12a\n", lineMalformed},
		{"huge count", h + ":" + strings.Repeat("9", 21) + "\n", lineMalformed},
		{"other separator", h + ",3\n", lineMalformed},
		{"plain password", "password\n", lineMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, kind := parseLine([]byte(tt.line))
			if kind != tt.wantKind {
				t.Fatalf("kind = %d, want %d", kind, tt.wantKind)
			}
			if kind == lineKey && got != key {
				t.Errorf("key = %#x, want %#x", got, uint64(key))
			}
		})
	}
}

func TestKeyMatchesCorpusPrefix(t *testing.T) {
	// The key derivation on the password side must equal the one on the
	// corpus side, or nothing would ever be found.
	if got := keyOf("password"); got != 0x5BAA61E4C9B93F3F {
		t.Fatalf("keyOf(password) = %#x, want 0x5baa61e4c9b93f3f", got)
	}
}

// FuzzBuild feeds arbitrary bytes to the line parser and the whole build.
// Neither may panic; a successful build must contain the key of every line
// the parser accepted, and the parser must agree with the hex digits it read.
func FuzzBuild(f *testing.F) {
	f.Add([]byte(corpusLine("password", 0) + corpusLine("x", 1)))
	f.Add([]byte("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8\r\n\n:\n"))
	f.Add([]byte("\xEF\xBB\xBF5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8:00"))
	f.Add([]byte("garbage\x00\xff\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var want []uint64
		for _, line := range bytes.SplitAfter(data, []byte("\n")) {
			key, kind := parseLine(line)
			if kind != lineKey {
				continue
			}
			want = append(want, key)
			prefix := strings.TrimLeft(string(line), " \t\r\n\xEF\xBB\xBF")[:16]
			if got := fmt.Sprintf("%016x", key); !strings.EqualFold(got, prefix) {
				t.Fatalf("key %s from line %q", got, line)
			}
		}
		var out bytes.Buffer
		_, err := build(bytes.NewReader(data), &out, buildOptions{maxShardKeys: 4, probes: 100})
		if err != nil {
			return
		}
		filter, err := decode(out.Bytes())
		if err != nil {
			t.Fatalf("build output does not decode: %v", err)
		}
		for _, k := range want {
			if !filter.containsKey(k) {
				t.Fatalf("key %#x accepted by the parser is missing", k)
			}
		}
	})
}
