package dirtest

import (
	"os"
	"testing"
)

// RequireEnv returns the environment variable the test harness sets to
// point a test at a real server. Without it the test is skipped on a
// developer's machine, but fails in CI (CI=true): a harness that silently
// stopped starting its servers must not turn the build green.
func RequireEnv(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v != "" {
		return v
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: the test harness must start the server and export it (CI=true, so this is a failure, not a skip)", name)
	}
	t.Skipf("%s is not set: run scripts/test, which starts the real servers", name)
	return ""
}
