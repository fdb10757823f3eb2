package webauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	cdpwebauthn "github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/redis/go-redis/v9"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/flows/storetest"
)

// phoneUA makes the app treat the browser as a phone (no QR code).
const phoneUA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36"

// site is the app served on http://localhost:<port>, which Chromium treats
// as a secure context (WebAuthn, Secure cookies) with RP ID "localhost".
type site struct {
	*rig
	base string
}

// realRedis connects to the harness's redis-server.
func realRedis(t *testing.T) redis.UniversalClient {
	t.Helper()
	addr := storetest.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redis-server at %s: %v", addr, err)
	}
	return rdb
}

// newSite serves a rig on a free localhost port.
func newSite(t *testing.T, dir directory.Directory, totp bool) *site {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	r := newRig(t, rigOptions{rdb: realRedis(t), dir: dir, baseURL: base, totp: totp})
	if testing.Verbose() {
		r.srv.log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	hs := &http.Server{Handler: r.srv, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	return &site{rig: r, base: base}
}

// chrome is one fresh headless Chromium with a phone viewport.
type chrome struct {
	t    *testing.T
	ctx  context.Context
	shot string // screenshot name prefix
	n    int
}

func newChrome(t *testing.T, shotPrefix string) *chrome {
	t.Helper()
	path := storetest.RequireEnv(t, "RESETBOT_TEST_CHROMIUM")
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(390, 844), chromedp.UserAgent(phoneUA),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	c := &chrome{t: t, ctx: ctx, shot: shotPrefix}
	// The first call starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, cdpwebauthn.Enable, cdpwebauthn.EnableParams{}); err != nil {
		t.Fatalf("WebAuthn.enable: %v", err)
	}
	return c
}

// authenticator adds a platform authenticator; verified says whether its
// user verification succeeds.
func (c *chrome) authenticator(verified bool) cdpwebauthn.AuthenticatorID {
	c.t.Helper()
	return c.authenticatorWith(&cdpwebauthn.VirtualAuthenticatorOptions{IsUserVerified: verified})
}

// authenticatorWith adds a platform authenticator with extra options.
func (c *chrome) authenticatorWith(o *cdpwebauthn.VirtualAuthenticatorOptions) cdpwebauthn.AuthenticatorID {
	c.t.Helper()
	o.Protocol, o.Transport = cdpwebauthn.AuthenticatorProtocolCtap2, cdpwebauthn.AuthenticatorTransportInternal
	o.HasResidentKey, o.HasUserVerification, o.AutomaticPresenceSimulation = true, true, true
	res, err := chromedp.Call(c.ctx, cdpwebauthn.AddVirtualAuthenticator, cdpwebauthn.AddVirtualAuthenticatorParams{Options: o})
	if err != nil {
		c.t.Fatalf("AddVirtualAuthenticator: %v", err)
	}
	return res.AuthenticatorID
}

// do runs actions with a time limit, failing the test with a screenshot.
func (c *chrome) do(actions ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		c.screenshot("failure")
		body, _ := chromedp.Run(c.ctx, chromedp.Evaluate[string]("document.body ? document.body.innerText : ''"))
		loc, _ := chromedp.Run(c.ctx, chromedp.Location())
		c.t.Fatalf("browser: %v\nat %s:\n%s", err, loc, body)
	}
}

// text returns the visible text of the page.
func (c *chrome) text() string {
	c.t.Helper()
	s, err := chromedp.Run(c.ctx, chromedp.Evaluate[string]("document.body.innerText"))
	if err != nil {
		c.t.Fatal(err)
	}
	return s
}

// screenshot writes a full-page PNG to testdata/screenshots.
func (c *chrome) screenshot(name string) {
	c.t.Helper()
	png, err := chromedp.Run(c.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		c.t.Logf("screenshot %s: %v", name, err)
		return
	}
	c.n++
	dir := filepath.Join("testdata", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		c.t.Fatal(err)
	}
	file := filepath.Join(dir, fmt.Sprintf("%s-%02d-%s.png", c.shot, c.n, name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// randomPassword satisfies every directory's complexity rule and contains
// no account or name part.
func randomPassword() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "Tq7-" + hex.EncodeToString(b) + "-Xz!"
}

// enroll runs an enrollment in the browser with the directory password as
// proof, and registers a passkey on the current authenticator.
func (c *chrome) enroll(s *site, account, password string) {
	c.t.Helper()
	is := s.start(c.t, flows.KindEnroll, account)
	c.do(chromedp.Navigate(s.base+"/r/"+is.Token), chromedp.WaitVisible(chromedp.CSS("#continue")))
	c.screenshot("enroll-landing")
	c.do(chromedp.Click(chromedp.CSS("#continue")), chromedp.WaitVisible(chromedp.CSS("#current")))
	c.screenshot("enroll-proof")
	c.do(chromedp.SendKeys(chromedp.CSS("#current"), password), chromedp.Click(chromedp.CSS("#proof-submit")),
		chromedp.WaitVisible(chromedp.CSS("#passkey-register")))
	c.screenshot("enroll-add")
	c.do(chromedp.SetValue(chromedp.CSS("#device-name"), "Test phone"), chromedp.Click(chromedp.CSS("#passkey-register")),
		chromedp.WaitVisible(chromedp.CSS("#passkeys")))
	if !strings.Contains(c.text(), "Test phone") {
		c.t.Fatal("the new passkey is not listed")
	}
	c.screenshot("enroll-listed")
	c.do(chromedp.Click(chromedp.CSS("#enroll-finish")), chromedp.WaitVisible(chromedp.CSS("#done-headline")))
	if !strings.Contains(c.text(), "Your sign-in is set up") {
		c.t.Fatalf("enrollment did not finish:\n%s", c.text())
	}
	c.screenshot("enroll-done")
}

// openReset starts a reset and stops on the verify page.
func (c *chrome) openReset(s *site, account string) *flows.Issued {
	c.t.Helper()
	is := s.start(c.t, flows.KindReset, account)
	c.do(chromedp.Navigate(s.base+"/r/"+is.Token), chromedp.WaitVisible(chromedp.CSS("#continue")))
	c.screenshot("reset-landing")
	c.do(chromedp.Click(chromedp.CSS("#continue")), chromedp.WaitVisible(chromedp.CSS("h1")))
	return is
}

// reset verifies with the passkey and sets newPassword.
func (c *chrome) reset(s *site, account, newPassword string) *flows.Issued {
	c.t.Helper()
	is := c.openReset(s, account)
	c.do(chromedp.WaitVisible(chromedp.CSS("#passkey-login")))
	c.screenshot("reset-verify")
	c.do(chromedp.Click(chromedp.CSS("#passkey-login")), chromedp.WaitVisible(chromedp.CSS("#password-form")))
	c.do(chromedp.SendKeys(chromedp.CSS("#password"), newPassword), chromedp.SendKeys(chromedp.CSS("#confirm"), newPassword),
		chromedp.WaitVisible(chromedp.CSS(`li[data-rule="not_breached"].ok`)), chromedp.WaitVisible(chromedp.CSS(`li[data-rule="strength"].ok`)),
		chromedp.WaitVisible(chromedp.CSS(`li[data-rule="match"].ok`)))
	c.screenshot("reset-password")
	c.do(chromedp.Click(chromedp.CSS("#set-password")), chromedp.WaitVisible(chromedp.CSS("#done-headline")))
	if !strings.Contains(c.text(), "Your password was changed") {
		c.t.Fatalf("reset did not finish:\n%s", c.text())
	}
	c.screenshot("reset-done")
	return is
}

// enrollThenReset is the end-to-end path every directory must pass: enroll
// a passkey (proof: the directory password), reset with it, and check the
// directory takes the new password and refuses the old.
func enrollThenReset(t *testing.T, dir directory.Directory, account, shotPrefix string) {
	ctx := context.Background()
	u, err := dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: account})
	if err != nil {
		t.Fatalf("find %s: %v", account, err)
	}
	// A known starting password, fresh per run, so reruns never collide
	// with password history or another test's change.
	old := randomPassword()
	if err := dir.SetPassword(ctx, u, old); err != nil {
		t.Fatalf("set starting password: %v", err)
	}
	s := newSite(t, dir, false)
	c := newChrome(t, shotPrefix)
	c.authenticator(true)
	c.enroll(s, account, old)
	next := randomPassword()
	is := c.reset(s, account, next)

	if err := dir.VerifyPassword(ctx, u, next); err != nil {
		t.Fatalf("the new password does not work: %v", err)
	}
	if err := dir.VerifyPassword(ctx, u, old); !errors.Is(err, directory.ErrInvalidCredentials) {
		t.Fatalf("the old password still works (or another error): %v", err)
	}
	pks, err := s.creds.Passkeys(ctx, u.ID)
	if err != nil || len(pks) != 1 || pks[0].LastUsedAt.IsZero() {
		t.Fatalf("passkey after login: %+v, %v; want one with a last use", pks, err)
	}

	// Replayed link: the same link in a browser without the flow's cookie.
	if _, err := chromedp.Call(c.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	c.do(chromedp.Navigate(s.base+"/r/"+is.Token), chromedp.WaitVisible(chromedp.CSS("#error-id")))
	if !strings.Contains(c.text(), "already used") {
		t.Fatalf("replayed link:\n%s", c.text())
	}
	c.screenshot("replayed-link")
}

func TestBrowserMemory(t *testing.T) {
	enrollThenReset(t, memoryDir(t), "jdoe", "memory")
}

func TestBrowserOpenLDAP(t *testing.T) {
	enrollThenReset(t, slapdDir(t), "spare1", "openldap")
}

func TestBrowserActiveDirectory(t *testing.T) {
	enrollThenReset(t, sambaDir(t), "spare2", "samba")
}

// foreignKey returns a fresh P-256 key in PKCS#8, the shape the virtual
// authenticator takes.
func foreignKey(t *testing.T) []byte {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// expectVerifyFailure clicks the passkey button and expects a refusal, with
// the flow still unverified and the password form unreachable.
func (c *chrome) expectVerifyFailure(s *site, is *flows.Issued, name string) {
	c.t.Helper()
	c.do(chromedp.WaitVisible(chromedp.CSS("#passkey-login")), chromedp.Click(chromedp.CSS("#passkey-login")),
		chromedp.WaitVisible(chromedp.CSS("#passkey-status.bad")))
	c.screenshot(name)
	f, err := s.eng.Get(context.Background(), is.Flow.ID)
	if err != nil {
		c.t.Fatal(err)
	}
	if f.State != flows.StateRedeemed || len(f.Verified) != 0 {
		c.t.Fatalf("after a refused passkey: state %s, verified %v", f.State, f.Verified)
	}
	c.do(chromedp.Navigate(s.base+"/f/"+is.Flow.ID+"/password"), chromedp.WaitVisible(chromedp.CSS("#error-id")))
	if strings.Contains(c.text(), "Set new password") {
		c.t.Fatal("password form shown without verification")
	}
}

func TestBrowserNegative(t *testing.T) {
	t.Run("wrong credential", func(t *testing.T) {
		s := newSite(t, memoryDir(t), false)
		c := newChrome(t, "neg-wrongkey")
		a := c.authenticator(true)
		c.enroll(s, "spare1", memoryPassword)
		creds, err := chromedp.Call(c.ctx, cdpwebauthn.GetCredentials, cdpwebauthn.GetCredentialsParams{AuthenticatorID: a})
		if err != nil || len(creds.Credentials) != 1 {
			t.Fatalf("credentials of the first authenticator: %v %v", creds, err)
		}
		orig := creds.Credentials[0]
		if _, err := chromedp.Call(c.ctx, cdpwebauthn.RemoveVirtualAuthenticator, cdpwebauthn.RemoveVirtualAuthenticatorParams{AuthenticatorID: a}); err != nil {
			t.Fatal(err)
		}
		// A second authenticator holding a credential with the same id but
		// its own key: the browser offers it, the signature cannot verify.
		// (HasCmtgKey only because the protocol client always sends the
		// credential's CMTG flag, which Chromium refuses otherwise.)
		b := c.authenticatorWith(&cdpwebauthn.VirtualAuthenticatorOptions{IsUserVerified: true, HasCmtgKey: true})
		if _, err := chromedp.Call(c.ctx, cdpwebauthn.AddCredential, cdpwebauthn.AddCredentialParams{AuthenticatorID: b, Credential: &cdpwebauthn.Credential{
			CredentialID: orig.CredentialID, IsResidentCredential: true, RpID: "localhost",
			PrivateKey: foreignKey(t), UserHandle: orig.UserHandle, SignCount: 100,
		}}); err != nil {
			t.Fatalf("AddCredential: %v", err)
		}
		is := c.openReset(s, "spare1")
		c.expectVerifyFailure(s, is, "refused")
	})

	t.Run("user not verified", func(t *testing.T) {
		s := newSite(t, memoryDir(t), false)
		c := newChrome(t, "neg-nouv")
		a := c.authenticator(true)
		c.enroll(s, "spare2", memoryPassword)
		if _, err := chromedp.Call(c.ctx, cdpwebauthn.SetUserVerified, cdpwebauthn.SetUserVerifiedParams{AuthenticatorID: a, IsUserVerified: false}); err != nil {
			t.Fatal(err)
		}
		is := c.openReset(s, "spare2")
		c.expectVerifyFailure(s, is, "refused")
	})

	t.Run("expired link", func(t *testing.T) {
		s := newSite(t, memoryDir(t), false)
		c := newChrome(t, "neg-expired")
		is := s.start(t, flows.KindReset, "jdoe")
		s.clock.Advance(11 * time.Minute)
		c.do(chromedp.Navigate(s.base+"/r/"+is.Token), chromedp.WaitVisible(chromedp.CSS("#error-id")))
		if txt := c.text(); !strings.Contains(txt, "expired") || strings.Contains(txt, "jdoe") {
			t.Fatalf("expired link page:\n%s", txt)
		}
		c.screenshot("expired")
	})

	t.Run("totp code once", func(t *testing.T) {
		s := newSite(t, memoryDir(t), true)
		c := newChrome(t, "neg-totp")
		ctx := context.Background()
		u, _ := s.dir.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "pwuser"})
		secret := "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
		if err := s.creds.SetTOTPSecret(ctx, u.ID, secret); err != nil {
			t.Fatal(err)
		}
		code := totpCode(t, secret, s.clock.Now())
		for i, step := range []struct{ want, sel string }{{"Choose a new password", "#password-form"}, {"already used", "#problem"}} {
			c.openReset(s, "pwuser")
			c.do(chromedp.WaitVisible(chromedp.CSS("#code")))
			if i == 0 {
				c.screenshot("verify-totp")
			}
			c.do(chromedp.SendKeys(chromedp.CSS("#code"), code), chromedp.Click(chromedp.CSS("#totp-submit")), chromedp.WaitVisible(chromedp.CSS(step.sel)))
			if !strings.Contains(c.text(), step.want) {
				t.Fatalf("use %d of the code:\n%s", i+1, c.text())
			}
			c.screenshot(fmt.Sprintf("use-%d", i+1))
		}
	})

	t.Run("another user's flow", func(t *testing.T) {
		s := newSite(t, memoryDir(t), false)
		c := newChrome(t, "neg-otheruser")
		c.openReset(s, "jdoe")
		theirs := s.start(t, flows.KindReset, "spare3")
		// jdoe's browser, spare3's flow id with jdoe's cookie; and spare3's
		// link id with a secret that is not spare3's.
		c.do(chromedp.Navigate(s.base+"/f/"+theirs.Flow.ID+"/verify"), chromedp.WaitVisible(chromedp.CSS("#error-id")))
		if strings.Contains(c.text(), "spare3") {
			t.Fatal("another user's flow revealed")
		}
		c.screenshot("other-flow")
	})
}

// memoryPassword is every example user's starting password.
const memoryPassword = "Start-Passw0rd.1"
