package dirtest

import (
	"testing"

	"github.com/resetbot/resetbot/internal/testenv"
)

// RequireEnv is testenv.RequireEnv, kept for the conformance suite's
// callers: a real server's address from the test harness, a failure under
// CI and a skip elsewhere when it is missing.
func RequireEnv(t testing.TB, name string) string {
	t.Helper()
	return testenv.RequireEnv(t, name)
}
