package webauth

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/memory"
	"github.com/resetbot/resetbot/flows"
	"github.com/resetbot/resetbot/webauth/webauthtest"
)

// heldWrites is the example company whose password writes and unlocks
// wait until the test closes release, like a directory that answers late.
type heldWrites struct {
	*memory.Directory
	release chan struct{}
	once    sync.Once
}

// Release lets every held write and unlock go on (again: no effect).
func (d *heldWrites) Release() { d.once.Do(func() { close(d.release) }) }

func (d *heldWrites) SetPassword(ctx context.Context, u *directory.User, pw string) error {
	<-d.release
	return d.Directory.SetPassword(ctx, u, pw)
}

func (d *heldWrites) Unlock(ctx context.Context, u *directory.User) error {
	<-d.release
	return d.Directory.Unlock(ctx, u)
}

// newHeldSite is a site on the example company whose writes wait for
// release (closed at the end of the test at the latest), with a submit
// bound short enough that the page answers "still writing" first.
func newHeldSite(t *testing.T) (*site, *heldWrites) {
	t.Helper()
	mem, err := memory.New(memory.ExampleSeed())
	if err != nil {
		t.Fatal(err)
	}
	d := &heldWrites{Directory: mem, release: make(chan struct{})}
	t.Cleanup(d.Release)
	s := newSiteWith(t, rigOptions{dir: d, submitWait: 300 * time.Millisecond})
	return s, d
}

// TestBrowserUnlock: the unlock flow in Chromium, each page checked by axe
// in both colour schemes: the landing, one tap to the passkey prompt, the
// unlock page (unlock.html), and the done page; the directory no longer
// holds the lockout.
func TestBrowserUnlock(t *testing.T) {
	ctx := context.Background()
	mem, err := memory.New(memory.ExampleSeed())
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, mem, false)
	c := newChrome(t, "unlock")
	c.Authenticator(true)
	c.enroll(s, "lockme", memoryPassword)
	if err := mem.SetLocked("lockme", true); err != nil {
		t.Fatal(err)
	}
	is := s.start(t, flows.KindUnlock, "lockme")
	c.OpenReset(s.base + "/r/" + is.Token)
	c.Do(chromedp.WaitVisible(chromedp.CSS("#unlock")))
	if noForm, err := chromedp.Run(c.Ctx, chromedp.Evaluate[bool](`!document.getElementById("password")`)); err != nil || !noForm || !strings.Contains(c.Text(), "Unlock my account") {
		t.Fatalf("unlock page (no password field: %v, %v):\n%s", noForm, err, c.Text())
	}
	c.State("unlock")
	c.Tap("#unlock")
	c.Do(chromedp.WaitVisible(chromedp.CSS("#done-headline")))
	if txt := c.Text(); !strings.Contains(txt, "Your account is unlocked") {
		t.Fatalf("unlock done page:\n%s", txt)
	}
	c.State("unlock-done")
	u, err := mem.Find(ctx, directory.Lookup{Kind: directory.ByAccountName, Value: "lockme"})
	if err != nil || u.Locked {
		t.Fatalf("after the unlock: %+v, %v", u, err)
	}
}

// TestBrowserWritePending: a submit whose directory write outlasts the
// submit bound shows the "still writing" page (done.html, pending), for a
// password and for an unlock, checked by axe in both schemes; once the
// write ends, the page's own polling moves on to the outcome.
func TestBrowserWritePending(t *testing.T) {
	t.Run("password", func(t *testing.T) {
		s, d := newHeldSite(t)
		c := newChrome(t, "pending-password")
		c.Authenticator(true)
		c.enroll(s, "pwuser", memoryPassword)
		is := s.start(t, flows.KindReset, "pwuser")
		c.OpenReset(s.base + "/r/" + is.Token)
		c.TypeNewPassword(webauthtest.RandomPassword())
		c.Tap("#set-password")
		c.Do(chromedp.WaitVisible(chromedp.CSS("#approval-status.pending")))
		if txt := c.Text(); !strings.Contains(txt, "still writing your password") || strings.Contains(txt, "failed") {
			t.Fatalf("pending page:\n%s", txt)
		}
		c.State("pending")
		d.Release()
		c.WaitJS(`!document.getElementById("approval-status") && document.body.innerText.includes("Your password was changed")`)
		c.State("done")
	})
	t.Run("unlock", func(t *testing.T) {
		s, d := newHeldSite(t)
		c := newChrome(t, "pending-unlock")
		c.Authenticator(true)
		c.enroll(s, "lockme", memoryPassword)
		if err := d.SetLocked("lockme", true); err != nil {
			t.Fatal(err)
		}
		is := s.start(t, flows.KindUnlock, "lockme")
		c.OpenReset(s.base + "/r/" + is.Token)
		c.Do(chromedp.WaitVisible(chromedp.CSS("#unlock")))
		c.Tap("#unlock")
		c.Do(chromedp.WaitVisible(chromedp.CSS("#approval-status.pending")))
		if txt := c.Text(); !strings.Contains(txt, "still unlocking your account") || strings.Contains(txt, "failed") {
			t.Fatalf("pending unlock page:\n%s", txt)
		}
		c.State("pending")
		d.Release()
		c.WaitJS(`!document.getElementById("approval-status") && document.body.innerText.includes("Your account is unlocked")`)
		c.State("done")
	})
}
