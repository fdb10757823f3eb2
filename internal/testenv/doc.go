// Package testenv is what every package's tests share about the real
// servers they run against: the environment the test harness (scripts/test)
// exports, the binaries it installs, a redis-server of a test's own that the
// test may kill, freeze or restart, and a settable clock.
//
// It exists so that a test of the web app or of the binary needs no other
// package's test helpers (before it, they imported directory/dirtest for
// RequireEnv), and so that there is one Redis runner instead of one per
// package. It is internal: only resetbot's own tests use it.
package testenv
