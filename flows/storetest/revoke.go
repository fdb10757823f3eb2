package storetest

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// revokeOf asks, as the helpdesk member jdoe, to remove factor from the
// privileged alice: the request "/reset revoke" stores for a second
// member's approval.
func (r *rig) revokeOf(t *testing.T, factor string) (*flows.Flow, error) {
	t.Helper()
	alice, err := r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	return r.eng.RequestRevoke(ctx(t), flows.RevokeRequest{Account: alice, Chat: slack("U0ALICE"),
		RequestedBy: slack("U0JDOE"), RequestedByAccountID: r.account(t, "jdoe").ID, Factor: factor})
}

// account is the seeded directory account named name.
func (r *rig) account(t *testing.T, name string) *directory.User {
	t.Helper()
	u, err := r.dir.Find(ctx(t), directory.Lookup{Kind: directory.ByAccountName, Value: name})
	if err != nil {
		t.Fatalf("Find(%s): %v", name, err)
	}
	return u
}

// approvedRevoke is alice's revocation of factor, approved by spare2, a
// second helpdesk member.
func (r *rig) approvedRevoke(t *testing.T, factor string) *flows.Flow {
	t.Helper()
	if err := r.dir.AddMember("helpdesk", "spare2"); err != nil {
		t.Fatal(err)
	}
	f, err := r.revokeOf(t, factor)
	if err != nil {
		t.Fatal(err)
	}
	f, err = r.eng.Decide(ctx(t), f.ID, flows.Decision{Approver: slack("U0SPARE2"), ApproverAccountID: r.account(t, "spare2").ID, Grant: true})
	if err != nil || f.State != flows.StateVerified || !f.Approval.Granted {
		t.Fatalf("approval: %v, %+v", err, f)
	}
	return f
}

// revokedEvents are the factors.revoked events in the store's stream.
func revokedEvents(t *testing.T, st flows.Store) []flows.Event {
	t.Helper()
	var out []flows.Event
	for _, ev := range drain(t, st, "revoke-test") {
		if ev.Type == flows.EventFactorsRevoked {
			out = append(out, ev)
		}
	}
	return out
}

// runRevoke is the helpdesk's removal of a privileged account's factors
// ("/reset revoke"): a request waiting for a second member's approval,
// the removal noted before it starts and recorded once, with the true
// outcome after an interruption.
func runRevoke(t *testing.T, newStore NewStore) {
	t.Run("RequestWaitsForASecondMember", func(t *testing.T) {
		r := newRig(t, newStore)
		f, err := r.revokeOf(t, "Admin Key")
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.eng.Get(ctx(t), f.ID)
		if err != nil || got.Kind != flows.KindRevoke || got.State != flows.StateAwaitingApproval || !got.Approval.Required ||
			got.Factor != "Admin Key" || !got.Subject.Privileged || got.RequestedByAccountID != r.account(t, "jdoe").ID {
			t.Fatalf("stored request %+v, %v; want alice's, awaiting approval, the name as typed", got, err)
		}
		for name, d := range map[string]flows.Decision{
			"the requester": {Approver: slack("U0JDOE"), ApproverAccountID: r.account(t, "jdoe").ID, Grant: true},
			"the target":    {Approver: slack("U0ALICE"), ApproverAccountID: got.Subject.AccountID, Grant: true},
		} {
			if _, err := r.eng.Decide(ctx(t), f.ID, d); !errors.Is(err, flows.ErrApproverNotAllowed) {
				t.Errorf("%s approving: %v, want ErrApproverNotAllowed", name, err)
			}
		}
		if _, err := r.eng.BeginRevoke(ctx(t), f.ID, []string{"Admin Key"}); !errors.Is(err, flows.ErrIllegalTransition) {
			t.Errorf("BeginRevoke before the approval = %v, want ErrIllegalTransition", err)
		}
		if _, err := r.eng.RecordRevoke(ctx(t), f.ID, flows.RevokeOutcome{Removed: []string{"Admin Key"}}); !errors.Is(err, flows.ErrIllegalTransition) {
			t.Errorf("RecordRevoke before the approval = %v, want ErrIllegalTransition", err)
		}
		newer, err := r.revokeOf(t, "all")
		if err != nil {
			t.Fatal(err)
		}
		if old, _ := r.eng.Get(ctx(t), f.ID); old.State != flows.StateSuperseded {
			t.Errorf("the first request is %q after a second, want superseded", old.State)
		}
		if id, err := r.st.LiveID(ctx(t), got.Subject.AccountID, flows.KindRevoke); err != nil || id != newer.ID {
			t.Errorf("live revoke %q, %v; want the newer %q", id, err, newer.ID)
		}
	})

	t.Run("RefusesSelfAndEmpty", func(t *testing.T) {
		r := newRig(t, newStore)
		alice := r.account(t, "alice")
		for name, req := range map[string]flows.RevokeRequest{
			"own account": {Account: alice, Chat: slack("U0ALICE"), RequestedBy: slack("U0JDOE"), RequestedByAccountID: alice.ID, Factor: "all"},
			"own chat id": {Account: alice, Chat: slack("U0ALICE"), RequestedBy: slack("U0ALICE"), RequestedByAccountID: "someone", Factor: "all"},
		} {
			if _, err := r.eng.RequestRevoke(ctx(t), req); !errors.Is(err, flows.ErrApproverNotAllowed) {
				t.Errorf("%s: %v, want ErrApproverNotAllowed", name, err)
			}
		}
		if _, err := r.eng.RequestRevoke(ctx(t), flows.RevokeRequest{Account: alice, Chat: slack("U0ALICE"), RequestedBy: slack("U0JDOE"),
			RequestedByAccountID: r.account(t, "jdoe").ID, Factor: "  "}); err == nil {
			t.Error("a request naming no factor was stored")
		}
		if id, _ := r.st.LiveID(ctx(t), alice.ID, flows.KindRevoke); id != "" {
			t.Errorf("a refused request left live flow %q", id)
		}
	})

	t.Run("RemovalNotedThenRecordedOnce", func(t *testing.T) {
		r := newRig(t, newStore)
		f := r.approvedRevoke(t, "admin key")
		f, err := r.eng.BeginRevoke(ctx(t), f.ID, []string{"Admin Key"})
		if err != nil || f.State != flows.StateApplying {
			t.Fatalf("BeginRevoke: %v, %+v", err, f)
		}
		// A retry (another replica, a redelivery) keeps the first note:
		// by then nothing matches any more.
		if _, err := r.eng.BeginRevoke(ctx(t), f.ID, nil); err != nil {
			t.Fatalf("second BeginRevoke: %v", err)
		}
		got, err := r.eng.Get(ctx(t), f.ID)
		if err != nil || got.State != flows.StateApplying || len(got.Revoking) != 1 || got.Revoking[0] != "Admin Key" || got.ApplyingAt.IsZero() {
			t.Fatalf("stored %+v, %v; want removing, Admin Key noted", got, err)
		}
		var wins, late atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := r.eng.RecordRevoke(ctx(t), f.ID, flows.RevokeOutcome{Removed: []string{"Admin Key"}})
				switch {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, flows.ErrAlreadyDecided):
					late.Add(1)
				default:
					t.Errorf("RecordRevoke: %v", err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 || late.Load() != 7 {
			t.Fatalf("wins=%d late=%d, want one record", wins.Load(), late.Load())
		}
		if got, _ := r.eng.Get(ctx(t), f.ID); got.State != flows.StateCompleted || got.EndedAt.IsZero() {
			t.Fatalf("ended in %q at %v", got.State, got.EndedAt)
		}
		evs := revokedEvents(t, r.st)
		if len(evs) != 1 || evs[0].Outcome != "ok" || evs[0].Reason != "Admin Key" || evs[0].FlowID != f.ID || evs[0].Actor != "slack:U0JDOE" {
			t.Fatalf("revoked events %+v; want one, ok, Admin Key, by the requester", evs)
		}
		if _, err := r.eng.BeginRevoke(ctx(t), f.ID, nil); !errors.Is(err, flows.ErrAlreadyDecided) {
			t.Fatalf("BeginRevoke after the record = %v, want ErrAlreadyDecided", err)
		}
	})

	t.Run("InterruptedRemovalRecordedAsRemoved", func(t *testing.T) {
		r := newRig(t, newStore)
		f := r.approvedRevoke(t, "all")
		if _, err := r.eng.BeginRevoke(ctx(t), f.ID, []string{"Admin Key", "authenticator app"}); err != nil {
			t.Fatal(err)
		}
		// The process removed both and died before recording; the retry
		// finds nothing and reports what the note says is gone.
		if _, err := r.eng.RecordRevoke(ctx(t), f.ID, flows.RevokeOutcome{Earlier: []string{"Admin Key", "authenticator app"}}); err != nil {
			t.Fatal(err)
		}
		evs := revokedEvents(t, r.st)
		if len(evs) != 1 || evs[0].Outcome != "ok" || !strings.Contains(evs[0].Reason, "Admin Key, authenticator app") ||
			!strings.Contains(evs[0].Reason, "interruption") || strings.Contains(evs[0].Reason, "nothing") {
			t.Fatalf("revoked events %+v; want the removal named, not nothing matched", evs)
		}
	})

	t.Run("NothingMatchedSaysSo", func(t *testing.T) {
		r := newRig(t, newStore)
		f := r.approvedRevoke(t, "Pixel")
		if _, err := r.eng.RecordRevoke(ctx(t), f.ID, flows.RevokeOutcome{}); err != nil {
			t.Fatal(err)
		}
		evs := revokedEvents(t, r.st)
		if len(evs) != 1 || evs[0].Outcome != "nothing" || evs[0].Reason != "nothing matched Pixel" {
			t.Fatalf("revoked events %+v", evs)
		}
	})

	t.Run("ApproverConfirmationKnowsItIsARevoke", func(t *testing.T) {
		r := newRig(t, newStore)
		if err := r.dir.AddMember("helpdesk", "spare2"); err != nil {
			t.Fatal(err)
		}
		f, err := r.revokeOf(t, "Admin Key")
		if err != nil {
			t.Fatal(err)
		}
		is, err := r.eng.StartConfirmation(ctx(t), flows.ConfirmRequest{Target: f.ID, Approver: slack("U0SPARE2"), Account: r.account(t, "spare2"), Grant: true})
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.eng.Get(ctx(t), is.Flow.ID)
		if err != nil || got.Kind != flows.KindApprove || got.Approve.TargetKind != flows.KindRevoke || got.Factor != "Admin Key" || got.Approve.TargetAccount != "alice" {
			t.Fatalf("confirmation flow %+v, %v; want it to name the revoke and its factor", got, err)
		}
	})

	t.Run("SweeperEndsAnUnrecordedRemoval", func(t *testing.T) {
		r := newRig(t, newStore)
		f := r.approvedRevoke(t, "admin key")
		if _, err := r.eng.BeginRevoke(ctx(t), f.ID, []string{"Admin Key"}); err != nil {
			t.Fatal(err)
		}
		r.clock.Advance(31 * time.Minute) // past the approval's lifetime
		if n, err := r.eng.ExpireDue(ctx(t)); err != nil || n != 1 {
			t.Fatalf("ExpireDue = %d, %v; want the removal ended", n, err)
		}
		got, _ := r.eng.Get(ctx(t), f.ID)
		if got.State != flows.StateFailed || got.Recovery != flows.RecoveryUnknown {
			t.Fatalf("ended %q (%q), want failed, outcome unknown", got.State, got.Recovery)
		}
		var reason string
		for _, ev := range drain(t, r.st, "revoke-test") {
			if ev.Type == flows.EventRecoveredFailed {
				reason = ev.Reason
			}
		}
		if !strings.Contains(reason, "Admin Key") {
			t.Fatalf("recovery reason %q does not name what was being removed", reason)
		}
	})
}
