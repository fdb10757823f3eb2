package webauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
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
	"github.com/resetbot/resetbot/internal/testenv"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// site is the app served on http://localhost:<port>, which Chromium treats
// as a secure context (WebAuthn, Secure cookies) with RP ID "localhost".
type site struct {
	*rig
	base string
}

// realRedis connects to the harness's redis-server.
func realRedis(t testing.TB) redis.UniversalClient {
	t.Helper()
	addr := testenv.RequireEnv(t, "RESETBOT_TEST_REDIS_ADDR")
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
	return newSiteWith(t, rigOptions{dir: dir, totp: totp})
}

// newSiteWith serves a rig with options (dir, totp, zone, brand) on a free
// localhost port.
func newSiteWith(t *testing.T, o rigOptions) *site {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	o.rdb, o.baseURL = realRedis(t), base
	r := newRig(t, o)
	if testing.Verbose() {
		r.srv.log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	var h http.Handler = r.srv
	if o.wrap != nil {
		h = o.wrap(h)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	return &site{rig: r, base: base}
}

// chrome is a browser from webauthtest plus the steps that start flows on
// this test's site.
type chrome struct {
	*webauthtest.Browser
	t *testing.T
}

func newChrome(t *testing.T, shotPrefix string) *chrome {
	t.Helper()
	return &chrome{Browser: webauthtest.NewBrowser(t, filepath.Join("testdata", "screenshots"), shotPrefix), t: t}
}

// enroll starts an enrollment for account and completes it in the browser
// with the directory password as proof.
func (c *chrome) enroll(s *site, account, password string) {
	c.t.Helper()
	is := s.start(c.t, flows.KindEnroll, account)
	c.Enroll(s.base+"/r/"+is.Token, password)
}

// openReset starts a reset and stops on the verify page. It waits until
// the landing page is gone, so that the redirect that follows Continue
// cannot interrupt (net::ERR_ABORTED) the test's next navigation.
func (c *chrome) openReset(s *site, account string) *flows.Issued {
	c.t.Helper()
	is := s.start(c.t, flows.KindReset, account)
	c.OpenResetToVerify(s.base + "/r/" + is.Token)
	return is
}

// reset starts a reset, verifies with the passkey and sets newPassword.
func (c *chrome) reset(s *site, account, newPassword string) *flows.Issued {
	c.t.Helper()
	is := s.start(c.t, flows.KindReset, account)
	c.Reset(s.base+"/r/"+is.Token, newPassword)
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
	old := webauthtest.RandomPassword()
	if err := dir.SetPassword(ctx, u, old); err != nil {
		t.Fatalf("set starting password: %v", err)
	}
	s := newSite(t, dir, false)
	c := newChrome(t, shotPrefix)
	c.Authenticator(true)
	c.enroll(s, account, old)
	next := webauthtest.RandomPassword()
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
	if _, err := chromedp.Call(c.Ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	// The flow is complete, so the page says what was done and when rather
	// than a bare "already used".
	c.Do(chromedp.Navigate(s.base+"/r/"+is.Token), chromedp.WaitVisible(chromedp.CSS("#error-id")))
	if !strings.Contains(c.Text(), "Your password was already changed at") {
		t.Fatalf("replayed link:\n%s", c.Text())
	}
	c.State("replayed-link")
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
	c.Do(chromedp.WaitVisible(chromedp.CSS("#passkey-login")), chromedp.Click(chromedp.CSS("#passkey-login")),
		chromedp.WaitVisible(chromedp.CSS("#passkey-status.bad")))
	c.State(name)
	f, err := s.eng.Get(context.Background(), is.Flow.ID)
	if err != nil {
		c.t.Fatal(err)
	}
	if f.State != flows.StateRedeemed || len(f.Verified) != 0 {
		c.t.Fatalf("after a refused passkey: state %s, verified %v", f.State, f.Verified)
	}
	c.Do(chromedp.Navigate(s.base+"/f/"+is.Flow.ID+"/password"), chromedp.WaitVisible(chromedp.CSS("#error-id")))
	if strings.Contains(c.Text(), "Set new password") {
		c.t.Fatal("password form shown without verification")
	}
}

func TestBrowserNegative(t *testing.T) {
	t.Run("wrong credential", func(t *testing.T) {
		s := newSite(t, memoryDir(t), false)
		c := newChrome(t, "neg-wrongkey")
		a := c.Authenticator(true)
		c.enroll(s, "spare1", memoryPassword)
		creds, err := chromedp.Call(c.Ctx, cdpwebauthn.GetCredentials, cdpwebauthn.GetCredentialsParams{AuthenticatorID: a})
		if err != nil || len(creds.Credentials) != 1 {
			t.Fatalf("credentials of the first authenticator: %v %v", creds, err)
		}
		orig := creds.Credentials[0]
		if _, err := chromedp.Call(c.Ctx, cdpwebauthn.RemoveVirtualAuthenticator, cdpwebauthn.RemoveVirtualAuthenticatorParams{AuthenticatorID: a}); err != nil {
			t.Fatal(err)
		}
		// A second authenticator holding a credential with the same id but
		// its own key: the browser offers it, the signature cannot verify.
		// (HasCmtgKey only because the protocol client always sends the
		// credential's CMTG flag, which Chromium refuses otherwise.)
		b := c.AuthenticatorWith(&cdpwebauthn.VirtualAuthenticatorOptions{IsUserVerified: true, HasCmtgKey: true})
		if _, err := chromedp.Call(c.Ctx, cdpwebauthn.AddCredential, cdpwebauthn.AddCredentialParams{AuthenticatorID: b, Credential: &cdpwebauthn.Credential{
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
		a := c.Authenticator(true)
		c.enroll(s, "spare2", memoryPassword)
		if _, err := chromedp.Call(c.Ctx, cdpwebauthn.SetUserVerified, cdpwebauthn.SetUserVerifiedParams{AuthenticatorID: a, IsUserVerified: false}); err != nil {
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
		c.Do(chromedp.Navigate(s.base+"/r/"+is.Token), chromedp.WaitVisible(chromedp.CSS("#error-id")))
		if txt := c.Text(); !strings.Contains(txt, "expired") || strings.Contains(txt, "jdoe") {
			t.Fatalf("expired link page:\n%s", txt)
		}
		c.State("expired")
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
			c.Do(chromedp.WaitVisible(chromedp.CSS("#code")))
			if i == 0 {
				c.State("verify-totp")
			}
			c.Do(chromedp.SendKeys(chromedp.CSS("#code"), code), chromedp.Click(chromedp.CSS("#totp-submit")), chromedp.WaitVisible(chromedp.CSS(step.sel)))
			if !strings.Contains(c.Text(), step.want) {
				t.Fatalf("use %d of the code:\n%s", i+1, c.Text())
			}
			c.State(fmt.Sprintf("use-%d", i+1))
		}
	})

	t.Run("another user's flow", func(t *testing.T) {
		s := newSite(t, memoryDir(t), false)
		c := newChrome(t, "neg-otheruser")
		c.openReset(s, "jdoe")
		theirs := s.start(t, flows.KindReset, "spare3")
		// jdoe's browser, spare3's flow id with jdoe's cookie; and spare3's
		// link id with a secret that is not spare3's.
		c.Do(chromedp.Navigate(s.base+"/f/"+theirs.Flow.ID+"/verify"), chromedp.WaitVisible(chromedp.CSS("#error-id")))
		if strings.Contains(c.Text(), "spare3") {
			t.Fatal("another user's flow revealed")
		}
		c.State("other-flow")
	})
}

// memoryPassword is every example user's starting password.
const memoryPassword = "Start-Passw0rd.1"
