package webauth

import (
	"context"
	"testing"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// The tap budgets (#11): a standard reset takes at most four taps plus the
// typing of the new password, a first enrollment five. A tap is what a
// person does on a phone: a button, or a field tapped to bring up the
// keyboard. Pages count the documents the browser loads, the link's
// landing included.
const (
	resetTapBudget   = 4
	resetPageBudget  = 3
	enrollTapBudget  = 5
	enrollPageBudget = 5
)

// TestBrowserTapBudget walks the enrollment and the standard reset as a
// person would (the steps of webauthtest, which count every tap) and fails
// above the budgets. Before "Continue with passkey" the reset took five
// taps and four pages (Continue, Use my passkey, both password fields, Set).
func TestBrowserTapBudget(t *testing.T) {
	ctx := context.Background()
	dir := memoryDir(t)
	u, err := dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "jdoe"})
	if err != nil {
		t.Fatal(err)
	}
	old := webauthtest.RandomPassword()
	if err := dir.SetPassword(ctx, u, old); err != nil {
		t.Fatal(err)
	}
	s := newSite(t, dir, false)
	c := newChrome(t, "taps")
	c.Authenticator(true)

	c.ResetCounts()
	is := s.start(t, flows.KindEnroll, "jdoe")
	c.Enroll(s.base+"/r/"+is.Token, old)
	taps, pages := c.Counted()
	t.Logf("enrollment: %d taps, %d pages", taps, pages)
	if taps > enrollTapBudget || pages > enrollPageBudget {
		t.Errorf("enrollment took %d taps and %d pages; budget %d and %d", taps, pages, enrollTapBudget, enrollPageBudget)
	}

	c.ResetCounts()
	c.reset(s, "jdoe", webauthtest.RandomPassword())
	taps, pages = c.Counted()
	t.Logf("reset: %d taps plus typing, %d pages", taps, pages)
	if taps > resetTapBudget || pages > resetPageBudget {
		t.Errorf("reset took %d taps and %d pages; budget %d and %d", taps, pages, resetTapBudget, resetPageBudget)
	}
}
