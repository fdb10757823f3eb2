package webauth

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
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

// changeTimesHidden hides the directory's password change times, like a
// backend that cannot report them: the reconciler then cannot tell.
type changeTimesHidden struct{ directory.Directory }

// TestInterruptedWritePages: a password write whose process lost track of
// it is decided by the reconciler from the directory's evidence; the done
// page the pending page reloads into and the link, opened again, then say
// what the evidence says (not written, or not known), never "too many
// attempts", and what to do next.
func TestInterruptedWritePages(t *testing.T) {
	tests := []struct {
		name    string
		hide    bool
		say     []string
		outcome string
		mustNot []string
	}{
		{"directory shows no change", false,
			[]string{"Your new password was not written; nothing was changed", "your old password still works", "Ask the bot in chat for a new link"},
			flows.RecoveryNotApplied, []string{"too many"}},
		{"directory cannot tell", true,
			[]string{"Your new password could not be confirmed as written", "if it works, it was written", "Ask the bot in chat for a new link"},
			flows.RecoveryUnknown, []string{"too many", "nothing was changed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem, err := memory.New(memory.ExampleSeed())
			if err != nil {
				t.Fatal(err)
			}
			slow := &slowDir{Directory: mem, entered: make(chan struct{}), release: make(chan struct{})}
			var dir directory.Directory = slow
			if tc.hide {
				dir = changeTimesHidden{slow}
			}
			r := newRig(t, rigOptions{dir: dir})
			ts := r.server(t)
			ctx := context.Background()
			is := r.start(t, flows.KindReset, "jdoe")
			b := newBrowser(t, ts)
			b.redeem(is.Token)
			id := is.Flow.ID
			if _, err := r.eng.RecordVerification(ctx, id, readJarBinding(t, b, id), flows.Verification{Method: flows.MethodPasskey, OK: true}); err != nil {
				t.Fatal(err)
			}
			// The process writing the password loses track of it (it died,
			// or lost Redis): the write is held until the verdict is in.
			late := make(chan error, 1)
			go func() {
				_, err := r.eng.Complete(ctx, id, readJarBinding(t, b, id), flows.Completion{NewPassword: "Brand-New-Passw0rd!"})
				late <- err
			}()
			<-slow.entered
			defer func() { close(slow.release); <-late }()

			r.clock.Advance(2 * time.Minute) // past the write and record deadlines
			if n, err := r.eng.ExpireDue(ctx); err != nil || n != 1 {
				t.Fatalf("reconcile: %d ended, %v; want 1", n, err)
			}
			f, err := r.store.Get(ctx, id)
			if err != nil || f.State != flows.StateFailed || f.Recovery != tc.outcome {
				t.Fatalf("flow %v/%q (%v), want failed/%q", f.State, f.Recovery, err, tc.outcome)
			}

			_, _, done, _ := b.get("/f/" + id + "/done")
			st, _, link, _ := newBrowser(t, ts).get("/r/" + is.Token)
			if st != http.StatusGone {
				t.Errorf("link opened again: status %d, want 410:\n%s", st, problemOf(link))
			}
			for page, body := range map[string]string{"done page": done, "link page": link} {
				checkSaysOnce(t, "en", body)
				for _, want := range tc.say {
					if !strings.Contains(body, want) {
						t.Errorf("%s lacks %q:\n%s", page, want, body)
					}
				}
				for _, wrong := range tc.mustNot {
					if strings.Contains(strings.ToLower(body), wrong) {
						t.Errorf("%s says %q", page, wrong)
					}
				}
			}
		})
	}
}

// TestErrorPagesHaveOneH1: every link-state and error page has exactly one
// h1 (screen readers jump to it), as every other page does (#11).
func TestErrorPagesHaveOneH1(t *testing.T) {
	r := newRig(t, rigOptions{})
	ts := r.server(t)
	for _, path := range []string{"/r/not-a-token", "/no/such/page", "/f/not-a-flow/verify"} {
		_, _, body, _ := newBrowser(t, ts).get(path)
		if n := strings.Count(body, "<h1"); n != 1 {
			t.Errorf("%s: %d h1 elements, want 1", path, n)
		}
	}
}
