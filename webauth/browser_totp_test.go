package webauth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/resetbot/resetbot/credentials"
	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/webauth/totp"
)

// wrongCode is a well-formed code that matches none of the steps Verify
// accepts at now, so the refusal cannot be luck.
func wrongCode(t *testing.T, secret string, now time.Time) string {
	t.Helper()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-totp.Period, 0, totp.Period} {
		valid[totpCode(t, secret, now.Add(d))] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if !valid[c] {
			return c
		}
	}
	t.Fatal("no wrong code found")
	return ""
}

// TestBrowserTOTPSetup: during enrollment the setup page shows the secret
// as a QR code; a wrong code is refused and saves nothing; the right code
// saves the secret; a later reset verifies with a fresh code.
func TestBrowserTOTPSetup(t *testing.T) {
	s := newSite(t, memoryDir(t), true)
	c := newChrome(t, "totp-setup")
	ctx := context.Background()
	u, err := s.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "spare1"})
	if err != nil {
		t.Fatal(err)
	}
	is := s.start(t, flows.KindEnroll, "spare1")
	c.OpenEnroll(s.base+"/r/"+is.Token, memoryPassword)

	// On a phone the first action is "Add to authenticator app" (an
	// otpauth:// link with this secret), with the secret as text below; the
	// QR code, useless on the screen that shows it, is one tap away.
	c.Do(chromedp.Click(chromedp.CSS("#totp-setup")), chromedp.WaitVisible(chromedp.CSS("#totp-add")))
	secret, err := chromedp.Run(c.Ctx, chromedp.TextContent(chromedp.CSS("#totp-secret")))
	if err != nil || len(secret) < 26 {
		t.Fatalf("manual-entry secret %q: %v", secret, err)
	}
	add, err := chromedp.Run(c.Ctx, chromedp.Evaluate[string](`document.querySelector("main .primary").id + " " + document.getElementById("totp-add").href`))
	if err != nil || !strings.HasPrefix(add, "totp-add otpauth://totp/") || !strings.Contains(add, "secret="+secret) {
		t.Fatalf("Add to authenticator app: %q, %v", add, err)
	}
	c.Do(chromedp.Click(chromedp.CSS("details summary")), chromedp.WaitVisible(chromedp.CSS("img.totp-qr")))
	width, err := chromedp.Run(c.Ctx, chromedp.Evaluate[int](`document.querySelector("img.totp-qr").naturalWidth`))
	if err != nil || width == 0 {
		t.Fatalf("the QR code did not render: width %d, %v", width, err)
	}
	c.State("scan")

	steps := []struct {
		name, code, waitFor, say string
		saved                    bool
	}{
		{"wrong code", wrongCode(t, secret, s.clock.Now()), "#problem", "That code did not match", false},
		{"right code", totpCode(t, secret, s.clock.Now()), "#totp-setup", "An authenticator app is set up", true},
	}
	for _, st := range steps {
		c.Do(chromedp.SendKeys(chromedp.CSS("#code"), st.code), chromedp.Click(chromedp.CSS("#totp-confirm")),
			chromedp.WaitVisible(chromedp.CSS(st.waitFor)))
		if !strings.Contains(c.Text(), st.say) {
			t.Fatalf("%s: page lacks %q:\n%s", st.name, st.say, c.Text())
		}
		c.State(strings.ReplaceAll(st.name, " ", "-"))
		got, err := s.creds.TOTPSecret(ctx, u.ID)
		switch {
		case st.saved && (err != nil || got != secret):
			t.Fatalf("%s: stored secret: %v; want the one shown", st.name, err)
		case !st.saved && !errors.Is(err, credentials.ErrNotFound):
			t.Fatalf("%s: stored secret: %v; want none", st.name, err)
		}
	}
	c.Do(chromedp.Click(chromedp.CSS("#enroll-finish")), chromedp.WaitVisible(chromedp.CSS("#done-headline")))

	// The confirming code's step is used up: the reset needs the next one.
	s.clock.Advance(totp.Period)
	reset := c.openReset(s, "spare1")
	c.Do(chromedp.WaitVisible(chromedp.CSS("#code")), chromedp.SendKeys(chromedp.CSS("#code"), totpCode(t, secret, s.clock.Now())),
		chromedp.Click(chromedp.CSS("#totp-submit")), chromedp.WaitVisible(chromedp.CSS("#password-form")))
	c.State("reset-verified")
	f, err := s.eng.Get(ctx, reset.Flow.ID)
	if err != nil || f.State != flows.StateVerified || !f.HasVerified(flows.MethodTOTP) {
		t.Fatalf("reset after a fresh code: %+v, %v; want verified by TOTP", f, err)
	}
}
