// Package webauthtest drives the web app in a real headless Chromium with a
// virtual passkey authenticator and a phone viewport, for the end-to-end
// tests of every package that sends people to a link: the web app itself,
// the chat platforms, the demo. The steps (enroll a passkey, reset a
// password) are written once here against the pages' element ids.
package webauthtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	cdpwebauthn "github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/resetbot/resetbot/internal/testenv"
)

// PhoneUA makes the app treat the browser as a phone (no QR code).
const PhoneUA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36"

// Browser is one fresh headless Chromium with a 390 px phone viewport and
// WebAuthn enabled. It needs RESETBOT_TEST_CHROMIUM (set by scripts/test):
// missing, the test fails under CI=true and skips otherwise.
type Browser struct {
	t *testing.T
	// Ctx is the browser's context, for chromedp actions of the caller's.
	Ctx context.Context
	// ShotDir and ShotPrefix name the screenshots (ShotDir empty: none).
	ShotDir, ShotPrefix string
	n                   int
	// Taps counts the taps the steps made (buttons and fields focused
	// before typing); Pages counts the documents the main frame loaded.
	// The tap budget test reads them.
	Taps, Pages int
	pages       atomic.Int64
	// axeSkipLogged logs once that the accessibility checks are skipped.
	axeSkipLogged sync.Once
}

// NewBrowser starts Chromium for the test; it stops with the test.
func NewBrowser(t *testing.T, shotDir, shotPrefix string) *Browser {
	t.Helper()
	path := testenv.RequireEnv(t, "RESETBOT_TEST_CHROMIUM")
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(390, 844), chromedp.UserAgent(PhoneUA),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b := &Browser{t: t, Ctx: ctx, ShotDir: shotDir, ShotPrefix: shotPrefix}

	// The first call starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, cdpwebauthn.Enable, cdpwebauthn.EnableParams{}); err != nil {
		t.Fatalf("WebAuthn.enable: %v", err)
	}
	err := chromedp.Listen(ctx, func(ev any) {
		if nav, ok := ev.(*page.EventFrameNavigated); ok && nav.Frame.ParentID == "" {
			b.pages.Add(1)
		}
	})
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	return b
}

// Tap clicks the element sel as a person taps it, and counts the tap.
func (b *Browser) Tap(sel string) {
	b.t.Helper()
	b.Taps++
	b.Do(chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
}

// Type taps the field sel (the tap that brings up a phone's keyboard) and
// types text into it.
func (b *Browser) Type(sel, text string) {
	b.t.Helper()
	b.Tap(sel)
	b.Do(chromedp.SendKeys(chromedp.CSS(sel), text))
}

// ResetCounts zeroes Taps and Pages, before the steps a test measures.
func (b *Browser) ResetCounts() {
	b.Taps = 0
	b.pages.Store(0)
	b.Pages = 0
}

// Counted returns the taps and the documents loaded since ResetCounts.
func (b *Browser) Counted() (taps, pages int) {
	b.Pages = int(b.pages.Load())
	return b.Taps, b.Pages
}

// Authenticator adds a platform authenticator (a phone's passkey store);
// verified says whether its user verification succeeds.
func (b *Browser) Authenticator(verified bool) cdpwebauthn.AuthenticatorID {
	b.t.Helper()
	return b.AuthenticatorWith(&cdpwebauthn.VirtualAuthenticatorOptions{IsUserVerified: verified})
}

// AuthenticatorWith adds a platform authenticator with extra options.
// Presence simulation is set explicitly: without it create() hangs.
func (b *Browser) AuthenticatorWith(o *cdpwebauthn.VirtualAuthenticatorOptions) cdpwebauthn.AuthenticatorID {
	b.t.Helper()
	o.Protocol, o.Transport = cdpwebauthn.AuthenticatorProtocolCtap2, cdpwebauthn.AuthenticatorTransportInternal
	o.HasResidentKey, o.HasUserVerification, o.AutomaticPresenceSimulation = true, true, true
	res, err := chromedp.Call(b.Ctx, cdpwebauthn.AddVirtualAuthenticator, cdpwebauthn.AddVirtualAuthenticatorParams{Options: o})
	if err != nil {
		b.t.Fatalf("AddVirtualAuthenticator: %v", err)
	}
	return res.AuthenticatorID
}

// Do runs actions with a time limit, failing the test with a screenshot
// and the page's text.
func (b *Browser) Do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.Screenshot("failure")
		body, _ := chromedp.Run(b.Ctx, chromedp.Evaluate[string]("document.body ? document.body.innerText : ''"))
		loc, _ := chromedp.Run(b.Ctx, chromedp.Location())
		b.t.Fatalf("browser: %v\nat %s:\n%s", err, loc, body)
	}
}

// Text returns the visible text of the page.
func (b *Browser) Text() string {
	b.t.Helper()
	s, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string]("document.body.innerText"))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// Screenshot writes a full-page PNG to ShotDir, numbered in order.
func (b *Browser) Screenshot(name string) {
	b.t.Helper()
	if b.ShotDir == "" {
		return
	}
	// Bounded: a page stuck mid-navigation (the failure Do reports) can
	// leave a screenshot waiting for ever.
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	b.n++
	if err := os.MkdirAll(b.ShotDir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	file := filepath.Join(b.ShotDir, fmt.Sprintf("%s-%02d-%s.png", b.ShotPrefix, b.n, name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// RandomPassword satisfies every directory's complexity rule and contains
// no account or name part.
func RandomPassword() string {
	r := make([]byte, 8)
	_, _ = rand.Read(r)
	return "Tq7-" + hex.EncodeToString(r) + "-Xz!"
}

// Enroll opens an enrollment link, proves the user with their current
// directory password and registers a passkey on the current authenticator.
func (b *Browser) Enroll(link, currentPassword string) {
	b.t.Helper()
	b.EnrollApproved(link, currentPassword, nil)
}

// EnrollApproved is Enroll for a privileged account: after the proof the
// page waits for a helpdesk approval, which approve gives (by clicking
// Approve in the chat); the page then continues by itself.
func (b *Browser) EnrollApproved(link, currentPassword string, approve func()) {
	b.t.Helper()
	b.proveEnrollment(link, currentPassword)
	b.awaitApproval(approve)
	b.Do(chromedp.WaitVisible(chromedp.CSS("#passkey-register")))
	b.State("enroll-add")
	b.AddPasskey("Test phone")
	b.State("enroll-listed")
	b.Tap("#enroll-finish")
	b.Do(chromedp.WaitVisible(chromedp.CSS("#done-headline")))
	if !strings.Contains(b.Text(), "Your sign-in is set up") {
		b.t.Fatalf("enrollment did not finish:\n%s", b.Text())
	}
	b.State("enroll-done")
}

// OpenEnroll opens the enrollment link of an account that needs no
// approval, proves the user with their current directory password and
// stops on the enrollment page (passkey list, authenticator-app setup).
func (b *Browser) OpenEnroll(link, currentPassword string) {
	b.t.Helper()
	b.proveEnrollment(link, currentPassword)
	b.Do(chromedp.WaitVisible(chromedp.CSS("#passkey-register")))
}

// proveEnrollment opens an enrollment link and submits the current
// directory password as proof.
func (b *Browser) proveEnrollment(link, currentPassword string) {
	b.t.Helper()
	b.Do(chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#continue")))
	b.State("enroll-landing")
	b.Tap("#continue")
	b.Do(chromedp.WaitVisible(chromedp.CSS("#current")))
	b.State("enroll-proof")
	b.Type("#current", currentPassword)
	b.Tap("#proof-submit")
}

// AddPasskey registers a passkey named name (plain words: it becomes part
// of a CSS selector) on the current authenticator, from the enrollment
// page, and waits until the reloaded page lists it.
func (b *Browser) AddPasskey(name string) {
	b.t.Helper()
	b.Do(chromedp.SetValue(chromedp.CSS("#device-name"), name))
	b.Tap("#passkey-register")
	b.Do(chromedp.WaitVisible(chromedp.CSS(PasskeyRemoveButton(name))))
}

// PasskeyRemoveButton is the CSS selector of the Remove control of the
// passkey named name in the enrollment page's list: present exactly while
// the list shows that passkey. It opens the confirmation; RemovePasskey
// taps both.
func PasskeyRemoveButton(name string) string {
	return fmt.Sprintf("#passkeys summary[aria-label=%q]", "Remove "+name)
}

// RemovePasskey removes the passkey named name from the enrollment page:
// Remove, then "Yes, remove" in the confirmation, and waits until the
// reloaded list no longer shows it.
func (b *Browser) RemovePasskey(name string) {
	b.t.Helper()
	b.Tap(PasskeyRemoveButton(name))
	b.Tap(fmt.Sprintf("#passkeys button[aria-label=%q]", "Yes, remove "+name))
	b.Do(chromedp.WaitNotPresent(chromedp.CSS(PasskeyRemoveButton(name))))
}

// OpenReset opens a reset link and taps "Continue with passkey": the one
// tap redeems the link and runs the passkey prompt, so with a passkey on
// the current authenticator the browser goes on to the password form (or
// the wait for approval); after a refused prompt it is on the verify page.
func (b *Browser) OpenReset(link string) {
	b.t.Helper()
	b.Do(chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#continue")))
	b.State("reset-landing")
	b.Tap("#continue")
	b.leftLanding()
}

// OpenResetToVerify opens a reset link and posts the landing form as a
// browser without the page's script does: it stops on the verify page,
// with the passkey button (or the authenticator-app form) not yet used.
func (b *Browser) OpenResetToVerify(link string) {
	b.t.Helper()
	b.Do(chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#continue")))
	b.State("reset-landing")
	// form.submit() fires no submit event: the script stays out of it.
	b.Do(chromedp.Evaluate[chromedp.Void]("document.getElementById('landing-form').submit()"))
	b.leftLanding()
	b.State("reset-verify")
}

// leftLanding waits until the landing page is gone. The landing page has
// an h1 too: a node found on it can vanish mid-wait ("Could not find node
// with given id"), and its redirect can interrupt the next navigation.
func (b *Browser) leftLanding() {
	b.t.Helper()
	b.WaitJS(`document.readyState === "complete" && !document.getElementById("continue") && !!document.querySelector("h1")`)
}

// WaitJS waits until the JavaScript condition cond holds in the page,
// asking again across navigations (a node query does not survive one:
// "Could not find node with given id"), within the time limit of Do.
func (b *Browser) WaitJS(cond string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.Ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.Screenshot("failure")
			loc, _ := chromedp.Run(b.Ctx, chromedp.Location())
			b.t.Fatalf("browser: %s never held (%v) at %s:\n%s", cond, err, loc, b.Text())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TypeNewPassword fills the new-password form (one field) and waits until
// the live checklist is all green.
func (b *Browser) TypeNewPassword(newPassword string) {
	b.t.Helper()
	b.Do(chromedp.WaitVisible(chromedp.CSS("#password-form")))
	b.State("password-empty")
	b.Type("#password", newPassword)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`li[data-rule="not_breached"].ok`)), chromedp.WaitVisible(chromedp.CSS(`li[data-rule="strength"].ok`)))
}

// Reset opens a reset link, verifies with the passkey and sets
// newPassword once the live checklist is all green.
func (b *Browser) Reset(link, newPassword string) {
	b.t.Helper()
	b.ResetApproved(link, newPassword, nil)
}

// ResetApproved is Reset for a privileged account: after the passkey the
// page waits for the helpdesk approval that approve gives.
func (b *Browser) ResetApproved(link, newPassword string, approve func()) {
	b.t.Helper()
	b.OpenReset(link)
	b.awaitApproval(approve)
	b.TypeNewPassword(newPassword)
	b.State("reset-password")
	b.Tap("#set-password")
	b.Do(chromedp.WaitVisible(chromedp.CSS("#done-headline")))
	if !strings.Contains(b.Text(), "Your password was changed") {
		b.t.Fatalf("reset did not finish:\n%s", b.Text())
	}
	b.State("reset-done")
}

// awaitApproval, when approve is set, waits for the approval page, gives
// the approval and lets the page's own polling move on.
func (b *Browser) awaitApproval(approve func()) {
	b.t.Helper()
	if approve == nil {
		return
	}
	b.Do(chromedp.WaitVisible(chromedp.CSS("#approval-status")))
	b.State("waiting-for-approval")
	approve()
}

// ConfirmApproval opens an approver's confirmation link, verifies with the
// approver's passkey and confirms the approval.
func (b *Browser) ConfirmApproval(link string) {
	b.t.Helper()
	b.OpenReset(link) // the same one tap to the passkey prompt as a reset
	b.Do(chromedp.WaitVisible(chromedp.CSS("#approve")))
	b.State("approve")
	b.Tap("#approve")
	b.Do(chromedp.WaitVisible(chromedp.CSS("#done-headline")))
	if !strings.Contains(b.Text(), "Your approval is confirmed") {
		b.t.Fatalf("approval not confirmed:\n%s", b.Text())
	}
}
