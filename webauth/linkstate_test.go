package webauth

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
)

// Every way a flow can end has its own page: "already used" tells nobody
// what to do next.
func TestLinkStatePages(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	ctx := context.Background()
	redeem := func(t *testing.T, is *flows.Issued) string {
		t.Helper()
		_, binding, err := r.eng.Redeem(ctx, is.Token, flows.Client{})
		if err != nil {
			t.Fatalf("Redeem: %v", err)
		}
		return binding
	}
	verify := func(t *testing.T, is *flows.Issued, binding string, ok bool) {
		t.Helper()
		_, _ = r.eng.RecordVerification(ctx, is.Flow.ID, binding, flows.Verification{Method: flows.MethodPasskey, OK: ok, Reason: "test"})
	}

	replaced := r.start(t, flows.KindReset, "jdoe")
	// A browser loads the landing page while the link is live, and its
	// person presses Continue only after asking the bot again.
	late := newBrowser(t, ts)
	st, _, landing, _ := late.get("/r/" + replaced.Token)
	if st != http.StatusOK {
		t.Fatalf("landing: %d", st)
	}
	r.start(t, flows.KindReset, "jdoe")
	st, _, body, _ := late.postForm("/r/"+replaced.Token, map[string]string{"csrf": csrfOf(t, landing)})
	if st != http.StatusGone || !strings.Contains(body, "This link was replaced") {
		t.Errorf("Continue on a replaced link: status %d:\n%s", st, problemOf(body))
	}

	cancelled := r.start(t, flows.KindReset, "spare1")
	if _, err := r.eng.Cancel(ctx, cancelled.Flow.ID, flows.ChatIdentity{Platform: "slack", UserID: "U-spare1"}, "test"); err != nil {
		t.Fatal(err)
	}

	failed := r.start(t, flows.KindReset, "spare2")
	b := redeem(t, failed)
	for range 3 {
		verify(t, failed, b, false)
	}

	denied := r.start(t, flows.KindReset, "alice")
	verify(t, denied, redeem(t, denied), true)
	helpdesk, err := r.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.eng.Decide(ctx, denied.Flow.ID, flows.Decision{Approver: flows.ChatIdentity{Platform: "slack", UserID: "U-jdoe"}, ApproverAccountID: helpdesk.ID}); err != nil {
		t.Fatalf("Decide: %v", err)
	}

	completed := r.start(t, flows.KindReset, "pwuser")
	b = redeem(t, completed)
	verify(t, completed, b, true)
	if _, err := r.eng.Complete(ctx, completed.Flow.ID, b, flows.Completion{NewPassword: "Quiet-Harbour-71-Lantern"}); err != nil {
		t.Fatalf("Complete: %v", err)
	}

	tests := []struct {
		name  string
		is    *flows.Issued
		state flows.State
		say   []string
	}{
		{"replaced by a newer link", replaced, flows.StateSuperseded, []string{"This link was replaced", "Open the latest message from the bot"}},
		{"cancelled", cancelled, flows.StateCancelled, []string{"This request was cancelled", "nothing was changed"}},
		{"failed after too many attempts", failed, flows.StateFailed, []string{"This request was stopped", "too many failed attempts"}},
		{"denied by the helpdesk", denied, flows.StateDenied, []string{"did not approve", "Contact the helpdesk"}},
		{"completed", completed, flows.StateCompleted, []string{"Your password was already changed at " + r.clock.Now().UTC().Format("15:04"), "Sign in with the new password"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := r.store.Get(ctx, tc.is.Flow.ID)
			if err != nil || f.State != tc.state {
				t.Fatalf("flow state %v (%v), want %s", f.State, err, tc.state)
			}
			st, _, body, _ := newBrowser(t, ts).get("/r/" + tc.is.Token)
			if st != http.StatusGone {
				t.Errorf("status %d, want 410", st)
			}
			for _, want := range tc.say {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q:\n%s", want, problemOf(body))
				}
			}
			if strings.Contains(body, "already used") {
				t.Error("page says the generic 'already used'")
			}
		})
	}
}
