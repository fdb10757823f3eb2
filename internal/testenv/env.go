package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// CI reports whether the tests run under CI (CI=true), where a missing
// server or binary is a failure: a harness that silently stopped starting
// its servers must not turn the build green.
func CI() bool { return os.Getenv("CI") == "true" }

// RequireEnv returns the environment variable the test harness sets to
// point a test at a real server. Without it the test is skipped on a
// developer's machine, but fails in CI.
func RequireEnv(t testing.TB, name string) string {
	t.Helper()
	if v := os.Getenv(name); v != "" {
		return v
	}
	if CI() {
		t.Fatalf("%s is not set: the test harness must start the server and export it (CI=true, so this is a failure, not a skip)", name)
	}
	t.Skipf("%s is not set: run scripts/test, which starts the real servers", name)
	return ""
}

// RequireBinary returns the path of an installed program (redis-server,
// chromium), skipping without it on a developer's machine and failing in
// CI, like RequireEnv.
func RequireBinary(t testing.TB, name string) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err == nil {
		return bin
	}
	if CI() {
		t.Fatalf("%s is not installed (CI=true, so this is a failure, not a skip)", name)
	}
	t.Skipf("%s is not installed: scripts/testenv/install.sh installs it", name)
	return ""
}
