package bottest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"
)

// update is the one -update flag for golden files. It is defined here,
// once, because every platform package's tests import bottest: a second
// definition in a test package would panic at start-up, so those tests
// must not define their own.
var update = flag.Bool("update", false, "rewrite the golden files in testdata instead of comparing against them")

// Golden compares got with the golden file at path, and with -update
// rewrites the file first. Rendered Slack blocks, Teams cards and Discord
// messages are checked this way so that a change in what users see shows
// up as a reviewable diff. A mismatch fails the test but lets it go on.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update if the change is intended):\n%s", path, got)
	}
}

// GoldenJSON encodes v the way golden files are written (two-space
// indent, HTML characters unescaped so mentions like <@U1> stay readable;
// the JSON means the same), checks it with Golden and returns the encoding
// for further checks.
func GoldenJSON(t testing.TB, path string, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	Golden(t, path, buf.Bytes())
	return buf.Bytes()
}
