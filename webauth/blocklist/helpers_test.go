package blocklist

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // the corpus format.
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusLine renders one password the way the breach corpus lists it. The
// variant cycles through upper/lower case hex, CRLF and bare hashes, so
// every generated sample exercises all accepted spellings.
func corpusLine(password string, variant int) string {
	sum := sha1.Sum([]byte(password)) //nolint:gosec // the corpus format.
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	switch variant % 4 {
	case 0:
		return fmt.Sprintf("%s:%d\n", h, variant+1)
	case 1:
		return fmt.Sprintf("%s:%d\r\n", strings.ToLower(h), variant+1)
	case 2:
		return h + "\n"
	default:
		return strings.ToLower(h) + "\r\n"
	}
}

// samplePasswords returns n distinct generated passwords.
func samplePasswords(prefix string, n int) []string {
	pws := make([]string, n)
	for i := range pws {
		pws[i] = fmt.Sprintf("%s-%d-pw", prefix, i)
	}
	return pws
}

// corpusOf renders passwords as a corpus file body.
func corpusOf(passwords []string) []byte {
	var b bytes.Buffer
	for i, pw := range passwords {
		b.WriteString(corpusLine(pw, i))
	}
	return b.Bytes()
}

// buildFile builds a filter from input with opt and loads it back from a
// real file, so every test goes through Load as production does.
func buildFile(t testing.TB, input []byte, opt buildOptions) (*Filter, Stats, string) {
	t.Helper()
	var out bytes.Buffer
	st, err := build(bytes.NewReader(input), &out, opt)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if st.Bytes != int64(out.Len()) {
		t.Fatalf("Stats.Bytes = %d, wrote %d", st.Bytes, out.Len())
	}
	path := filepath.Join(t.TempDir(), "blocklist.bin")
	if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return f, st, path
}
