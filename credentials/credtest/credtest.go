// Package credtest is the conformance suite every credentials.Store passes:
// the same scenarios run against miniredis, a real redis-server and a real
// Redis Cluster, so what the web app relies on (duplicate passkeys refused,
// updates never resurrect a removed passkey, a TOTP code accepted exactly
// once even under concurrent requests, accounts isolated) is proven on each
// backend rather than assumed.
package credtest

import (
	"context"
	"testing"
	"time"

	"github.com/resetbot/resetbot/credentials"
)

// NewStore returns a fresh, empty store for one test. Each call must give an
// isolated keyspace (a new key prefix is enough), because the real servers
// are shared between tests and runs.
type NewStore func(t *testing.T) credentials.Store

// Run runs the whole suite.
func Run(t *testing.T, newStore NewStore) {
	t.Run("Passkeys", func(t *testing.T) { runPasskeys(t, newStore) })
	t.Run("TOTP", func(t *testing.T) { runTOTP(t, newStore) })
	t.Run("Summary", func(t *testing.T) { testSummary(t, newStore(t)) })
	t.Run("Isolation", func(t *testing.T) { testIsolation(t, newStore(t)) })
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// Account ids as directories hand them out, including one with the
// characters that would break a naive Redis key (braces, colons).
const (
	alice   = "7b0c3c5e-1f2a-4d4e-9b1a-2f1f0c6d9a01"
	bob     = "S-1-5-21-1004336348-1177238915-682003330-1105"
	awkward = "uid={alice}:ou=People,dc=example,dc=test"
)
