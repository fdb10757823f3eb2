package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/resetbot/resetbot/flows"
)

// runAdmit checks Store.Admit: its budget is spent exactly as Take spends
// it, its counts are Used's and its live ids LiveIDs', all in one call.
func runAdmit(t *testing.T, newStore NewStore) {
	now := time.Date(2026, 3, 2, 9, 59, 59, 999_000_000, time.UTC)
	budget := flows.Budget{Key: "acct:x", Window: time.Hour, Max: 2}

	t.Run("SpendsCountsAndReads", func(t *testing.T) {
		r := newRig(t, newStore)
		st := r.st
		is := r.mustStart(t, flows.KindReset, "U0JDOE")
		acct := is.Flow.Subject.AccountID
		for range 3 {
			if _, err := st.Take(ctx(t), "risk:c1", time.Hour, 100, now.Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		a := flows.Admission{Budget: budget, Counts: []flows.Window{{Key: "risk:c1", Window: time.Hour}, {Key: "risk:c2", Window: time.Hour}},
			AccountID: acct, Kinds: []flows.Kind{flows.KindReset, flows.KindChange}}
		want, err := st.LiveIDs(ctx(t), acct, a.Kinds...)
		if err != nil {
			t.Fatal(err)
		}
		for i, allowed := range []bool{true, true, false, false} {
			got, err := st.Admit(ctx(t), a, now)
			if err != nil {
				t.Fatalf("admit %d: %v", i, err)
			}
			if got.Allowed != allowed {
				t.Fatalf("admit %d: allowed %v, want %v", i, got.Allowed, allowed)
			}
			if !reflect.DeepEqual(got.Counts, []int64{3, 0}) {
				t.Fatalf("admit %d: counts %v, want [3 0]", i, got.Counts)
			}
			if !reflect.DeepEqual(got.Live, want) || got.Live[0] != is.Flow.ID {
				t.Fatalf("admit %d: live %q, want %q (LiveIDs) naming %s", i, got.Live, want, is.Flow.ID)
			}
		}
		// Refused admissions record nothing: the budget holds 2 uses.
		if n, err := st.Used(ctx(t), budget.Key, budget.Window, now); err != nil || n != 2 {
			t.Fatalf("budget used %d, %v; want 2", n, err)
		}
		if ok, err := st.Take(ctx(t), budget.Key, budget.Window, budget.Max, now.Add(time.Hour)); err != nil || !ok {
			t.Fatalf("the budget after its window: %v, %v; want a use", ok, err)
		}
	})

	t.Run("NoBudgetAdmitsAndSpendsNothing", func(t *testing.T) {
		st := newStore(t)
		got, err := st.Admit(ctx(t), flows.Admission{Budget: flows.Budget{Key: "acct:y", Window: time.Hour}, AccountID: "y", Kinds: []flows.Kind{flows.KindReset}}, now)
		if err != nil || !got.Allowed || len(got.Counts) != 0 || !reflect.DeepEqual(got.Live, []string{""}) {
			t.Fatalf("admit without a budget: %+v, %v", got, err)
		}
		if n, _ := st.Used(ctx(t), "acct:y", time.Hour, now); n != 0 {
			t.Fatalf("a use recorded without a budget: %d", n)
		}
	})

	t.Run("ConcurrentAdmitsNeverOverspend", func(t *testing.T) {
		st := newStore(t)
		a := flows.Admission{Budget: flows.Budget{Key: "acct:shared", Window: time.Minute, Max: 5}, AccountID: "shared", Kinds: []flows.Kind{flows.KindReset}}
		n := wins(t, 32, func() (bool, error) {
			got, err := st.Admit(ctx(t), a, now)
			return got.Allowed, err
		})
		if n != 5 {
			t.Fatalf("%d concurrent admissions won, want exactly the budget of 5", n)
		}
	})
}
