// Package storetest is the conformance suite every flows.Store passes: the
// same scenarios, run against a real redis-server, a real Redis Cluster and
// miniredis, so the behaviour the engine relies on (compare-and-swap, one
// live flow per account, atomic audit events, single-use links, expiry) is
// proven on each backend rather than assumed.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/internal/testenv"
)

// NewStore returns a fresh, empty store for one test. Each call must give an
// isolated keyspace (a new key prefix is enough).
type NewStore func(t *testing.T) flows.Store

// Run runs the whole suite.
func Run(t *testing.T, newStore NewStore) {
	t.Run("Store", func(t *testing.T) { runStore(t, newStore) })
	t.Run("Take", func(t *testing.T) { runTake(t, newStore) })
	t.Run("Admit", func(t *testing.T) { runAdmit(t, newStore) })
	t.Run("Claim", func(t *testing.T) { runClaim(t, newStore) })
	t.Run("Lease", func(t *testing.T) { runLease(t, newStore) })
	t.Run("LinkClaimedInChat", func(t *testing.T) { runLinkClaim(t, newStore) })
	t.Run("Engine", func(t *testing.T) { runEngine(t, newStore) })
	t.Run("Reread", func(t *testing.T) { runReread(t, newStore) })
	t.Run("Reader", func(t *testing.T) { runReader(t, newStore) })
	t.Run("Policy", func(t *testing.T) { runPolicy(t, newStore) })
	t.Run("ApprovalConfirmedWithPasskey", func(t *testing.T) { runConfirmation(t, newStore) })
	t.Run("Recovery", func(t *testing.T) { runRecovery(t, newStore) })
	t.Run("LinkDelivery", func(t *testing.T) { runLinkDelivery(t, newStore) })
	t.Run("CallerVerify", func(t *testing.T) { runCallerVerify(t, newStore) })
	t.Run("Change", func(t *testing.T) { runChange(t, newStore) })
	t.Run("Revoke", func(t *testing.T) { runRevoke(t, newStore) })
}

// RequireEnv is testenv.RequireEnv: a real server's address from the test
// harness, a failure under CI and a skip elsewhere when it is missing.
func RequireEnv(t testing.TB, name string) string {
	t.Helper()
	return testenv.RequireEnv(t, name)
}

// Clock is testenv's settable clock, for the engine and store calls.
type Clock = testenv.Clock

// NewClock starts a clock at a fixed, realistic time.
func NewClock() *Clock { return testenv.NewClock() }

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// drain reads every event waiting for group, acknowledging them.
func drain(t *testing.T, st flows.Store, group string) []flows.Event {
	t.Helper()
	var all []flows.Event
	for i := 0; i < 100; i++ {
		evs, err := st.ReadEvents(ctx(t), group, "c1", 100)
		if err != nil {
			t.Fatalf("ReadEvents: %v", err)
		}
		if len(evs) == 0 {
			return all
		}
		for _, ev := range evs {
			if err := st.AckEvents(ctx(t), group, ev.ID); err != nil {
				t.Fatalf("AckEvents: %v", err)
			}
		}
		all = append(all, evs...)
	}
	t.Fatal("event stream does not drain")
	return nil
}

func types(evs []flows.Event) []flows.EventType {
	out := make([]flows.EventType, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}
