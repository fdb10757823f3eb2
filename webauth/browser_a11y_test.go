package webauth

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// TestBrowserAccessibilityLinkStates: every page a link can end on (#11
// §4) passes axe in both colour schemes in Chromium, as the pages of the
// flows do in the other browser tests (their steps check each state):
// replaced by a newer link, cancelled, stopped after failed attempts,
// denied, completed, used and expired.
func TestBrowserAccessibilityLinkStates(t *testing.T) {
	s := newSite(t, memoryDir(t), false)
	ctx := context.Background()
	redeem := func(is *flows.Issued) string {
		t.Helper()
		_, binding, err := s.eng.Redeem(ctx, is.Token, flows.Client{})
		if err != nil {
			t.Fatalf("Redeem: %v", err)
		}
		return binding
	}
	verify := func(is *flows.Issued, binding string, ok bool) {
		t.Helper()
		_, _ = s.eng.RecordVerification(ctx, is.Flow.ID, binding, flows.Verification{Method: flows.MethodPasskey, OK: ok, Reason: "test"})
	}

	replaced := s.start(t, flows.KindReset, "jdoe")
	s.start(t, flows.KindReset, "jdoe")

	cancelled := s.start(t, flows.KindReset, "spare1")
	if _, err := s.eng.Cancel(ctx, cancelled.Flow.ID, flows.ChatIdentity{Platform: "slack", UserID: "U-spare1"}, "test"); err != nil {
		t.Fatal(err)
	}

	failed := s.start(t, flows.KindReset, "spare2")
	b := redeem(failed)
	for range 3 {
		verify(failed, b, false)
	}

	denied := s.start(t, flows.KindReset, "alice")
	verify(denied, redeem(denied), true)
	helpdesk, err := s.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.eng.Decide(ctx, denied.Flow.ID, flows.Decision{Approver: flows.ChatIdentity{Platform: "slack", UserID: "U-jdoe"}, ApproverAccountID: helpdesk.ID}); err != nil {
		t.Fatalf("Decide: %v", err)
	}

	completed := s.start(t, flows.KindReset, "pwuser")
	b = redeem(completed)
	verify(completed, b, true)
	if _, err := s.eng.Complete(ctx, completed.Flow.ID, b, flows.Completion{NewPassword: "Quiet-Harbour-71-Lantern"}); err != nil {
		t.Fatalf("Complete: %v", err)
	}

	used := s.start(t, flows.KindReset, "spare3")
	redeem(used)

	c := newChrome(t, "a11y-linkstates")
	for _, tc := range []struct {
		name string
		is   *flows.Issued
	}{
		{"replaced", replaced}, {"cancelled", cancelled}, {"failed", failed},
		{"denied", denied}, {"completed", completed}, {"used", used},
	} {
		c.Do(chromedp.Navigate(s.base+"/r/"+tc.is.Token), chromedp.WaitVisible(chromedp.CSS("#problem")))
		c.State(tc.name)
	}

	expired := s.start(t, flows.KindReset, "policyuser")
	s.clock.Advance(11 * time.Minute)
	c.Do(chromedp.Navigate(s.base+"/r/"+expired.Token), chromedp.WaitVisible(chromedp.CSS("#problem")))
	c.State("expired")
}

// TestBrowserAccessibilityApproval: a privileged account's enrollment and
// reset, each waiting for the helpdesk's approval; the steps check every
// page on the way (the wait included) with axe in both schemes.
func TestBrowserAccessibilityApproval(t *testing.T) {
	s := newSite(t, memoryDir(t), false)
	c := newChrome(t, "a11y-approval")
	ctx := context.Background()
	helpdesk, err := s.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	if err != nil {
		t.Fatal(err)
	}
	grant := func(is *flows.Issued) func() {
		return func() {
			if _, err := s.eng.Decide(ctx, is.Flow.ID, flows.Decision{Approver: flows.ChatIdentity{Platform: "slack", UserID: "U-jdoe"}, ApproverAccountID: helpdesk.ID, Grant: true}); err != nil {
				t.Fatalf("Decide: %v", err)
			}
		}
	}
	c.Authenticator(true)
	enroll := s.start(t, flows.KindEnroll, "alice")
	c.EnrollApproved(s.base+"/r/"+enroll.Token, memoryPassword, grant(enroll))
	reset := s.start(t, flows.KindReset, "alice")
	c.ResetApproved(s.base+"/r/"+reset.Token, webauthtest.RandomPassword(), grant(reset))
}
