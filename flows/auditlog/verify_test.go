package auditlog

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestVerify(t *testing.T) {
	path := writeLog(t, 5)
	orig := readLines(t, path)
	// tamper returns a copy of the five original lines changed by f.
	tamper := func(f func(l []string) []string) string {
		l := f(append([]string(nil), orig...))
		return strings.Join(l, "\n") + "\n"
	}
	tests := []struct {
		name    string
		log     string
		want    Problem // "" means the log must verify
		line    int
		seq     uint64
		records int // intact records before the break (or all, when OK)
	}{
		{name: "untouched", log: tamper(func(l []string) []string { return l }), records: 5},
		{name: "empty file", log: "", records: 0},
		{
			name: "edited line",
			log: tamper(func(l []string) []string {
				l[2] = strings.Replace(l[2], `"account":"alice"`, `"account":"mallory"`, 1)
				return l
			}),
			want: ProblemEdited, line: 3, seq: 3, records: 3,
		},
		{
			name: "edited first line's prev",
			log: tamper(func(l []string) []string {
				l[0] = strings.Replace(l[0], GenesisHash, strings.Repeat("1", 64), 1)
				return l
			}),
			want: ProblemEdited, line: 1, seq: 1, records: 0,
		},
		{
			name: "removed middle line",
			log:  tamper(func(l []string) []string { return append(l[:2], l[3:]...) }),
			want: ProblemRemoved, line: 3, seq: 4, records: 2,
		},
		{
			name: "removed two middle lines",
			log:  tamper(func(l []string) []string { return append(l[:1], l[3:]...) }),
			want: ProblemRemoved, line: 2, seq: 4, records: 1,
		},
		{
			name: "removed first line",
			log:  tamper(func(l []string) []string { return l[1:] }),
			want: ProblemRemoved, line: 1, seq: 2, records: 0,
		},
		{
			name: "removed second to last line",
			log:  tamper(func(l []string) []string { return append(l[:3], l[4]) }),
			want: ProblemRemoved, line: 4, seq: 5, records: 3,
		},
		{
			name: "reordered pair",
			log: tamper(func(l []string) []string {
				l[1], l[2] = l[2], l[1]
				return l
			}),
			want: ProblemReordered, line: 2, seq: 3, records: 1,
		},
		{
			name: "duplicated line",
			log: tamper(func(l []string) []string {
				return append(l[:3], append([]string{l[2]}, l[3:]...)...)
			}),
			want: ProblemReordered, line: 4, seq: 3, records: 3,
		},
		{
			name: "garbage line",
			log: tamper(func(l []string) []string {
				l[3] = "this is not json"
				return l
			}),
			want: ProblemInvalidJSON, line: 4, records: 3,
		},
		{
			name: "empty line",
			log: tamper(func(l []string) []string {
				l[1] = ""
				return l
			}),
			want: ProblemInvalidJSON, line: 2, records: 1,
		},
		{
			name: "json but not a record",
			log: tamper(func(l []string) []string {
				l[1] = `{"hello":"world"}`
				return l
			}),
			want: ProblemMalformed, line: 2, records: 1,
		},
		{
			name: "prev not a hash",
			log: tamper(func(l []string) []string {
				l[0] = strings.Replace(l[0], GenesisHash, "zz", 1)
				return l
			}),
			want: ProblemMalformed, line: 1, seq: 1, records: 0,
		},
		{
			name: "torn last line",
			log:  tamper(func(l []string) []string { return l })[:len(tamper(func(l []string) []string { return l }))-10],
			want: ProblemIncomplete, line: 5, records: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Verify(strings.NewReader(tt.log))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Records != tt.records {
				t.Errorf("Records = %d, want %d", rep.Records, tt.records)
			}
			if tt.want == "" {
				if !rep.OK() {
					t.Fatalf("want OK, got %s", rep.Broken)
				}
				return
			}
			if rep.OK() {
				t.Fatalf("want %s at line %d, got OK", tt.want, tt.line)
			}
			b := rep.Broken
			if b.Problem != tt.want || b.Line != tt.line || b.Seq != tt.seq {
				t.Errorf("got %s (problem %s line %d seq %d), want problem %s line %d seq %d",
					b, b.Problem, b.Line, b.Seq, tt.want, tt.line, tt.seq)
			}
			if b.Detail == "" {
				t.Error("empty Detail")
			}
		})
	}
}

func TestVerifyAnchor(t *testing.T) {
	path := writeLog(t, 4)
	lines := readLines(t, path)
	rep := verifyFile(t, path)
	if rep.LastSeq != 4 || rep.LastHash != LineHash([]byte(lines[3])) {
		t.Errorf("anchor = %d %s, want 4 %s", rep.LastSeq, rep.LastHash, LineHash([]byte(lines[3])))
	}
	// Truncating the tail verifies (the documented limitation) but moves
	// the anchor, which is how an operator who stored it notices.
	short := strings.Join(lines[:3], "\n") + "\n"
	rep2, err := Verify(strings.NewReader(short))
	if err != nil {
		t.Fatal(err)
	}
	if !rep2.OK() || rep2.LastSeq != 3 || rep2.LastHash == rep.LastHash {
		t.Errorf("truncated report = %+v", rep2)
	}
}

// FuzzVerify feeds arbitrary bytes, and mutations of a real log, to Verify:
// it must never panic and must report a line within the input.
func FuzzVerify(f *testing.F) {
	dir := f.TempDir()
	s, err := Open(dir + "/seed.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	for _, id := range []string{"a/1-0", "a/1-1", "b/2-0"} {
		if err := s.Deliver(f.Context(), event(id)); err != nil {
			f.Fatal(err)
		}
	}
	s.Close()
	seed, err := os.ReadFile(dir + "/seed.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	ecs, err := OpenTarget(dir+"/seed-ecs.jsonl", Options{Format: FormatECS})
	if err != nil {
		f.Fatal(err)
	}
	for _, id := range []string{"a/1-0", "a/1-1"} {
		if err := ecs.Deliver(f.Context(), event(id)); err != nil {
			f.Fatal(err)
		}
	}
	ecs.Close()
	seedECS, err := os.ReadFile(dir + "/seed-ecs.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seedECS)
	f.Add(append(append([]byte(nil), seed...), seedECS...))
	f.Add([]byte(`{"@timestamp":"x","event":{"sequence":1},"resetbot":{"prev":"` + GenesisHash + `"}}` + "\n"))
	f.Add([]byte(`{"@timestamp":1,"event":{"sequence":"1"},"resetbot":null}` + "\n"))
	f.Add([]byte(""))
	f.Add([]byte("\n\n"))
	f.Add([]byte(`{"seq":1,"prev":"` + GenesisHash + `","event":{}}` + "\n"))
	f.Add([]byte(`{"seq":18446744073709551615,"prev":"` + GenesisHash + `","event":{}}` + "\n"))
	f.Add([]byte(`{"seq":1,"prev":null,"event":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := Verify(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("Verify error on in-memory reader: %v", err)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		if rep.Broken != nil && (rep.Broken.Line < 1 || rep.Broken.Line > lines) {
			t.Errorf("broken line %d outside 1..%d", rep.Broken.Line, lines)
		}
		if rep.Records > lines {
			t.Errorf("records %d > lines %d", rep.Records, lines)
		}
		if rep.OK() && len(data) > 0 && data[len(data)-1] != '\n' {
			t.Error("a log without a final newline verified")
		}
	})
}
