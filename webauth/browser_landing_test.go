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
// continue on the phone, where the passkey is; on a phone it does not.
func TestBrowserLandingQR(t *testing.T) {
	tests := []struct {
		name          string
		ua            string
		width, height int64
		mobile        bool
		qr            bool
	}{
		{"desktop", desktopUA, 1280, 800, false, true},
		{"phone", webauthtest.PhoneUA, 390, 844, true, false},
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
			is := s.start(t, flows.KindReset, "jdoe")
			c.Do(chromedp.Navigate(s.base+"/r/"+is.Token), chromedp.WaitVisible(chromedp.CSS("#continue")))
			width, err := chromedp.Run(c.Ctx, chromedp.Evaluate[int](`(document.querySelector("section.qr img") || {naturalWidth: 0}).naturalWidth`))
			if err != nil {
				t.Fatal(err)
			}
			if shown := width > 0 && strings.Contains(c.Text(), "On a computer?"); shown != tc.qr {
				t.Fatalf("QR code shown %v (image width %d), want %v:\n%s", shown, width, tc.qr, c.Text())
			}
			c.Screenshot("qr")
		})
	}
}
