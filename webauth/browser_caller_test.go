package webauth

import (
	"strings"
	"testing"

	cdpwebauthn "github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/resetbot/resetbot/flows"
)

// TestBrowserCallerVerification is "/reset verify" in Chromium with a
// virtual authenticator (user verification on): the person confirms
// with their passkey in one tap from the landing, or declines, or is too
// late; a person without a passkey is offered only the decline. Each
// outcome is in the flow and its audit events, the passkey's name with a
// confirmation.
func TestBrowserCallerVerification(t *testing.T) {
	open := func(t *testing.T, enrolled bool, shot string) (*site, *chrome, *flows.Issued) {
		t.Helper()
		s := newSite(t, memoryDir(t), false)
		c := newChrome(t, "caller-"+shot)
		c.Authenticator(true)
		if enrolled {
			c.enroll(s, "spare1", memoryPassword)
		}
		return s, c, s.verifyOf(t, "spare1")
	}
	outcome := func(t *testing.T, c *chrome, want string) {
		t.Helper()
		c.WaitJS(`!!document.getElementById("caller-headline")`)
		if got := c.Text(); !strings.Contains(got, want) {
			t.Fatalf("outcome page lacks %q:\n%s", want, got)
		}
		c.State("outcome")
	}
	eventOf := func(t *testing.T, s *site, id string, typ flows.EventType) flows.Event {
		t.Helper()
		for _, ev := range s.events(t, id) {
			if ev.Type == typ {
				return ev
			}
		}
		t.Fatalf("no %s event for flow %s", typ, id)
		return flows.Event{}
	}

	t.Run("verified", func(t *testing.T) {
		s, c, is := open(t, true, "verified")
		c.Do(chromedp.Navigate(s.base+"/r/"+is.Token), chromedp.WaitVisible(chromedp.CSS("#continue")), chromedp.WaitVisible(chromedp.CSS("#decline")))
		c.State("landing")
		if got := c.Text(); strings.Contains(strings.ToLower(got), "new password") || !strings.Contains(got, "Confirm it is you to the helpdesk") {
			t.Fatalf("verification landing:\n%s", got)
		}
		c.Tap("#continue") // one tap: redeem and the passkey prompt
		outcome(t, c, "You confirmed it is you")
		if st := s.stateOf(t, is.Flow.ID); st != flows.StateCompleted {
			t.Fatalf("verification %q after the passkey, want completed", st)
		}
		if ev := eventOf(t, s, is.Flow.ID, flows.EventCallerVerified); ev.Reason != "Test phone" || ev.Method != flows.MethodPasskey {
			t.Fatalf("caller.verified = %+v, want the passkey named Test phone", ev)
		}
	})

	t.Run("user verification required", func(t *testing.T) {
		s := newSite(t, memoryDir(t), false)
		c := newChrome(t, "caller-nouv")
		a := c.Authenticator(true)
		c.enroll(s, "spare1", memoryPassword)
		if _, err := chromedp.Call(c.Ctx, cdpwebauthn.SetUserVerified, cdpwebauthn.SetUserVerifiedParams{AuthenticatorID: a, IsUserVerified: false}); err != nil {
			t.Fatal(err)
		}
		is := s.verifyOf(t, "spare1")
		c.Do(chromedp.Navigate(s.base+"/r/"+is.Token), chromedp.WaitVisible(chromedp.CSS("#continue")))
		c.Tap("#continue")
		// Back on the verification's own page, with the passkey offered
		// again and the decline still there.
		c.WaitJS(`location.pathname.endsWith("/caller") && !!document.getElementById("passkey-login") && !!document.getElementById("decline")`)
		c.State("refused")
		if st := s.stateOf(t, is.Flow.ID); st != flows.StateRedeemed {
			t.Fatalf("a passkey without user verification left the verification %q, want it still open", st)
		}
		for _, ev := range s.events(t, is.Flow.ID) {
			if ev.Type == flows.EventCallerVerified {
				t.Fatalf("verified without user verification: %+v", ev)
			}
		}
	})

	t.Run("declined", func(t *testing.T) {
		s, c, is := open(t, true, "declined")
		c.Do(chromedp.Navigate(s.base+"/r/"+is.Token), chromedp.WaitVisible(chromedp.CSS("#decline")))
		c.Tap("#decline")
		outcome(t, c, "the helpdesk was warned")
		if st := s.stateOf(t, is.Flow.ID); st != flows.StateCancelled {
			t.Fatalf("verification %q after the decline, want cancelled", st)
		}
		eventOf(t, s, is.Flow.ID, flows.EventCallerDeclined)
	})

	t.Run("expired", func(t *testing.T) {
		s, c, is := open(t, true, "expired")
		s.clock.Advance(flows.VerifyTTL)
		c.Do(chromedp.Navigate(s.base + "/r/" + is.Token))
		outcome(t, c, "This request expired")
		if st := s.stateOf(t, is.Flow.ID); st == flows.StateCompleted || st == flows.StateCancelled {
			t.Fatalf("an expired verification ended %q", st)
		}
	})

	t.Run("unenrolled", func(t *testing.T) {
		s, c, is := open(t, false, "unenrolled")
		c.Do(chromedp.Navigate(s.base+"/r/"+is.Token), chromedp.WaitVisible(chromedp.CSS("#decline")))
		c.State("landing")
		if got := c.Text(); !strings.Contains(got, "You have no passkey") {
			t.Fatalf("landing for a person without a passkey:\n%s", got)
		}
		if n, err := chromedp.Run(c.Ctx, chromedp.Evaluate[int](`document.querySelectorAll("#continue").length`)); err != nil || n != 0 {
			t.Fatalf("a passkey button for a person without a passkey (%d, %v)", n, err)
		}
		if st := s.stateOf(t, is.Flow.ID); st != flows.StateIssued {
			t.Fatalf("the landing moved the verification to %q", st)
		}
	})
}
