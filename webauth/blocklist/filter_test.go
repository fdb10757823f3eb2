package blocklist

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sampleFile builds a small two-shard filter and returns its bytes.
func sampleFile(t *testing.T) []byte {
	t.Helper()
	var out bytes.Buffer
	in := corpusOf(samplePasswords("c", 2_000))
	if _, err := build(bytes.NewReader(in), &out, buildOptions{maxShardKeys: 1_500, probes: 1000}); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// resum rewrites the trailer so a deliberately inconsistent body passes the
// checksum and reaches the field validation behind it.
func resum(b []byte) []byte {
	body := b[:len(b)-trailerLen]
	binary.LittleEndian.PutUint32(b[len(b)-trailerLen:], crc32.Checksum(body, castagnoli))
	return b
}

func TestLoadRejectsDamagedFiles(t *testing.T) {
	good := sampleFile(t)
	firstShard := headerLen
	tests := []struct {
		name   string
		damage func(b []byte) []byte
	}{
		{"empty file", func(b []byte) []byte { return nil }},
		{"header only", func(b []byte) []byte { return b[:headerLen] }},
		{"truncated in the fingerprints", func(b []byte) []byte { return b[:len(b)/2] }},
		{"last byte missing", func(b []byte) []byte { return b[:len(b)-1] }},
		{"extra byte", func(b []byte) []byte { return append(b, 0) }},
		{"bad magic", func(b []byte) []byte { b[0] = 'X'; return b }},
		{"future version", func(b []byte) []byte { b[4] = 2; return resum(b) }},
		{"flipped fingerprint bit", func(b []byte) []byte { b[len(b)/2] ^= 0x10; return b }},
		{"flipped checksum bit", func(b []byte) []byte { b[len(b)-1] ^= 1; return b }},
		{"wrong fingerprint width", func(b []byte) []byte { b[6] = 16; return resum(b) }},
		{"absurd shard bits", func(b []byte) []byte { b[7] = 40; return resum(b) }},
		{"key count disagrees with shards", func(b []byte) []byte { b[8]++; return resum(b) }},
		{"segment mask inconsistent", func(b []byte) []byte { b[firstShard+12]++; return resum(b) }},
		{"segment count too large for fingerprints", func(b []byte) []byte {
			// Keep count*length == countLength consistent but out of range.
			le := binary.LittleEndian
			sl := le.Uint32(b[firstShard+8:])
			le.PutUint32(b[firstShard+16:], 1<<20)
			le.PutUint32(b[firstShard+20:], sl<<20)
			return resum(b)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.damage(bytes.Clone(good))
			path := filepath.Join(t.TempDir(), "bad.bin")
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := Load(path)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Load = %v, %v; want an error wrapping ErrCorrupt", f, err)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "absent.bin"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Load = %v, want os.ErrNotExist", err)
	}
}

func TestEmptyShardContainsNothing(t *testing.T) {
	// Both keys start with a 0 bit, so with two shards the upper shard is
	// empty and must answer false for every key instead of 1 in 256.
	in := "000000000000000100000000000000000000000A:1\n" +
		"000000000000000200000000000000000000000B:1\n"
	f, st, _ := buildFile(t, []byte(in), buildOptions{maxShardKeys: 1, probes: 10_000})
	if st.Shards != 2 {
		t.Fatalf("Shards = %d, want 2", st.Shards)
	}
	for i := range uint64(100_000) {
		if f.containsKey(1<<63 | i*0x9E3779B97F4A7C15>>1) {
			t.Fatalf("empty shard reported key %d", i)
		}
	}
	if !f.containsKey(1) {
		t.Error("inserted key 1 not found")
	}
}

func TestCheckers(t *testing.T) {
	f, _, _ := buildFile(t, []byte(corpusLine("corpus-only-secret", 0)), defaultBuildOptions)
	var nilFilter *Filter
	tests := []struct {
		name     string
		checker  Checker
		password string
		want     bool
	}{
		{"default: top password", Default(), "123456", true},
		{"default: case-insensitive", Default(), "PASSWORD", true},
		{"default: complexity-compliant pattern", Default(), "Summer2024!", true},
		{"default: company-ish", Default(), "welcome123", true},
		{"default: keyboard walk", Default(), "1qaz2wsx", true},
		{"default: not listed", Default(), "correct horse battery staple", false},
		{"default: empty", Default(), "", false},
		{"filter: corpus password", f, "corpus-only-secret", true},
		{"filter: is case-sensitive like SHA-1", f, "CORPUS-ONLY-SECRET", false},
		{"nil filter contains nothing", nilFilter, "123456", false},
		{"combine: list hit", Combine(Default(), f), "iloveyou", true},
		{"combine: filter hit", Combine(Default(), f), "corpus-only-secret", true},
		{"combine: miss", Combine(Default(), f), "plum-sextant-42-rain", false},
		{"combine: skips nil and nil filter", Combine(nil, nilFilter, Default()), "qwerty", true},
		{"combine: nested", Combine(Combine(f), Combine(Default())), "letmein", true},
		{"combine: nothing", Combine(), "123456", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.checker.Contains(tt.password); got != tt.want {
				t.Errorf("Contains(%q) = %v, want %v", tt.password, got, tt.want)
			}
		})
	}
}

func TestEmbeddedListIsClean(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(commonText, "\n"), "\n")
	if len(lines) < 1000 {
		t.Errorf("embedded list has %d entries, want about a thousand", len(lines))
	}
	seen := map[string]int{}
	for i, l := range lines {
		if l == "" || strings.TrimSpace(l) != l {
			t.Errorf("line %d %q: empty or padded", i+1, l)
		}
		if j, dup := seen[strings.ToLower(l)]; dup {
			t.Errorf("line %d %q repeats line %d", i+1, l, j)
		}
		seen[strings.ToLower(l)] = i + 1
	}
}
