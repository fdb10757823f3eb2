package blocklist

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestBuildSample(t *testing.T) {
	tests := []struct {
		name       string
		n          int
		opt        buildOptions
		wantShards int
		// maxBits bounds the file's bits per key; small filters pay a
		// larger size factor and headers, so only the big case is tight.
		maxBits float64
	}{
		{name: "200k keys, one shard", n: 200_000, opt: defaultBuildOptions, wantShards: 1, maxBits: 9.5},
		{name: "20k keys, sharded", n: 20_000, opt: buildOptions{maxShardKeys: 1_000, probes: 200_000}, wantShards: 32, maxBits: 14},
		{name: "one key", n: 1, opt: defaultBuildOptions, wantShards: 1, maxBits: 8 * 1024},
		{name: "three keys, more shards than keys", n: 3, opt: buildOptions{maxShardKeys: 1, probes: 10_000}, wantShards: 2, maxBits: 8 * 1024},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := samplePasswords("in", tt.n)
			f, st, _ := buildFile(t, corpusOf(in), tt.opt)
			if st.Keys != int64(tt.n) || f.Keys() != uint64(tt.n) {
				t.Errorf("Keys: stats %d, filter %d, want %d", st.Keys, f.Keys(), tt.n)
			}
			if st.Shards != tt.wantShards {
				t.Errorf("Shards = %d, want %d", st.Shards, tt.wantShards)
			}
			for _, pw := range in {
				if !f.Contains(pw) {
					t.Fatalf("inserted password %q not found", pw)
				}
			}
			if st.FalsePositiveRate >= 0.005 {
				t.Errorf("measured FP rate %.4f, want < 0.5%%", st.FalsePositiveRate)
			}
			if st.FalsePositiveProbes < int64(tt.opt.probes) {
				t.Errorf("FalsePositiveProbes = %d, want >= %d", st.FalsePositiveProbes, tt.opt.probes)
			}
			// An independent check through the public path: passwords
			// that were never inserted.
			out := samplePasswords("out", 100_000)
			fp := 0
			for _, pw := range out {
				if f.Contains(pw) {
					fp++
				}
			}
			if rate := float64(fp) / float64(len(out)); rate >= 0.005 {
				t.Errorf("FP rate on absent passwords %.4f, want < 0.5%%", rate)
			}
			if st.BitsPerEntry < 8 || st.BitsPerEntry > tt.maxBits {
				t.Errorf("BitsPerEntry = %.2f, want 8..%.1f", st.BitsPerEntry, tt.maxBits)
			}
		})
	}
}

func TestBuildLineAccounting(t *testing.T) {
	a, b := corpusLine("alpha", 0), corpusLine("bravo", 1)
	tests := []struct {
		name      string
		input     string
		want      Stats // only the line-accounting fields are compared
		wantErr   error
		wantNoErr bool
	}{
		{
			name:      "clean, no trailing newline",
			input:     a + strings.TrimRight(b, "\r\n"),
			want:      Stats{Lines: 2, Keys: 2},
			wantNoErr: true,
		},
		{
			name:      "blank lines are ignored, not counted",
			input:     "\n" + a + "\r\n  \n" + b + "\n\n",
			want:      Stats{Lines: 2, Keys: 2},
			wantNoErr: true,
		},
		{
			name:      "duplicates in both cases merge",
			input:     a + strings.ToLower(a) + b + b,
			want:      Stats{Lines: 4, Keys: 2, Duplicates: 2},
			wantNoErr: true,
		},
		{
			name:      "byte order mark on the first line",
			input:     "\xEF\xBB\xBF" + a + b,
			want:      Stats{Lines: 2, Keys: 2},
			wantNoErr: true,
		},
		{
			name:    "one bad line in three is too many",
			input:   a + "not a hash\n" + b,
			want:    Stats{Lines: 3, Malformed: 1, FirstMalformedLine: 2},
			wantErr: ErrTooManyMalformed,
		},
		{
			name:    "nothing valid",
			input:   "\n\n",
			want:    Stats{},
			wantErr: nil, // an error, but not a sentinel one
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := build(strings.NewReader(tt.input), &bytes.Buffer{}, buildOptions{maxShardKeys: 1 << 20, probes: 1000})
			switch {
			case tt.wantNoErr && err != nil:
				t.Fatalf("build: %v", err)
			case !tt.wantNoErr && err == nil:
				t.Fatal("build succeeded, want an error")
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("build error %v, want %v", err, tt.wantErr)
			}
			got := Stats{Lines: st.Lines, Keys: st.Keys, Duplicates: st.Duplicates, Malformed: st.Malformed, FirstMalformedLine: st.FirstMalformedLine}
			if got != tt.want {
				t.Errorf("stats = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestBuildToleratesFewMalformedLines checks the 1% threshold from the
// accepting side: a handful of bad lines in a large file, including one
// longer than the read buffer, are counted, located and skipped.
func TestBuildToleratesFewMalformedLines(t *testing.T) {
	pws := samplePasswords("few", 10_000)
	var in bytes.Buffer
	for i, pw := range pws {
		in.WriteString(corpusLine(pw, i))
		switch i {
		case 99: // line 101
			in.WriteString("0123456789ABCDEF0123456789ABCDEF:5\n") // an NTLM hash
		case 4999: // line 5002
			in.WriteString(strings.Repeat("A", 3*readBufferSize) + "\n")
		case 8999: // line 9003
			in.WriteString(corpusLine(pws[0], 0)[:30] + "\n") // truncated
		}
	}
	f, st, _ := buildFile(t, in.Bytes(), buildOptions{maxShardKeys: 1 << 20, probes: 1000})
	want := Stats{Lines: 10_003, Keys: 10_000, Malformed: 3, FirstMalformedLine: 101}
	got := Stats{Lines: st.Lines, Keys: st.Keys, Malformed: st.Malformed, FirstMalformedLine: st.FirstMalformedLine}
	if got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
	for _, pw := range pws {
		if !f.Contains(pw) {
			t.Fatalf("%q not found", pw)
		}
	}
}

func TestBuildReportsWriteErrors(t *testing.T) {
	_, err := Build(strings.NewReader(corpusLine("x", 0)), failingWriter{})
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("Build error = %v, want it to wrap the writer's error", err)
	}
}

var errDiskFull = errors.New("disk full")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }
