package webauth

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// desktopUA is a desktop Chrome on Windows.
const desktopUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"

// TestBrowserLandingQR: a link opened on a computer offers a QR code to
// continue on the phone, where the passkey is; on a phone it does not. The
// code is the link itself, and an enrollment link pushed by the helpdesk
// is its own proof: the code shows only after a click, below a warning
// not to show it while sharing the screen.
func TestBrowserLandingQR(t *testing.T) {
	tests := []struct {
		name          string
		kind          flows.Kind
		ua            string
		width, height int64
		mobile        bool
		qr            bool
	}{
		{"desktop", flows.KindReset, desktopUA, 1280, 800, false, true},
		{"desktop enrollment", flows.KindEnroll, desktopUA, 1280, 800, false, true},
		{"phone", flows.KindReset, webauthtest.PhoneUA, 390, 844, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t, memoryDir(t), false)
			c := newChrome(t, "landing-"+tc.name)
			if _, err := chromedp.Call(c.Ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: tc.ua}); err != nil {
				t.Fatal(err)
			}
			opts := []chromedp.EmulateViewportOption{}
			if tc.mobile {
				opts = append(opts, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)
			}
			c.Do(chromedp.EmulateViewport(tc.width, tc.height, opts...))
			is := s.startBy(t, tc.kind, "jdoe", "U-helpdesk")
			c.Do(chromedp.Navigate(s.base+"/r/"+is.Token), chromedp.WaitVisible(chromedp.CSS("#continue")))
			// On a computer the code to continue on the phone is the primary
			// action; on the phone, Continue.
			primary, err := chromedp.Run(c.Ctx, chromedp.Evaluate[string](`document.querySelector("main .primary").id`))
			if want := map[bool]string{true: "qr-show", false: "continue"}[tc.qr]; err != nil || primary != want {
				t.Fatalf("primary action %q (%v), want %q", primary, err, want)
			}
			if tc.qr {
				const shown = `document.querySelector("#qr-reveal").open && document.querySelector("section.qr img").checkVisibility()`
				hidden, err := chromedp.Run(c.Ctx, chromedp.Evaluate[bool](`!(`+shown+`)`))
				if err != nil || !hidden {
					t.Fatalf("the QR code shows before the click (%v)", err)
				}
				// Nor is it made: the browser fetches the image only when shown.
				fetched, err := chromedp.Run(c.Ctx, chromedp.Evaluate[int](`performance.getEntriesByType("resource").filter(e => e.name.includes("/qr?k=")).length`))
				if err != nil || fetched != 0 {
					t.Fatalf("the QR code image was fetched before the click (%d, %v)", fetched, err)
				}
				warning := c.Text()
				if !strings.Contains(warning, "Sharing your screen?") || !strings.Contains(warning, "Stop sharing") ||
					(tc.kind == flows.KindEnroll) != strings.Contains(warning, "to set up sign-in for your account") {
					t.Fatalf("no screen-sharing warning before the QR code:\n%s", warning)
				}
				c.Do(chromedp.Click(chromedp.CSS("#qr-show")), chromedp.WaitVisible(chromedp.CSS("section.qr img")),
					// The image is fetched when shown (lazy): wait for it.
					chromedp.Poll[chromedp.Void](`document.querySelector("section.qr img").naturalWidth > 0`))
				if open, err := chromedp.Run(c.Ctx, chromedp.Evaluate[bool](shown)); err != nil || !open {
					t.Fatalf("the QR code does not show after the click (%v)", err)
				}
			}
			width, err := chromedp.Run(c.Ctx, chromedp.Evaluate[int](`(document.querySelector("section.qr img") || {naturalWidth: 0}).naturalWidth`))
			if err != nil {
				t.Fatal(err)
			}
			if shown := width > 0 && strings.Contains(c.Text(), "On a computer?"); shown != tc.qr {
				t.Fatalf("QR code shown %v (image width %d), want %v:\n%s", shown, width, tc.qr, c.Text())
			}
			c.State("qr")
		})
	}
}
