package webauth

import (
	"bytes"
	"context"
	"strings"
	"testing"

	cdpwebauthn "github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// listedPasskeys returns the names in the enrollment page's passkey list.
func (c *chrome) listedPasskeys() []string {
	c.t.Helper()
	names, err := chromedp.Run(c.Ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("#passkeys .pk-name"), e => e.textContent)`))
	if err != nil {
		c.t.Fatal(err)
	}
	return names
}

// onlyCredential returns the one credential an authenticator holds.
func (c *chrome) onlyCredential(a cdpwebauthn.AuthenticatorID) *cdpwebauthn.Credential {
	c.t.Helper()
	res, err := chromedp.Call(c.Ctx, cdpwebauthn.GetCredentials, cdpwebauthn.GetCredentialsParams{AuthenticatorID: a})
	if err != nil || len(res.Credentials) != 1 {
		c.t.Fatalf("credentials of authenticator %s: %v, %v; want one", a, res, err)
	}
	return res.Credentials[0]
}

// removeAuthenticator takes an authenticator (and its credentials) away.
func (c *chrome) removeAuthenticator(a cdpwebauthn.AuthenticatorID) {
	c.t.Helper()
	if _, err := chromedp.Call(c.Ctx, cdpwebauthn.RemoveVirtualAuthenticator, cdpwebauthn.RemoveVirtualAuthenticatorParams{AuthenticatorID: a}); err != nil {
		c.t.Fatal(err)
	}
}

// authenticatorHolding adds an authenticator that holds a copy of cred
// with the given sign count: a passkey kept on (or copied to) another
// device. (HasCmtgKey only because the protocol client always sends the
// credential's CMTG flag, which Chromium refuses otherwise.)
func (c *chrome) authenticatorHolding(cred *cdpwebauthn.Credential, signCount float64) cdpwebauthn.AuthenticatorID {
	c.t.Helper()
	a := c.AuthenticatorWith(&cdpwebauthn.VirtualAuthenticatorOptions{IsUserVerified: true, HasCmtgKey: true})
	if _, err := chromedp.Call(c.Ctx, cdpwebauthn.AddCredential, cdpwebauthn.AddCredentialParams{AuthenticatorID: a, Credential: &cdpwebauthn.Credential{
		CredentialID: cred.CredentialID, IsResidentCredential: true, RpID: "localhost",
		PrivateKey: cred.PrivateKey, UserHandle: cred.UserHandle, SignCount: signCount,
	}}); err != nil {
		c.t.Fatalf("AddCredential: %v", err)
	}
	return a
}

// TestBrowserRemovePasskey: a user with two passkeys removes one (a lost
// phone) in the enrollment page's list; the list and the store keep the
// other, which still verifies, and the removed one no longer does.
func TestBrowserRemovePasskey(t *testing.T) {
	s := newSite(t, memoryDir(t), false)
	c := newChrome(t, "remove-passkey")
	ctx := context.Background()
	u, err := s.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "spare2"})
	if err != nil {
		t.Fatal(err)
	}
	lost := c.Authenticator(true)
	is := s.start(t, flows.KindEnroll, "spare2")
	c.OpenEnroll(s.base+"/r/"+is.Token, memoryPassword)
	c.AddPasskey("Lost phone")
	lostCred := c.onlyCredential(lost)
	// The second passkey lives on another device: the first authenticator
	// would refuse a second credential for the same account.
	c.removeAuthenticator(lost)
	kept := c.Authenticator(true)
	c.AddPasskey("New phone")
	if added, err := chromedp.Run(c.Ctx, chromedp.TextContent(chromedp.CSS("#passkey-added"))); err != nil || !strings.Contains(added, "Passkey added: New phone.") {
		t.Fatalf("no success state after adding a passkey: %q, %v", added, err)
	}
	if got := c.listedPasskeys(); len(got) != 2 {
		t.Fatalf("listed after adding a second: %q, want two", got)
	}
	c.State("two-passkeys")

	// Remove asks first: the tap alone opens the confirmation and
	// removes nothing.
	c.Do(chromedp.Click(chromedp.CSS(webauthtest.PasskeyRemoveButton("Lost phone"))),
		chromedp.WaitVisible(chromedp.CSS(`#passkeys button[aria-label="Yes, remove Lost phone"]`)))
	if pks, err := s.creds.Passkeys(ctx, u.ID); err != nil || len(pks) != 2 || !strings.Contains(c.Text(), "Remove “Lost phone”?") {
		t.Fatalf("after Remove alone: %d passkeys (%v), page:\n%s", len(pks), err, c.Text())
	}
	c.State("remove-confirm")
	c.Tap(`#passkeys button[aria-label="Yes, remove Lost phone"]`)
	c.Do(chromedp.WaitNotPresent(chromedp.CSS(webauthtest.PasskeyRemoveButton("Lost phone"))),
		chromedp.WaitVisible(chromedp.CSS("#enroll-finish")))
	if got := c.listedPasskeys(); len(got) != 1 || got[0] != "New phone" {
		t.Fatalf("listed after removing one: %q, want [New phone]", got)
	}
	c.State("one-left")
	pks, err := s.creds.Passkeys(ctx, u.ID)
	if err != nil || len(pks) != 1 || bytes.Equal(pks[0].Credential.ID, lostCred.CredentialID) {
		t.Fatalf("stored after removal: %d passkeys, %v; want only the new phone's", len(pks), err)
	}
	c.Do(chromedp.Click(chromedp.CSS("#enroll-finish")), chromedp.WaitVisible(chromedp.CSS("#done-headline")))

	// The one left verifies.
	ok := c.openReset(s, "spare2")
	c.Do(chromedp.WaitVisible(chromedp.CSS("#passkey-login")), chromedp.Click(chromedp.CSS("#passkey-login")),
		chromedp.WaitVisible(chromedp.CSS("#password-form")))
	if f, err := s.eng.Get(ctx, ok.Flow.ID); err != nil || f.State != flows.StateVerified {
		t.Fatalf("reset with the kept passkey: %v, %v", f.State, err)
	}

	// The lost phone turns up again, with the removed passkey on it.
	c.removeAuthenticator(kept)
	c.authenticatorHolding(lostCred, lostCred.SignCount+1)
	refused := c.openReset(s, "spare2")
	c.expectVerifyFailure(s, refused, "removed-refused")
}

// TestBrowserWrongDevice: "Continue with passkey" on a device whose
// passkey is refused lands on the verify page saying so; after the second
// miss the page lists the user's passkeys by name and date added and says
// to open the link on one of those devices, or to ask the helpdesk.
func TestBrowserWrongDevice(t *testing.T) {
	s := newSite(t, memoryDir(t), false)
	c := newChrome(t, "wrong-device")
	a := c.Authenticator(true)
	c.enroll(s, "spare2", memoryPassword)
	if _, err := chromedp.Call(c.Ctx, cdpwebauthn.SetUserVerified, cdpwebauthn.SetUserVerifiedParams{AuthenticatorID: a, IsUserVerified: false}); err != nil {
		t.Fatal(err)
	}
	is := s.start(t, flows.KindReset, "spare2")
	c.OpenReset(s.base + "/r/" + is.Token)
	c.Do(chromedp.WaitVisible(chromedp.CSS("#passkey-status.bad")))
	if txt := c.Text(); strings.Contains(txt, "Is your passkey on another device?") {
		t.Fatalf("device list after one miss:\n%s", txt)
	}
	c.Tap("#passkey-login")
	c.Do(chromedp.WaitVisible(chromedp.CSS("#wrong-device")))
	txt := c.Text()
	for _, want := range []string{"Test phone", "added " + s.clock.Now().UTC().Format("2 Jan 2006"), "Open the link from the chat on one of them", "Ask the helpdesk"} {
		if !strings.Contains(txt, want) {
			t.Errorf("wrong-device page lacks %q:\n%s", want, txt)
		}
	}
	c.State("device-list")
}
