package webauth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdpwebauthn "github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// updateScreenshotsEnv, set to anything, makes TestBrowserREADMEScreenshots
// rewrite the README's pictures in docs/screenshots.
const updateScreenshotsEnv = "RESETBOT_UPDATE_SCREENSHOTS"

// TestBrowserREADMEScreenshots writes the README's screenshots
// (docs/screenshots) from the real pages in Chromium, at phone width
// unless named otherwise. It only runs with RESETBOT_UPDATE_SCREENSHOTS
// set: it is the generator, not a check (every page it visits is checked,
// axe included, by the other browser tests).
func TestBrowserREADMEScreenshots(t *testing.T) {
	if os.Getenv(updateScreenshotsEnv) == "" {
		t.Skip(updateScreenshotsEnv + " is not set: the README's screenshots are left as they are")
	}
	shoot := func(c *chrome, name string) {
		t.Helper()
		png, err := chromedp.Run(c.Ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("..", "docs", "screenshots", name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := newSite(t, memoryDir(t), false)
	c := newChrome(t, "readme")
	c.Authenticator(true)

	// Enrollment: the page with the passkey just added.
	enroll := s.start(t, flows.KindEnroll, "jdoe")
	c.OpenEnroll(s.base+"/r/"+enroll.Token, memoryPassword)
	c.AddPasskey("Test phone")
	shoot(c, "5-enroll-passkey")
	c.Tap("#enroll-finish")
	c.Do(chromedp.WaitVisible(chromedp.CSS("#done-headline")))

	// The reset: landing, the new password typed (checklist all met), done.
	reset := s.start(t, flows.KindReset, "jdoe")
	c.Do(chromedp.Navigate(s.base+"/r/"+reset.Token), chromedp.WaitVisible(chromedp.CSS("#continue")))
	shoot(c, "1-landing")
	c.Tap("#continue")
	c.TypeNewPassword(webauthtest.RandomPassword())
	shoot(c, "3-new-password")
	c.Tap("#set-password")
	c.Do(chromedp.WaitVisible(chromedp.CSS("#done-headline")))
	shoot(c, "4-done")

	// The same person with German as their chat language.
	de := s.startAs(t, flows.KindReset, "jdoe", "U-jdoe", flows.Locale{Lang: "de", TimeZone: "Europe/Berlin"})
	c.Do(chromedp.Navigate(s.base+"/r/"+de.Token), chromedp.WaitVisible(chromedp.CSS("#continue")))
	c.Tap("#continue")
	c.TypeNewPassword(webauthtest.RandomPassword())
	shoot(c, "9-german-password")

	// A link pushed by the helpdesk, opened on a computer: the QR code.
	desk := newChrome(t, "readme-desktop")
	if _, err := chromedp.Call(desk.Ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: desktopUA}); err != nil {
		t.Fatal(err)
	}
	desk.Do(chromedp.EmulateViewport(1280, 800))
	pushed := s.startBy(t, flows.KindReset, "pwuser", "U-jdoe")
	desk.Do(chromedp.Navigate(s.base+"/r/"+pushed.Token), chromedp.WaitVisible(chromedp.CSS("#continue")),
		chromedp.Click(chromedp.CSS("#qr-show")), chromedp.WaitVisible(chromedp.CSS("section.qr img")),
		// The image is fetched when shown (lazy): wait for it.
		chromedp.Poll[chromedp.Void](`document.querySelector("section.qr img").naturalWidth > 0`))
	shoot(desk, "7-desktop-qr")

	// Wrong phone: the passkey refused twice, the page lists the passkeys.
	phone := newChrome(t, "readme-wrong")
	a := phone.Authenticator(true)
	phone.enroll(s, "spare2", memoryPassword)
	if _, err := chromedp.Call(phone.Ctx, cdpwebauthn.SetUserVerified, cdpwebauthn.SetUserVerifiedParams{AuthenticatorID: a, IsUserVerified: false}); err != nil {
		t.Fatal(err)
	}
	wrong := s.start(t, flows.KindReset, "spare2")
	phone.OpenReset(s.base + "/r/" + wrong.Token)
	phone.Do(chromedp.WaitVisible(chromedp.CSS("#passkey-status.bad")))
	phone.Tap("#passkey-login")
	phone.Do(chromedp.WaitVisible(chromedp.CSS("#wrong-device")))
	shoot(phone, "2-wrong-device")

	// An expired link (last: it moves the site's clock).
	expired := s.start(t, flows.KindReset, "policyuser")
	s.clock.Advance(11 * time.Minute)
	c.Do(chromedp.Navigate(s.base+"/r/"+expired.Token), chromedp.WaitVisible(chromedp.CSS("#problem")))
	shoot(c, "6-expired-link")

	// Branding: name and colour; then logo and a template of the company's.
	branded := newSiteWith(t, rigOptions{dir: memoryDir(t), brand: Branding{CompanyName: "Example Corp", PrimaryColor: "#0f766e"}})
	is := branded.start(t, flows.KindReset, "jdoe")
	c.Do(chromedp.Navigate(branded.base+"/r/"+is.Token), chromedp.WaitVisible(chromedp.CSS("#continue")))
	shoot(c, "8-branded-landing")
	logo := newLogoSite(t)
	is = logo.start(t, flows.KindReset, "jdoe")
	c.Do(chromedp.Navigate(logo.base+"/r/"+is.Token), chromedp.WaitVisible(chromedp.CSS("#company-note")))
	if !strings.Contains(c.Text(), "Example Corp IT never asks") {
		t.Fatalf("logo site:\n%s", c.Text())
	}
	shoot(c, "10-logo-landing")
}
